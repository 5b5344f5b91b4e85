/**
 * `kimi` — Kimi k1.5 length reward, over each group:
 *   λ_i = 0.5 − (L_i − L_min) / (L_max − L_min)
 *   r_i = λ_i if correct, min(0, λ_i) if wrong; 0 for all when L_max = L_min.
 * L_min/L_max are over all responses of the group (correct or not). This is
 * the length *term*; combine it with `correctness` in the recipe (Kimi adds it
 * to the 0/1 reward with a weight).
 */
import { z } from 'zod';
import type { ScoredRollout } from '../types.ts';
import { batchGroups, defineShaper } from './define.ts';

/** Kimi length terms for the rollouts at `idx` (one group). */
export function kimiGroupTerms(batch: readonly ScoredRollout[], idx: readonly number[]): number[] {
  const ls = idx.map((i) => batch[i].length);
  const lo = Math.min(...ls);
  const hi = Math.max(...ls);
  return idx.map((i) => {
    if (hi === lo) return 0; // equal lengths: no signal (avoids 0/0)
    const lambda = 0.5 - (batch[i].length - lo) / (hi - lo);
    return batch[i].correct ? lambda : Math.min(0, lambda);
  });
}

export const kimi = defineShaper({
  summary: 'λ = 0.5 − (L−Lmin)/(Lmax−Lmin) over the group; r = λ if correct else min(0, λ)',
  schema: z.strictObject({}),
  make: () => (batch) => {
    const out = new Array<number>(batch.length).fill(0);
    for (const idx of batchGroups(batch).values()) {
      kimiGroupTerms(batch, idx).forEach((v, k) => (out[idx[k]] = v));
    }
    return out;
  },
});
