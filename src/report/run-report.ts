/**
 * The per-run report: accuracy–tokens curves of every evaluated checkpoint,
 * training curves, and per-budget summary tables. One self-contained HTML file.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BudgetResult, EvalResult } from '../eval/evaluate.ts';
import type { Interval } from '../eval/stats.ts';
import { TRAINING_PANELS, curveSpec, trainingPoints, trainingSpec } from './charts.ts';
import type { CurvePoint } from './charts.ts';
import { esc, figure, page, table } from './html.ts';
import { loadRun } from './load-run.ts';
import type { RunData } from './load-run.ts';
import { vlToSvg } from './vega-svg.ts';

export const pctCI = (i: Interval) => `${(100 * i.estimate).toFixed(1)} [${(100 * i.lo).toFixed(1)}, ${(100 * i.hi).toFixed(1)}]`;
export const numCI = (i: Interval) => `${i.estimate.toFixed(1)} [${i.lo.toFixed(1)}, ${i.hi.toFixed(1)}]`;
/** Fixed-point or '–' (NaN is stored as null in JSON, e.g. AES against a base with 0% accuracy). */
const f1 = (x: number | null | undefined, digits = 1) => (typeof x !== 'number' || !Number.isFinite(x) ? '–' : x.toFixed(digits));

export function curvePoints(series: string, r: EvalResult): CurvePoint[] {
  return r.budgets.map((b) => ({
    series, budget: b.budget, tokens: b.meanTokens.estimate, tokensLo: b.meanTokens.lo, tokensHi: b.meanTokens.hi,
    accuracy: 100 * b.accuracy.estimate, accuracyLo: 100 * b.accuracy.lo, accuracyHi: 100 * b.accuracy.hi,
  }));
}

export function evalTable(r: EvalResult): string {
  const ks = [...new Set(r.budgets.flatMap((b) => Object.keys(b.passAtK)))];
  const hasBase = r.budgets.some((b) => b.vsBase);
  const head = ['budget', 'accuracy % [95% CI]', 'mean tokens [95% CI]', 'tokens correct', 'tokens wrong', 'truncated %', ...ks.map((k) => `pass@${k} %`), 'acc / 1k tok',
    ...(hasBase ? [`length −% vs ${r.budgets.find((b) => b.vsBase)!.vsBase!.base}`, 'Δacc pts', 'AES'] : [])];
  const rows = r.budgets.map((b: BudgetResult) => [
    String(b.budget), pctCI(b.accuracy), numCI(b.meanTokens), f1(b.meanTokensCorrect.estimate), f1(b.meanTokensWrong.estimate), f1(100 * b.truncationRate.estimate),
    ...ks.map((k) => f1(b.passAtK[k] === undefined ? undefined : 100 * b.passAtK[k])), f1(b.accuracyPer1k, 2),
    ...(hasBase ? [f1(b.vsBase && 100 * b.vsBase.lengthReduction), f1(b.vsBase && 100 * b.vsBase.accuracyDelta), f1(b.vsBase?.aes, 3)] : []),
  ]);
  return table(head, rows);
}

/** Per shared budget: accuracy and mean tokens of two evaluations, the accuracy change and the length cut. */
export function beforeAfterTable(before: EvalResult, after: EvalResult): string {
  const rows = after.budgets.flatMap((a) => {
    const b = before.budgets.find((x) => x.budget === a.budget);
    if (!b) return [];
    const cut = (b.meanTokens.estimate - a.meanTokens.estimate) / b.meanTokens.estimate;
    return [[String(a.budget), pctCI(b.accuracy), pctCI(a.accuracy), f1(100 * (a.accuracy.estimate - b.accuracy.estimate)), numCI(b.meanTokens), numCI(a.meanTokens), f1(100 * cut)]];
  });
  return table(['budget', `accuracy % ${before.model}`, `accuracy % ${after.model}`, 'Δacc pts', `tokens ${before.model}`, `tokens ${after.model}`, 'length −%'], rows);
}

