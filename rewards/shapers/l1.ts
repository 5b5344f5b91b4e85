/**
 * L1 / LCPO (Aggarwal & Welleck 2025): the target n_target is drawn per prompt
 * by the `l1` budget policy and stated in the prompt ("Think for N tokens.");
 * it reaches the shaper as `rollout.budget.target`. Both shapers include the
 * correctness term c ∈ {0,1}: use them instead of `correctness`, not with it.
 * A rollout without a target opts out (null) and is counted in
 * `reward/<name>/missing_target`.
 *
 * `l1-exact`: r = c − α·|n_target − L|, α = 3e-4.
 * `l1-max` (as coded): r = c · (clip(α·(n_target − L), −1, 1) + 1) / 2; the
 *   paper's α for this variant is not stated in the paper — the 3e-4 default
 *   is unverified.
 */
import { z } from 'zod';
import type { ScoredRollout, Shaper, ShaperContext } from '../types.ts';
import { clip } from '../util.ts';
import { defineShaper } from './define.ts';

function withTarget(name: string, f: (r: ScoredRollout, target: number) => number): Shaper {
  return (batch, ctx: ShaperContext) => {
    let missing = 0;
    const out = batch.map((r) => {
      if (r.budget.target === undefined) {
        missing++;
        return null;
      }
      return f(r, r.budget.target);
    });
    if (missing > 0) ctx.logMetric(`reward/${name}/missing_target`, missing / batch.length);
    return out;
  };
}

export const l1Exact = defineShaper({
  summary: 'r = c − α·|n_target − L| (α 3e-4)',
  schema: z.strictObject({ alpha: z.number().min(0).default(3e-4).describe('α: reward per token of distance from the target') }),
  make: (cfg) => withTarget('l1-exact', (r, t) => (r.correct ? 1 : 0) - cfg.alpha * Math.abs(t - r.length)),
});

export const l1Max = defineShaper({
  summary: 'r = c · (clip(α·(n_target − L), −1, 1) + 1) / 2',
  schema: z.strictObject({ alpha: z.number().min(0).default(3e-4).describe('α: reward per token of distance from the target') }),
  make: (cfg) => withTarget('l1-max', (r, t) => (r.correct ? 1 : 0) * (clip(cfg.alpha * (t - r.length), -1, 1) + 1) / 2),
});
