/** Plain-text tables for the terminal. */
import type { EvalResult } from './evaluate.ts';

export function formatEvalTable(r: EvalResult): string {
  const head = ['budget', 'accuracy %', '95% CI', 'mean tok', 'tok correct', 'tok wrong', 'trunc %', 'acc/1k tok', ...(r.budgets.some((b) => b.vsBase) ? ['len −% vs base', 'Δacc pts', 'AES'] : [])];
  const f = (x: number | undefined, d = 1) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));
  const rows = r.budgets.map((b) => [
    String(b.budget), f(100 * b.accuracy.estimate), `[${f(100 * b.accuracy.lo)}, ${f(100 * b.accuracy.hi)}]`, f(b.meanTokens.estimate), f(b.meanTokensCorrect.estimate),
    f(b.meanTokensWrong.estimate), f(100 * b.truncationRate.estimate), f(b.accuracyPer1k, 2),
    ...(b.vsBase ? [f(100 * b.vsBase.lengthReduction), f(100 * b.vsBase.accuracyDelta), f(b.vsBase.aes, 3)] : r.budgets.some((x) => x.vsBase) ? ['–', '–', '–'] : []),
  ]);
  const all = [head, ...rows];
  const w = head.map((_, c) => Math.max(...all.map((l) => l[c].length)));
  return all.map((l) => l.map((x, c) => (c === 0 ? x.padEnd(w[c]) : x.padStart(w[c]))).join('  ')).join('\n');
}
