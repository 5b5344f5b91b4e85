/**
 * Per-problem evaluation records: the raw material every statistic is
 * computed from, saved in eval JSON so A/B comparisons can pair arms on the
 * same problems later without re-generating.
 */
export interface ProblemRecord {
  id: string;
  difficulty?: number;
  /** Samples drawn for this problem at this budget. */
  samples: number;
  /** How many of them the verifier accepted. */
  correct: number;
  /** Σ tokens over all samples (thinking + forced answer). */
  tokens: number;
  /** Σ tokens over the correct samples. */
  tokensCorrect: number;
  /** Samples that hit the budget and had their answer forced. */
  truncated: number;
  /** Thinking models: Σ generated tokens inside `<think>` blocks (tokens − this = answer tokens). */
  thinkingTokens?: number;
  /**
   * Σ over the correct samples of max(0, 1 − tokens/budget): the share of the
   * budget each correct answer left unused. Mean over samples = OptimalThinkingBench's
   * OAA AUC at t_max = the budget (src/eval/stats.ts `oaaAuc`). Present when the budget is known.
   */
  oaaCredit?: number;
}

/** One sample, before aggregation. */
export interface SampleOutcome {
  correct: boolean;
  tokens: number;
  truncated: boolean;
  thinkingTokens?: number;
}

export function toRecord(id: string, difficulty: number | undefined, outcomes: readonly SampleOutcome[], budget?: number): ProblemRecord {
  const r: ProblemRecord = { id, samples: outcomes.length, correct: 0, tokens: 0, tokensCorrect: 0, truncated: 0 };
  if (budget !== undefined) r.oaaCredit = 0;
  if (difficulty !== undefined) r.difficulty = difficulty;
  for (const o of outcomes) {
    r.tokens += o.tokens;
    if (o.correct) {
      r.correct++;
      r.tokensCorrect += o.tokens;
      if (budget !== undefined) r.oaaCredit! += Math.max(0, 1 - o.tokens / budget);
    }
    if (o.truncated) r.truncated++;
    if (o.thinkingTokens !== undefined) r.thinkingTokens = (r.thinkingTokens ?? 0) + o.thinkingTokens;
  }
  return r;
}
