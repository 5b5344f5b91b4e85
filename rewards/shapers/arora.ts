/**
 * `arora` — Arora & Zanette 2025 ("Training Language Models to Reason
 * Efficiently"):
 *   r = c · (1 − α · σ((L − μ) / (σ_L + 1e-7)))
 * μ, σ_L = mean and standard deviation of the lengths of the *correct*
 * responses of the same prompt (the group); σ is the logistic sigmoid; α 0.1.
 * A response without EOS (truncated) gets 0. σ_L is the population std
 * (unverified; `unbiasedStd: true` switches to n−1).
 */
import { z } from 'zod';
import { mean, sigmoid, std } from '../util.ts';
import { batchGroups, defineShaper } from './define.ts';

export const arora = defineShaper({
  summary: 'r = c·(1 − α·σ((L − μ_correct)/(σ_correct + 1e-7))), no EOS → 0',
  schema: z.strictObject({
    alpha: z.number().min(0).max(1).default(0.1).describe('α: weight of the sigmoid length penalty (paper 0.1)'),
    unbiasedStd: z.boolean().default(false).describe('σ_L with n−1 instead of n (unverified which the paper uses)'),
  }),
  make: (cfg) => (batch) => {
    const out = new Array<number>(batch.length).fill(0);
    for (const idx of batchGroups(batch).values()) {
      const cl = idx.filter((i) => batch[i].correct).map((i) => batch[i].length);
      if (cl.length === 0) continue; // no correct response: every r = 0
      const mu = mean(cl);
      const sd = std(cl, cfg.unbiasedStd);
      for (const i of idx) {
        const r = batch[i];
        if (!r.correct || r.finish === 'length') continue;
        out[i] = 1 - cfg.alpha * sigmoid((r.length - mu) / (sd + 1e-7));
      }
    }
    return out;
  },
});
