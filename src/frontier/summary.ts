/**
 * The frontier's summary, computed only from committed files in the results
 * directory (base/test.json, runs/<arm>.seed-<s>.eval.json|metrics.json,
 * selection.json), so it can be rebuilt anywhere without checkpoints.
 *
 * Per arm (complete = every seed evaluated), at the uncapped budget U (the
 * largest eval budget) unless stated: accuracy and mean tokens with 95% CIs
 * from a two-level bootstrap over training seeds and test problems; mean
 * tokens of correct and wrong answers; length −% and Δacc vs the base
 * (paired on problems); Δacc vs the control (paired on seed and problem);
 * AES vs the base; OAA AUC (t_max = U); the area under the accuracy–budget
 * curve; accuracy and length per difficulty; training cost. ab.json also
 * carries the A/B tool's rows (src/ab/compare.ts) at every budget.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compareArms, type AbRow } from '../ab/compare.ts';
import type { EvalResult } from '../eval/evaluate.ts';
import { aes, DEFAULT_AES, lengthReduction, seedProblemBootstrap, type BootstrapOptions, type Interval } from '../eval/stats.ts';
import { byDifficulty, type DifficultySummary } from '../eval/summarize.ts';
import { readEvalResult } from '../eval/write-results.ts';
import type { ProblemRecord } from '../eval/records.ts';
import type { RunMetrics } from './run-metrics.ts';
import type { LengthFollowing } from './run-frontier.ts';
import type { Selection } from './select.ts';
import { lrLabel, type LoadedSuite } from './suite.ts';
import { frontierSvg, svgToPng } from './plot.ts';
import { checkClaims, formatClaims } from './claims.ts';

export interface ArmSummary {
  arm: string;
  lr: number | null;
  seeds: number;
  accuracy: Interval;
  meanTokens: Interval;
  meanTokensCorrect: number;
  meanTokensWrong: number;
  /** (L_base − L)/L_base, pooled over seeds. */
  lengthReduction: number;
  deltaAccVsBase: Interval;
  deltaTokensVsBase: Interval;
  deltaAccVsControl?: Interval;
  aes: number;
  oaaAuc: Interval;
  /** Trapezoid area under accuracy vs budget, divided by the budget range. */
  budgetAuc: number;
  accuracyAtBudget: Record<string, Interval>;
  byDifficulty: DifficultySummary[];
  cost: { wallMinutes: number; rolloutsGenerated: number; tokensGenerated: number } | null;
}

const readJson = <T>(f: string): T => JSON.parse(readFileSync(f, 'utf8')) as T;

/** values[seed][problem] of f over the records of one budget, problems in the base's order. */
export function matrix(evals: readonly EvalResult[], budget: number, order: readonly string[], f: (r: ProblemRecord) => number): number[][] {
  return evals.map((e) => {
    const b = e.budgets.find((x) => x.budget === budget);
    if (!b) throw new Error(`${e.model}: no evaluation at budget ${budget}`);
    const byId = new Map(b.records.map((r) => [r.id, r]));
    return order.map((id) => {
      const r = byId.get(id);
      if (!r) throw new Error(`${e.model}: problem ${id} missing at budget ${budget}; every arm must be evaluated on the same test problems`);
      return f(r);
    });
  });
}

const acc = (r: ProblemRecord) => r.correct / r.samples;
const tok = (r: ProblemRecord) => r.tokens / r.samples;

