/**
 * `cosine` — cosine length reward (Yeo et al. 2025, "Demystifying Long CoT"):
 *   r = v_lo + ½(v_hi − v_lo)(1 + cos(π L / Lmax))
 * so r = v_hi at L = 0 and v_lo at L = Lmax. Correct answers use
 * (v_hi, v_lo) = (2, 1): shorter is better. Wrong answers use (−10, 0): a short
 * wrong answer is punished more than a long one (keep thinking when unsure).
 * Any response with L + exceedMargin ≥ Lmax gets `exceedPenalty` (−10; margin
 * 16, the paper's values). Lmax defaults to the rollout's cap.
 */
import { z } from 'zod';
import { defineShaper, maxLengthOf } from './define.ts';

export function cosineInterp(length: number, maxLength: number, atZero: number, atMax: number): number {
  return atMax + 0.5 * (atZero - atMax) * (1 + Math.cos((Math.PI * Math.min(length, maxLength)) / maxLength));
}

export const cosine = defineShaper({
  summary: 'r = v_lo + ½(v_hi − v_lo)(1 + cos(πL/Lmax)); correct 2→1, wrong −10→0, −10 if L+16 ≥ Lmax',
  schema: z.strictObject({
    maxLength: z.number().int().positive().optional().describe('Lmax in tokens; default = the rollout cap'),
    /** Correct answer of length 0 / of length Lmax. */
    correctAtZero: z.number().default(2).describe('Correct answer of length 0 / of length Lmax.'),
    correctAtMax: z.number().default(1).describe('Reward of a correct answer of length Lmax'),
    /** Wrong answer of length 0 / of length Lmax. */
    wrongAtZero: z.number().default(-10).describe('Wrong answer of length 0 / of length Lmax.'),
    wrongAtMax: z.number().default(0).describe('Reward of a wrong answer of length Lmax'),
    exceedPenalty: z.number().default(-10).describe('Reward when L + exceedMargin ≥ Lmax'),
    exceedMargin: z.number().int().min(0).default(16).describe('Tokens before Lmax at which exceedPenalty applies'),
  }),
  make: (cfg) => (batch) =>
    batch.map((r) => {
      const lmax = maxLengthOf(r, cfg.maxLength);
      if (r.length + cfg.exceedMargin >= lmax) return cfg.exceedPenalty;
      return r.correct
        ? cosineInterp(r.length, lmax, cfg.correctAtZero, cfg.correctAtMax)
        : cosineInterp(r.length, lmax, cfg.wrongAtZero, cfg.wrongAtMax);
    }),
});
