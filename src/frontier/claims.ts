/**
 * The claims check: each seed paper's headline claim, the rule (fixed here,
 * before the results) by which its *direction* counts as reproduced on this
 * testbed, and the numbers. Magnitudes are reported, not judged: the papers
 * train 1.5B–7B models on competition math, this suite a 1M-parameter model
 * on the built-in task.
 */
import type { EvalResult } from '../eval/evaluate.ts';
import { seedProblemBootstrap, type BootstrapOptions, type Interval } from '../eval/stats.ts';
import type { LengthFollowing } from './run-frontier.ts';
import { matrix, type ArmSummary } from './summary.ts';

export interface ClaimResult {
  paper: string;
  claim: string;
  rule: string;
  /** 'yes' | 'no' | 'not measured' (an arm the rule needs is not complete yet). */
  reproduces: 'yes' | 'no' | 'not measured';
  evidence: string;
}

const pts = (i: Interval) => `${i.estimate >= 0 ? '+' : ''}${(100 * i.estimate).toFixed(1)} [${(100 * i.lo).toFixed(1)}, ${(100 * i.hi).toFixed(1)}] pts`;
const tok = (i: Interval) => `${i.estimate >= 0 ? '+' : ''}${i.estimate.toFixed(1)} [${i.lo.toFixed(1)}, ${i.hi.toFixed(1)}] tokens`;
const cut = (a: ArmSummary) => `${a.arm}: length ${(100 * a.lengthReduction).toFixed(1)}% shorter than the base (${tok(a.deltaTokensVsBase)}), accuracy ${pts(a.deltaAccVsBase)} vs base`;
/** Significantly shorter than the base: the whole 95% CI of Δtokens below 0. */
const shorter = (a: ArmSummary) => a.deltaTokensVsBase.hi < 0;
/** No significant accuracy loss: the CI of Δacc reaches 0 or above. */
const noLoss = (a: ArmSummary) => a.deltaAccVsBase.hi >= 0;

export interface ClaimInputs {
  arms: readonly ArmSummary[];
  /** Test evaluations of a complete arm by seed (for arm-vs-arm pairs). */
  evals(arm: string): readonly EvalResult[] | null;
  /** Problem ids in the base's order, and the uncapped budget. */
  order: readonly string[];
  uncapped: number;
  boot: BootstrapOptions;
  /** The L1 length-following evaluations of a complete arm, one per seed (null when missing). */
  lengthFollowing(arm: string): readonly LengthFollowing[] | null;
}

