/**
 * `dapo-overlong` — DAPO soft overlong punishment, with cap Lmax and buffer Lc:
 *   0                      if L ≤ Lmax − Lc
 *   (Lmax − Lc − L) / Lc   if Lmax − Lc < L ≤ Lmax
 *   −1                     if L > Lmax
 * multiplied by `penaltyFactor` (verl's overlong_penalty_factor, 1).
 * Lmax 100, Lc 20 → L = 50: 0, 90: −0.5, 110: −1. Lmax defaults to the
 * rollout's cap; Lc to `bufferFraction`·Lmax (DAPO: 4096 of 20480 = 0.2).
 */
import { z } from 'zod';
import { defineShaper, maxLengthOf } from './define.ts';

/** The DAPO soft overlong penalty for one length (before `penaltyFactor`). */
export function softOverlongPenalty(length: number, maxLength: number, buffer: number): number {
  const expected = maxLength - buffer;
  if (length <= expected) return 0;
  if (length <= maxLength) return (expected - length) / buffer;
  return -1;
}

export const dapoOverlong = defineShaper({
  summary: 'r = 0 | (Lmax−Lc−L)/Lc | −1 (soft overlong punishment)',
  schema: z.strictObject({
    /** Lmax in tokens; default = the rollout's cap. */
    maxLength: z.number().int().positive().optional().describe('Lmax in tokens; default = the rollout\'s cap.'),
    /** Lc in tokens; default = bufferFraction · Lmax. */
    buffer: z.number().positive().optional().describe('Lc in tokens; default = bufferFraction · Lmax.'),
    /** Lc as a fraction of Lmax when `buffer` is not given (DAPO: 4096/20480). */
    bufferFraction: z.number().gt(0).max(1).default(0.2).describe('Lc as a fraction of Lmax when `buffer` is not given (DAPO: 4096/20480).'),
    penaltyFactor: z.number().default(1).describe('Multiplier on the penalty (verl overlong_penalty_factor)'),
  }),
  make: (cfg) => (batch) =>
    batch.map((r) => {
      const lmax = maxLengthOf(r, cfg.maxLength);
      const lc = cfg.buffer ?? cfg.bufferFraction * lmax;
      return cfg.penaltyFactor * softOverlongPenalty(r.length, lmax, lc);
    }),
});
