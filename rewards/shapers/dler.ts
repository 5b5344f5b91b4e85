/**
 * `dler` — DLER truncation reward (Doing Length pEnalty Right, NVIDIA 2025).
 *
 * The penalty is the cap itself: generation stops at the budget B and a
 * response that did not finish gets no credit. Paper rule: r = c for finished
 * responses, 0 for truncated ones (`truncatedMultiplier: 0`). DLER's public
 * code instead multiplies the reward of truncated samples by 0.1 (a truncated
 * response can still be correct when its final answer came before the cap),
 * which is the default here:
 *   r = (c ? correct : wrong) · (finish = length ? truncatedMultiplier : 1)
 * Pair with the `batch-norm` advantage (correctBoost 0.1), ε_high 0.28 and
 * dynamic sampling to get the full DLER recipe.
 */
import { z } from 'zod';
import { defineShaper } from './define.ts';

export const dler = defineShaper({
  summary: 'r = c, truncated responses × truncatedMultiplier (0.1 public code; 0 = paper)',
  schema: z.strictObject({
    correct: z.number().default(1).describe('Reward of a correct answer'),
    wrong: z.number().default(0).describe('Reward of a wrong answer'),
    /** Multiplier on the reward of truncated (`finish: length`) samples; 0.1 as in DLER's code. */
    truncatedMultiplier: z.number().default(0.1).describe('Multiplier on the reward of truncated (`finish: length`) samples; 0.1 as in DLER\'s code.'),
  }),
  make: (cfg) => (batch) =>
    batch.map((r) => (r.correct ? cfg.correct : cfg.wrong) * (r.finish === 'length' ? cfg.truncatedMultiplier : 1)),
});
