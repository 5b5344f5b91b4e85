/**
 * Metrics of one budget from per-problem records (pure; used by evaluate(),
 * A/B comparisons and reports alike). Problems are the bootstrap unit.
 */
import type { ProblemRecord } from './records.ts';
import {
  DEFAULT_AES, accuracyPer1k, aes, bootstrapIndices, bootstrapRatioCI, lengthReduction, passAtK,
} from './stats.ts';
import type { AesWeights, BootstrapOptions, Interval } from './stats.ts';

export interface BudgetSummary {
  budget: number;
  problems: number;
  samples: number;
  /** Fraction of samples correct (= mean over problems of per-problem accuracy when samples are equal). */
  accuracy: Interval;
  meanTokens: Interval;
  meanTokensCorrect: Interval;
  meanTokensWrong: Interval;
  truncationRate: Interval;
  /**
   * Thinking models only (every record carries `thinkingTokens`): mean
   * generated tokens per sample inside the `<think>` block, and after it
   * (answer = tokens − thinking, so the two add up to `meanTokens`). Absent
   * for non-thinking models.
   */
  meanThinkingTokens?: Interval;
  meanAnswerTokens?: Interval;
  /**
   * OptimalThinkingBench's accuracy under a token threshold, integrated over
   * t ∈ [0, budget] and normalised: mean over samples of c·max(0, 1 − tokens/budget).
   * Absent for records written before it existed.
   */
  oaaAuc?: Interval;
  /** Unbiased pass@k averaged over problems, for each k ≤ samples per problem. */
  passAtK: Record<string, number>;
  accuracyPer1k: number;
  /** Present when a base was given: its name and the comparisons against it at the same budget. */
  vsBase?: { base: string; lengthReduction: number; accuracyDelta: number; aes: number };
}

export interface DifficultySummary {
  difficulty: number;
  problems: number;
  accuracy: number;
  meanTokens: number;
  truncationRate: number;
}

function sums(recs: readonly ProblemRecord[], idx: readonly number[], f: (r: ProblemRecord) => number, g: (r: ProblemRecord) => number): number {
  let a = 0;
  let b = 0;
  for (const i of idx) {
    a += f(recs[i]);
    b += g(recs[i]);
  }
  return b === 0 ? NaN : a / b;
}

export interface SummarizeOptions {
  passK?: readonly number[];
  bootstrap?: BootstrapOptions;
  base?: { name: string; accuracy: number; meanTokens: number };
  aes?: AesWeights;
}

export function summarizeBudget(budget: number, recs: readonly ProblemRecord[], o: SummarizeOptions = {}): BudgetSummary {
  const ratio = (f: (r: ProblemRecord) => number, g: (r: ProblemRecord) => number): Interval =>
    bootstrapIndices(recs.length, (idx) => sums(recs, idx, f, g), o.bootstrap);
  const accuracy = ratio((r) => r.correct, (r) => r.samples);
  const meanTokens = ratio((r) => r.tokens, (r) => r.samples);
  const samples = recs.reduce((s, r) => s + r.samples, 0);
  const minSamples = recs.length ? Math.min(...recs.map((r) => r.samples)) : 0;
  const pk: Record<string, number> = {};
  for (const k of o.passK ?? [1]) {
    if (k <= minSamples) pk[String(k)] = recs.reduce((s, r) => s + passAtK(r.samples, r.correct, k), 0) / recs.length;
  }
  const out: BudgetSummary = {
    budget,
    problems: recs.length,
    samples,
    accuracy,
    meanTokens,
    meanTokensCorrect: bootstrapRatioCI(recs.map((r) => r.tokensCorrect), recs.map((r) => r.correct), o.bootstrap),
    meanTokensWrong: bootstrapRatioCI(recs.map((r) => r.tokens - r.tokensCorrect), recs.map((r) => r.samples - r.correct), o.bootstrap),
    truncationRate: ratio((r) => r.truncated, (r) => r.samples),
    passAtK: pk,
    accuracyPer1k: accuracyPer1k(accuracy.estimate, meanTokens.estimate),
  };
  if (recs.length > 0 && recs.every((r) => r.oaaCredit !== undefined)) out.oaaAuc = ratio((r) => r.oaaCredit!, (r) => r.samples);
  if (recs.length > 0 && recs.every((r) => r.thinkingTokens !== undefined)) {
    out.meanThinkingTokens = ratio((r) => r.thinkingTokens!, (r) => r.samples);
    out.meanAnswerTokens = ratio((r) => r.tokens - r.thinkingTokens!, (r) => r.samples);
  }
  if (o.base) {
    const run = { accuracy: accuracy.estimate, meanTokens: meanTokens.estimate };
    out.vsBase = {
      base: o.base.name,
      lengthReduction: lengthReduction(o.base.meanTokens, run.meanTokens),
      accuracyDelta: run.accuracy - o.base.accuracy,
      aes: aes(run, o.base, o.aes ?? DEFAULT_AES),
    };
  }
  return out;
}

/** Accuracy, mean tokens and truncation per difficulty level (problems without a level are skipped). */
export function byDifficulty(recs: readonly ProblemRecord[]): DifficultySummary[] {
  const levels = [...new Set(recs.map((r) => r.difficulty).filter((d): d is number => d !== undefined))].sort((a, b) => a - b);
  return levels.map((d) => {
    const rs = recs.filter((r) => r.difficulty === d);
    const n = rs.reduce((s, r) => s + r.samples, 0);
    return {
      difficulty: d,
      problems: rs.length,
      accuracy: rs.reduce((s, r) => s + r.correct, 0) / n,
      meanTokens: rs.reduce((s, r) => s + r.tokens, 0) / n,
      truncationRate: rs.reduce((s, r) => s + r.truncated, 0) / n,
    };
  });
}
