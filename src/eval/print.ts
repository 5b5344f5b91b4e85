/** Plain-text tables for the terminal. */
import { anytimeScore, type EvalResult } from './evaluate.ts';

export function formatEvalTable(r: EvalResult): string {
  // Thinking models: mean tokens split into thinking (inside <think>) and answer; no columns otherwise.
  const thinking = r.budgets.some((b) => b.meanThinkingTokens);
  const head = [
    'budget', 'accuracy %', '95% CI', 'mean tok', ...(thinking ? ['think tok', 'answer tok'] : []), 'tok correct', 'tok wrong', 'trunc %', 'acc/1k tok', 'OAA AUC',
    ...(r.budgets.some((b) => b.vsBase) ? ['len −% vs base', 'Δacc pts', 'AES'] : []),
  ];
  const f = (x: number | undefined, d = 1) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));
  const rows = r.budgets.map((b) => [
    String(b.budget), f(100 * b.accuracy.estimate), `[${f(100 * b.accuracy.lo)}, ${f(100 * b.accuracy.hi)}]`, f(b.meanTokens.estimate),
    ...(thinking ? [f(b.meanThinkingTokens?.estimate), f(b.meanAnswerTokens?.estimate)] : []), f(b.meanTokensCorrect.estimate),
    f(b.meanTokensWrong.estimate), f(100 * b.truncationRate.estimate), f(b.accuracyPer1k, 2), f(b.oaaAuc?.estimate, 3),
    ...(b.vsBase ? [f(100 * b.vsBase.lengthReduction), f(100 * b.vsBase.accuracyDelta), f(b.vsBase.aes, 3)] : r.budgets.some((x) => x.vsBase) ? ['–', '–', '–'] : []),
  ]);
  const all = [head, ...rows];
  const w = head.map((_, c) => Math.max(...all.map((l) => l[c].length)));
  const table = all.map((l) => l.map((x, c) => (c === 0 ? x.padEnd(w[c]) : x.padStart(w[c]))).join('  ')).join('\n');
  // OAA AUC: accuracy under a token threshold integrated up to the budget (OptimalThinkingBench).
  return r.budgets.length > 1 ? `${table}\nanytime score (mean accuracy over budgets, uniform budget prior): ${f(100 * anytimeScore(r))}%` : table;
}

/**
 * Before/after table of two evaluations on the same budgets (the quickstart's
 * summary): accuracy and mean tokens of each, length cut and accuracy change.
 */
export function formatBeforeAfter(before: EvalResult, after: EvalResult): string {
  const head = ['budget', `acc % ${before.model}`, `acc % ${after.model}`, 'Δacc pts', `tokens ${before.model}`, `tokens ${after.model}`, 'length −%'];
  const rows = after.budgets.flatMap((a) => {
    const b = before.budgets.find((x) => x.budget === a.budget);
    if (!b) return [];
    const dl = (b.meanTokens.estimate - a.meanTokens.estimate) / b.meanTokens.estimate;
    return [[String(a.budget), (100 * b.accuracy.estimate).toFixed(1), (100 * a.accuracy.estimate).toFixed(1), (100 * (a.accuracy.estimate - b.accuracy.estimate)).toFixed(1),
      b.meanTokens.estimate.toFixed(1), a.meanTokens.estimate.toFixed(1), (100 * dl).toFixed(1)]];
  });
  const all = [head, ...rows];
  const w = head.map((_, c) => Math.max(...all.map((l) => l[c].length)));
  return all.map((l) => l.map((x, c) => (c === 0 ? x.padEnd(w[c]) : x.padStart(w[c]))).join('  ')).join('\n');
}