/** Pearson correlation of two equal-length series (NaN when either is constant). */
export function pearson(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** L1: requested vs produced length over every (seed, target, problem) of the arm. */
function l1Claim(x: ClaimInputs): ClaimResult {
  const head = { paper: 'L1', claim: 'the length follows the budget requested in the prompt', rule: 'l1-max: correlation between requested and produced length > 0.5' };
  const parts = ['l1-max', 'l1-exact'].flatMap((arm) => {
    const runs = x.lengthFollowing(arm);
    if (!runs) return [];
    const s = runs.flatMap((r) => r.samples);
    const targets = [...new Set(s.map((v) => v.target))].sort((a, b) => a - b);
    const means = targets.map((t) => {
      const at = s.filter((v) => v.target === t);
      return `${t}→${(at.reduce((a, v) => a + v.tokens, 0) / at.length).toFixed(0)}`;
    });
    return [{ arm, r: pearson(s.map((v) => v.target), s.map((v) => v.tokens)), means }];
  });
  const max = parts.find((p) => p.arm === 'l1-max');
  if (!max) return { ...head, reproduces: 'not measured', evidence: 'needs the l1-max arm with its length-following evaluation, not complete yet' };
  return {
    ...head, reproduces: max.r > 0.5 ? 'yes' : 'no',
    evidence: parts.map((p) => `${p.arm}: r = ${p.r.toFixed(2)}; requested→mean tokens ${p.means.join(', ')}`).join('; '),
  };
}

/** Paired difference b − a over (seed, problem) of accuracy and mean tokens at the uncapped budget. */
function pair(x: ClaimInputs, a: string, b: string): { acc: Interval; tokens: Interval } | null {
  const ea = x.evals(a);
  const eb = x.evals(b);
  if (!ea || !eb) return null;
  const d = (f: (r: { correct: number; tokens: number; samples: number }) => number) => {
    const ma = matrix(ea, x.uncapped, x.order, f);
    const mb = matrix(eb, x.uncapped, x.order, f);
    return seedProblemBootstrap(mb.map((row, s) => row.map((v, p) => v - ma[s][p])), x.boot);
  };
  return { acc: d((r) => r.correct / r.samples), tokens: d((r) => r.tokens / r.samples) };
}

export function checkClaims(x: ClaimInputs): ClaimResult[] {
  const arm = (n: string) => x.arms.find((a) => a.arm === n);
  const missing = (...names: string[]) => `needs the ${names.filter((n) => !arm(n)).join(', ')} arm(s), not complete yet`;
  const single = (paper: string, claim: string, name: string, rule: string, ok: (a: ArmSummary) => boolean): ClaimResult => {
    const a = arm(name);
    if (!a) return { paper, claim, rule, reproduces: 'not measured', evidence: missing(name) };
    return { paper, claim, rule, reproduces: ok(a) ? 'yes' : 'no', evidence: cut(a) };
  };
  const versus = (paper: string, claim: string, a: string, b: string, rule: string, ok: (d: { acc: Interval; tokens: Interval }) => boolean): ClaimResult => {
    const d = pair(x, b, a);
    if (!d) return { paper, claim, rule, reproduces: 'not measured', evidence: missing(a, b) };
    return { paper, claim, rule, reproduces: ok(d) ? 'yes' : 'no', evidence: `${a} − ${b}: accuracy ${pts(d.acc)}, length ${tok(d.tokens)}` };
  };
  return [
    single('DLER', '>70% shorter with no accuracy loss', 'dler', 'significantly shorter than the base and no significant accuracy loss', (a) => shorter(a) && noLoss(a)),
    drpoClaim(x.arms),
    single('GRPO-λ', '−47% length, +1.5 pts accuracy', 'grpo-lambda', 'significantly shorter than the base and no significant accuracy loss', (a) => shorter(a) && noLoss(a)),
    versus('Train Long, Think Short', 'a curriculum beats a fixed budget equal to its final value', 'curriculum', 'curriculum-fixed', 'curriculum more accurate than the fixed final budget (paired Δacc > 0)', (d) => d.acc.estimate > 0),
    single('PALU', '−65% length, +15 pts accuracy', 'palu', 'significantly shorter than the base and more accurate (Δacc > 0)', (a) => shorter(a) && a.deltaAccVsBase.estimate > 0),
    versus('ThinkPrune', 'staged caps (192 → 128 → 96 here) beat one cap (96)', 'thinkprune', 'thinkprune-single', 'staged more accurate than the single cap (paired Δacc > 0)', (d) => d.acc.estimate > 0),
    l1Claim(x),
  ];
}

/** DRPO's claim is relative to the other methods: compare with every arm that shortens at least as much. */
function drpoClaim(arms: readonly ArmSummary[]): ClaimResult {
  const head = {
    paper: 'DRPO', claim: 'GSM8K: −77% length for −1.1 pt, where the next baseline loses 4.3 pts at −68%',
    rule: 'significantly shorter than the base, and no arm that shortens at least as much keeps more accuracy',
  };
  const drpo = arms.find((a) => a.arm === 'drpo');
  if (!drpo) return { ...head, reproduces: 'not measured', evidence: 'needs the drpo arm, not complete yet' };
  const best = arms
    .filter((a) => a.arm !== 'drpo' && a.lengthReduction >= drpo.lengthReduction)
    .sort((p, q) => q.deltaAccVsBase.estimate - p.deltaAccVsBase.estimate)[0];
  const ok = shorter(drpo) && (!best || drpo.deltaAccVsBase.estimate >= best.deltaAccVsBase.estimate);
  return { ...head, reproduces: ok ? 'yes' : 'no', evidence: `${cut(drpo)}${best ? `; best arm at ≥ its cut: ${cut(best)}` : '; no other arm shortens as much'}` };
}

export function formatClaims(claims: readonly ClaimResult[]): string {
  const rows = claims.map((c) => `| ${c.paper} | ${c.claim} | ${c.rule} | **${c.reproduces}** | ${c.evidence} |`);
  return ['| paper | headline claim | direction reproduces when | reproduces? | evidence (3 seeds × test problems, 95% CIs) |', '|---|---|---|---|---|', ...rows].join('\n');
}
