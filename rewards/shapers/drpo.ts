/**
 * DRPO — Decoupled Reward Policy Optimization (2025): reward side.
 *
 * `drpo-length`: the positive-only length reward r_i = 1 − L_i / Lmax for
 * correct responses; wrong responses opt out (null — DRPO's objective uses no
 * reward for negatives). Lmax defaults to the rollout's cap.
 *
 * DRPO's objective itself is a loss (`src/train/`); the helpers below compute
 * its weights on plain arrays: inside each prompt's positive set P,
 *   w_i = exp(r_i/λ) / Σ_{j∈P} exp(r_j/λ)      (λ 0.1; λ → ∞: uniform, DisCO)
 * and prompts with an empty positive or negative side are skipped (but still
 * counted in the mean over prompts).
 */
import { z } from 'zod';
import { groupIndices, softmax } from '../util.ts';
import { defineShaper, maxLengthOf } from './define.ts';

export const drpoLength = defineShaper({
  summary: 'positives only: r = 1 − L/Lmax; wrong → null',
  schema: z.strictObject({
    maxLength: z.number().int().positive().optional().describe('Lmax in tokens; default = the rollout cap'),
  }),
  make: (c) => (batch) => batch.map((r) => (r.correct ? 1 - r.length / maxLengthOf(r, c.maxLength) : null)),
});

/** DRPO defaults (METHODS.md): λ 0.1, τ 10, β 1e3, δ 1e-4. */
export const DRPO_DEFAULTS = { lambda: 0.1, tau: 10, beta: 1e3, delta: 1e-4 } as const;

/**
 * Self-normalized weights of one prompt's positives: softmax(r/λ).
 * λ = Infinity gives uniform weights. Empty input → [].
 */
export function drpoPositiveWeights(lengthRewards: readonly number[], lambda: number = DRPO_DEFAULTS.lambda): number[] {
  if (lengthRewards.length === 0) return [];
  if (lambda === Infinity) return lengthRewards.map(() => 1 / lengthRewards.length);
  return softmax(lengthRewards, lambda);
}

export interface DrpoWeights {
  /** Per rollout: w_i for positives of a used prompt, 0 otherwise. */
  weights: number[];
  /** Per rollout: whether it is a negative of a used prompt (enters the log-sum-exp). */
  negative: boolean[];
  /** Per group id (first-appearance order): whether the prompt is used (both sides non-empty). */
  groupUsed: Map<number | string, boolean>;
  /** Number of prompts (groups); the objective is averaged over all of them. */
  numGroups: number;
}

/**
 * Per-rollout DRPO weights over a batch. `rewards` are the positives' length
 * rewards (entries of negatives are ignored, may be null).
 */
export function drpoGroupWeights(
  rewards: readonly (number | null)[],
  correct: readonly boolean[],
  groupIds: readonly (number | string)[],
  lambda: number = DRPO_DEFAULTS.lambda,
): DrpoWeights {
  const weights = new Array<number>(rewards.length).fill(0);
  const negative = new Array<boolean>(rewards.length).fill(false);
  const groupUsed = new Map<number | string, boolean>();
  const groups = groupIndices(groupIds);
  for (const [g, idx] of groups) {
    const pos = idx.filter((i) => correct[i]);
    const neg = idx.filter((i) => !correct[i]);
    const used = pos.length > 0 && neg.length > 0;
    groupUsed.set(g, used);
    if (!used) continue;
    const w = drpoPositiveWeights(pos.map((i) => rewards[i] ?? 0), lambda);
    pos.forEach((i, k) => (weights[i] = w[k]));
    for (const i of neg) negative[i] = true;
  }
  return { weights, negative, groupUsed, numGroups: groups.size };
}