export function summarizeArm(
  arm: string, lr: number | null, evals: readonly EvalResult[], base: EvalResult, control: readonly EvalResult[] | null,
  metrics: readonly RunMetrics[], boot: BootstrapOptions,
): ArmSummary {
  const budgets = base.budgets.map((b) => b.budget);
  const U = Math.max(...budgets);
  const order = base.budgets.find((b) => b.budget === U)!.records.map((r) => r.id);
  const m = (budget: number, f: (r: ProblemRecord) => number) => matrix(evals, budget, order, f);
  const baseAt = (f: (r: ProblemRecord) => number) => matrix([base], U, order, f)[0];
  const diff = (a: number[][], b: (s: number) => readonly number[]) => a.map((row, s) => row.map((x, p) => x - b(s)[p]));
  const accU = m(U, acc);
  const tokU = m(U, tok);
  const pooled = evals.flatMap((e) => e.budgets.find((b) => b.budget === U)!.records);
  const sum = (f: (r: ProblemRecord) => number, rs = pooled) => rs.reduce((s, r) => s + f(r), 0);
  const correct = sum((r) => r.correct);
  const samples = sum((r) => r.samples);
  const baseAcc = baseAt(acc).reduce((s, x) => s + x, 0) / order.length;
  const baseTok = baseAt(tok).reduce((s, x) => s + x, 0) / order.length;
  const meanAcc = correct / samples;
  const meanTok = sum((r) => r.tokens) / samples;
  const accuracyAtBudget = Object.fromEntries(budgets.map((b) => [String(b), seedProblemBootstrap(m(b, acc), boot)]));
  const accs = budgets.map((b) => accuracyAtBudget[String(b)].estimate);
  let area = 0;
  for (let k = 1; k < budgets.length; k++) area += ((budgets[k] - budgets[k - 1]) * (accs[k] + accs[k - 1])) / 2;
  const meanOf = (f: (x: RunMetrics) => number) => (metrics.length ? metrics.reduce((s, x) => s + f(x), 0) / metrics.length : NaN);
  return {
    arm, lr, seeds: evals.length,
    accuracy: seedProblemBootstrap(accU, boot),
    meanTokens: seedProblemBootstrap(tokU, boot),
    meanTokensCorrect: sum((r) => r.tokensCorrect) / correct,
    meanTokensWrong: (sum((r) => r.tokens) - sum((r) => r.tokensCorrect)) / (samples - correct),
    lengthReduction: lengthReduction(baseTok, meanTok),
    deltaAccVsBase: seedProblemBootstrap(diff(accU, () => baseAt(acc)), boot),
    deltaTokensVsBase: seedProblemBootstrap(diff(tokU, () => baseAt(tok)), boot),
    deltaAccVsControl: control ? seedProblemBootstrap(diff(accU, (s) => matrix(control, U, order, acc)[s]), boot) : undefined,
    aes: aes({ accuracy: meanAcc, meanTokens: meanTok }, { accuracy: baseAcc, meanTokens: baseTok }, DEFAULT_AES),
    oaaAuc: seedProblemBootstrap(m(U, (r) => (r.correct === 0 ? 0 : Math.max(0, 1 - r.tokensCorrect / r.correct / U) * acc(r))), boot),
    budgetAuc: budgets.length > 1 ? area / (budgets[budgets.length - 1] - budgets[0]) : accs[0],
    accuracyAtBudget,
    byDifficulty: byDifficulty(pooled),
    cost: metrics.length ? { wallMinutes: meanOf((x) => x.cost.wallSeconds) / 60, rolloutsGenerated: meanOf((x) => x.cost.rolloutsGenerated), tokensGenerated: meanOf((x) => x.cost.tokensGenerated) } : null,
  };
}

const pct = (x: number) => (100 * x).toFixed(1);
const ci = (i: Interval, f: (x: number) => string) => `${f(i.estimate)} [${f(i.lo)}, ${f(i.hi)}]`;
const sgn = (f: (x: number) => string) => (x: number) => (x >= 0 ? '+' : '') + f(x);

export function formatFrontierTable(rows: readonly ArmSummary[], baseRow: { accuracy: number; meanTokens: number; oaaAuc: number }): string {
  const head = ['arm', 'lr', 'acc % [95% CI]', 'tokens [95% CI]', 'length −%', 'Δacc vs base, pts', 'Δacc vs control, pts', 'AES', 'OAA AUC', 'acc–budget AUC', 'acc % d4–5', 'train min'];
  const hard = (r: ArmSummary) => {
    const d = r.byDifficulty.filter((x) => x.difficulty >= 4);
    const n = d.reduce((s, x) => s + x.problems, 0);
    return n ? pct(d.reduce((s, x) => s + x.accuracy * x.problems, 0) / n) : '–';
  };
  const lines = [
    ['base', '', pct(baseRow.accuracy), baseRow.meanTokens.toFixed(1), '', '', '', '', baseRow.oaaAuc.toFixed(3), '', '', ''],
    ...rows.map((r) => [
      r.arm, r.lr === null ? '' : lrLabel(r.lr), ci(r.accuracy, pct), ci(r.meanTokens, (x) => x.toFixed(1)), pct(r.lengthReduction),
      ci(r.deltaAccVsBase, sgn(pct)), r.deltaAccVsControl ? ci(r.deltaAccVsControl, sgn(pct)) : '(control)', r.aes.toFixed(2),
      ci(r.oaaAuc, (x) => x.toFixed(3)), pct(r.budgetAuc), hard(r), r.cost ? r.cost.wallMinutes.toFixed(1) : '–',
    ]),
  ];
  const fmt = (l: string[]) => `| ${l.join(' | ')} |`;
  return [fmt(head), `|${head.map(() => '---').join('|')}|`, ...lines.map(fmt)].join('\n');
}

