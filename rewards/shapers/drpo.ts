/**
 * DRPO — Decoupled Reward Policy Optimization (2025): reward side.
 *
 * `drpo-length`: the positive-only length reward r_i = 1 − L_i / Lmax for
 * correct responses; wrong responses opt out (null — DRPO's objective uses no
 * reward for negatives). Lmax defaults to the rollout's cap.
 *
 * DRPO's objective itself is a loss (the `drpo` loss); it weighs the
 * positives with `drpoPositiveWeights` below: inside each prompt's positive set P,
 *   w_i = exp(r_i/λ) / Σ_{j∈P} exp(r_j/λ)      (λ 0.1; λ → ∞: uniform, DisCO).
 */
import { z } from 'zod';
import { softmax } from '../util.ts';
import { defineShaper, maxLengthOf } from './define.ts';

export const drpoLength = defineShaper({
  summary: 'positives only: r = 1 − L/Lmax; wrong → null',
  schema: z.strictObject({
    maxLength: z.number().int().positive().optional().describe('Lmax in tokens; default = the rollout cap'),
  }),
  make: (cfg) => (batch) => batch.map((r) => (r.correct ? 1 - r.length / maxLengthOf(r, cfg.maxLength) : null)),
});

/**
 * Self-normalized weights of one prompt's positives: softmax(r/λ) (λ is the
 * `drpo` loss's `lambda`, default 0.1). λ = Infinity gives uniform weights.
 * Empty input → [].
 */
export function drpoPositiveWeights(lengthRewards: readonly number[], lambda: number): number[] {
  if (lengthRewards.length === 0) return [];
  if (lambda === Infinity) return lengthRewards.map(() => 1 / lengthRewards.length);
  return softmax(lengthRewards, lambda);
}