function difficultyTable(r: EvalResult): string {
  const rows = r.budgets.flatMap((b) => b.byDifficulty.map((d) => [String(b.budget), String(d.difficulty), String(d.problems), f1(100 * d.accuracy), f1(d.meanTokens), f1(100 * d.truncationRate)]));
  return rows.length ? table(['budget', 'difficulty', 'problems', 'accuracy %', 'mean tokens', 'truncated %'], rows) : '';
}

export async function runReportHtml(run: RunData): Promise<string> {
  const parts: string[] = [];
  parts.push(`<h1>brevity run: ${esc(run.name)}</h1>`);
  const last = run.metrics.at(-1);
  parts.push(
    `<p class="meta">${esc(run.dir)} · ${run.metrics.length} logged steps${last?.step !== undefined ? ` (last step ${last.step})` : ''} · ${
      run.done ? `complete (${esc(String(run.done.finishedAt))})` : 'not marked complete'
    } · ${run.evals.length} evaluation(s)</p>`,
  );
  for (const e of run.events ?? []) {
    if (e.event === 'recipe-change') {
      parts.push(`<p class="note">The recipe changed when the run resumed from step ${e.step} (--allow-recipe-change): ${esc((e.changes ?? []).join('; '))}. Steps after ${e.step} ran with the new settings.</p>`);
    }
  }
  if (run.evals.length >= 2) {
    const first = run.evals[0];
    const last = run.evals[run.evals.length - 1];
    parts.push(`<h2>Before / after: ${esc(first.label)} → ${esc(last.label)}</h2>`);
    parts.push(beforeAfterTable(first.result, last.result));
  }
  if (run.evals.length > 0) {
    parts.push('<h2>Accuracy–tokens curve</h2>');
    parts.push('<p class="note">Each point is one token budget (labelled) under budget forcing; whiskers are bootstrap 95% confidence intervals over test problems.</p>');
    const pts = run.evals.flatMap((e) => curvePoints(e.label, e.result));
    parts.push(`<div class="charts">${figure(await vlToSvg(curveSpec(pts, 'Accuracy vs tokens per checkpoint')), 'curve')}</div>`);
  }
  if (run.metrics.length > 0) {
    parts.push('<h2>Training</h2><div class="charts">');
    // A series that is 0 at every step (KL to the old policy of an on-policy recipe) is named, not drawn.
    const zero: string[] = [];
    for (const p of TRAINING_PANELS) {
      const pts = trainingPoints(run.metrics, p.keys);
      const flat = [...new Set(pts.map((q) => q.series))].filter((s) => pts.every((q) => q.series !== s || q.value === 0));
      zero.push(...flat);
      const shown = pts.filter((q) => !flat.includes(q.series));
      if (shown.length) parts.push(figure(await vlToSvg(trainingSpec(shown, p.title, p.y)), `train-${p.title.toLowerCase().replace(/\W+/g, '-')}`));
    }
    parts.push('</div>');
    if (zero.length) parts.push(`<p class="note">0 at every step, not drawn: ${esc(zero.join(', '))}.</p>`);
  }
  for (const e of run.evals) {
    parts.push(`<h2>Evaluation: ${esc(e.label)}</h2>`);
    const s = e.result.settings;
    parts.push(`<p class="meta">model ${esc(e.result.model)} · task ${esc(e.result.task)} · ${s.problems} problems × ${s.samplesPerProblem} sample(s) · temperature ${s.temperature} · seed ${s.seed}</p>`);
    parts.push(evalTable(e.result));
    parts.push(`<details><summary>per difficulty</summary>${difficultyTable(e.result)}</details>`);
  }
  return page(`brevity · ${run.name}`, parts.join('\n'));
}

/** Writes `<runDir>/report.html`; returns its path. */
export async function writeRunReport(runDir: string): Promise<string> {
  const html = await runReportHtml(loadRun(runDir));
  const out = join(runDir, 'report.html');
  writeFileSync(out, html);
  return out;
}