export async function writeFrontierSummary(loaded: LoadedSuite): Promise<{ table: string; files: string[]; notes: string[] }> {
  const { suite } = loaded;
  const res = suite.results;
  const baseFile = path.join(res, 'base', 'test.json');
  if (!existsSync(baseFile)) return { table: '(no results yet: the base model has not been evaluated)', files: [], notes: [] };
  const base = readEvalResult(baseFile);
  const selFile = path.join(res, 'selection.json');
  const selection = existsSync(selFile) ? readJson<Record<string, Selection>>(selFile) : {};
  const stem = (arm: string, s: number) => path.join(res, 'runs', `${arm}.seed-${s}`);
  const complete = suite.arms.filter((a) => suite.seeds.every((s) => existsSync(`${stem(a.name, s)}.eval.json`)));
  const pending = suite.arms.filter((a) => !complete.includes(a)).map((a) => a.name);
  const cache = new Map<string, EvalResult[]>();
  const evalsOf = (arm: string) => {
    if (!cache.has(arm)) cache.set(arm, suite.seeds.map((s) => readEvalResult(`${stem(arm, s)}.eval.json`)));
    return cache.get(arm)!;
  };
  const boot: BootstrapOptions = { resamples: base.budgets.length ? 1000 : 0, seed: 0 };
  const controlEvals = complete.some((a) => a.name === suite.control) ? evalsOf(suite.control) : null;
  const U = Math.max(...base.budgets.map((b) => b.budget));
  const baseU = base.budgets.find((b) => b.budget === U)!;
  const baseRow = {
    accuracy: baseU.accuracy.estimate, meanTokens: baseU.meanTokens.estimate,
    oaaAuc: baseU.records.reduce((s, r) => s + (r.correct === 0 ? 0 : Math.max(0, 1 - r.tokensCorrect / r.correct / U) * acc(r)), 0) / baseU.records.length,
  };
  // control first, then the suite's order
  const ordered = [...complete].sort((a, b) => Number(b.name === suite.control) - Number(a.name === suite.control));
  const arms = ordered.map((a) => {
    const metrics = suite.seeds.map((s) => `${stem(a.name, s)}.metrics.json`).filter(existsSync).map((f) => readJson<RunMetrics>(f));
    return summarizeArm(a.name, selection[a.name]?.lr ?? null, evalsOf(a.name), base, a.name === suite.control ? null : controlEvals, metrics, boot);
  });
  const budgets = base.budgets.map((b) => b.budget);
  const rows: AbRow[] = compareArms(ordered.map((a) => ({ arm: a.name, bySeed: suite.seeds.map((s, i) => ({ seed: s, result: evalsOf(a.name)[i] })) })), budgets, boot);
  const table = formatFrontierTable(arms, baseRow);
  const claims = checkClaims({
    arms, boot, uncapped: U, order: baseU.records.map((r) => r.id),
    evals: (arm) => (ordered.some((a) => a.name === arm) ? evalsOf(arm) : null),
    lengthFollowing: (arm) => {
      const files = suite.seeds.map((s) => `${stem(arm, s)}.l1.json`);
      return ordered.some((a) => a.name === arm) && files.every(existsSync) ? files.map((f) => readJson<LengthFollowing>(f)) : null;
    },
  });
  mkdirSync(res, { recursive: true });
  const ab = {
    arms: ordered.map((a) => a.name), seeds: suite.seeds, budgets,
    runs: ordered.flatMap((a) => suite.seeds.map((s) => ({ arm: a.name, seed: s, runDir: path.join(suite.runs, a.name, `lr-${lrLabel(selection[a.name]?.lr ?? 0)}`, `seed-${s}`) }))),
    rows, base: { ...baseRow, byDifficulty: baseU.byDifficulty, accuracyAtBudget: Object.fromEntries(base.budgets.map((b) => [String(b.budget), b.accuracy])) },
    frontier: arms, claims, selection, pending,
  };
  const files = [path.join(res, 'ab.json'), path.join(res, 'table.md'), path.join(res, 'frontier.svg'), path.join(res, 'claims.md')];
  writeFileSync(files[0], `${JSON.stringify(ab, null, 1)}\n`);
  writeFileSync(files[1], `${table}\n${pending.length ? `\nPending arms (not all seeds evaluated yet): ${pending.join(', ')}\n` : ''}`);
  writeFileSync(files[2], await frontierSvg(arms, baseRow));
  writeFileSync(files[3], `${formatClaims(claims)}\n`);
  const png = path.join(res, 'frontier.png');
  const why = svgToPng(files[2], png);
  if (why === null) files.push(png);
  return { table, files, notes: why === null ? [] : [why] };
}
