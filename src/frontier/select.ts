/**
 * The grid's selection rule, declared in the suite file before any run:
 * scores every learning rate's validation evaluation and picks one.
 */
import type { EvalResult } from '../eval/evaluate.ts';
import { oaaAuc } from '../eval/stats.ts';
import type { SELECTION_RULES } from './suite.ts';

export interface Selection {
  lr: number;
  rule: keyof typeof SELECTION_RULES;
  scores: { lr: number; score: number; accuracy: number; meanTokens: number }[];
}

/** Per-sample (correct, tokens) of one budget's records; the frontier evaluates one sample per problem. */
export function samplesAt(r: EvalResult, budget: number): { correct: boolean; tokens: number }[] {
  const b = r.budgets.find((x) => x.budget === budget);
  if (!b) throw new Error(`evaluation ${r.model} has no budget ${budget} (has ${r.budgets.map((x) => x.budget).join(', ')})`);
  if (r.settings.samplesPerProblem !== 1) throw new Error(`evaluation ${r.model}: per-sample metrics need eval.samplesPerProblem 1 (got ${r.settings.samplesPerProblem})`);
  return b.records.map((x) => ({ correct: x.correct === 1, tokens: x.tokens }));
}

export function selectLr(rule: Selection['rule'], vals: readonly { lr: number; result: EvalResult }[], budget: number): Selection {
  const scores = vals.map(({ lr, result }) => {
    const b = result.budgets.find((x) => x.budget === budget)!;
    const accuracy = b.accuracy.estimate;
    const meanTokens = b.meanTokens.estimate;
    return { lr, score: rule === 'oaa-auc' ? oaaAuc(samplesAt(result, budget), budget) : accuracy, accuracy, meanTokens };
  });
  // Best score; ties: oaa-auc → smaller lr, accuracy → shorter mean length.
  const best = [...scores].sort((a, b) => b.score - a.score || (rule === 'accuracy' ? a.meanTokens - b.meanTokens : a.lr - b.lr))[0];
  return { lr: best.lr, rule, scores };
}
