/**
 * `surrogate` — label-free format + length reward ("Surrogate signals from
 * format and length", 2025). Uses no correctness. Format reward from the
 * start; from `lengthStartStep` on, add a length term that penalizes answers
 * that are too long *and* too short. The exact term is unverified; implemented
 * reading, with B = the rollout's target (else cap), lo = low·B, hi = high·B:
 *   term = 1                         if lo ≤ L ≤ hi
 *        = L / lo                    if L < lo
 *        = max(0, 1 − (L − hi)/hi)   if L > hi
 *   r = (all format flags ? formatReward : 0) + [step ≥ lengthStartStep] · lengthWeight · term
 * Truncated responses get no length term.
 */
import { z } from 'zod';
import { defineShaper } from './define.ts';

export function surrogateLengthTerm(length: number, lo: number, hi: number): number {
  if (length < lo) return length / lo;
  if (length <= hi) return 1;
  return Math.max(0, 1 - (length - hi) / hi);
}

export const surrogate = defineShaper({
  summary: 'label-free: format reward, then + length term penalizing too long and too short',
  schema: z.strictObject({
      /** Format flags to require; empty = all flags the rollout carries. */
      flags: z.array(z.string()).default([]).describe('Format flags to require; empty = all flags the rollout carries.'),
      formatReward: z.number().default(1).describe('Reward when every required format flag holds'),
      /** Step from which the length term is added ("format early, then length"). */
      lengthStartStep: z.number().int().min(0).default(50).describe('Step from which the length term is added ("format early, then length").'),
      lengthWeight: z.number().default(1).describe('Weight of the length term once it is on'),
      /** Band [low·B, high·B] that earns the full length term (unverified defaults). */
      low: z.number().min(0).default(0.1).describe('Band [low·B, high·B] that earns the full length term (unverified defaults).'),
      high: z.number().gt(0).default(0.75).describe('Upper edge of the band, as a fraction of the budget'),
  }),
  make: (cfg) => {
    if (!(cfg.low < cfg.high)) throw new Error(`surrogate: low (${cfg.low}) must be < high (${cfg.high}): the band is [low·B, high·B]`);
    return (batch, ctx) => batch.map((r) => {
      const keys = cfg.flags.length > 0 ? cfg.flags : Object.keys(r.format);
      const fmt = keys.length > 0 && keys.every((k) => r.format[k] === true) ? cfg.formatReward : 0;
      if (ctx.step < cfg.lengthStartStep || r.finish === 'length') return fmt;
      const b = r.budget.target ?? r.budget.cap;
      return fmt + cfg.lengthWeight * surrogateLengthTerm(r.length, cfg.low * b, cfg.high * b);
    });
  },
});
