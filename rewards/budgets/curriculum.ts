/**
 * `curriculum` — curriculum token budgets ("Train Long, Think Short", 2025).
 * The budget B(t) shrinks over training steps t:
 *   exponential: B(t) = max(Bmin, B0 · γ^⌊t/T⌋)
 *   linear:      B(t) = B0 + (Bend − B0) · min(1, t/steps)
 *   cosine:      B(t) = Bend + ½(B0 − Bend)(1 + cos(π · min(1, t/steps)))
 * rounded to whole tokens; B0 = `initial` (256 in the paper), Bmin/Bend =
 * `final`. The decision's `target` is B(t) (what `curriculum-length`
 * measures against) and its `cap` is `cap` if given, else ⌈capFactor · B(t)⌉
 * (2 so that the length term's decay to 2·B(t) is reachable). γ 0.5, T 100,
 * steps 1000, final 64 and capFactor 2 are unverified defaults.
 */
import { z } from 'zod';
import { defineBudgetPolicy, statelessPolicy } from './define.ts';

export const CurriculumScheduleSchema = z.strictObject({
  schedule: z.enum(['exponential', 'linear', 'cosine']).default('exponential').describe('Shape of B(t): exponential step decay, linear or cosine'),
  /** B0: budget at step 0 (paper: 256). */
  initial: z.number().int().positive().default(256).describe('B0: budget at step 0 (paper: 256).'),
  /** Bmin (exponential floor) or Bend (linear/cosine end value). */
  final: z.number().int().positive().default(64).describe('Bmin (exponential floor) or Bend (linear/cosine end value).'),
  /** γ: exponential decay factor per interval. */
  decay: z.number().gt(0).max(1).default(0.5).describe('γ: exponential decay factor per interval.'),
  /** T: steps per exponential decay interval. */
  interval: z.number().int().positive().default(100).describe('T: steps per exponential decay interval.'),
  /** Steps over which linear/cosine go from B0 to Bend. */
  steps: z.number().int().positive().default(1000).describe('Steps over which linear/cosine go from B0 to Bend.'),
});
export type CurriculumSchedule = z.infer<typeof CurriculumScheduleSchema>;

/** B(t) for a schedule (rounded to a whole number of tokens). */
export function curriculumBudget(s: CurriculumSchedule, step: number): number {
  const t = Math.max(0, step);
  switch (s.schedule) {
    case 'exponential':
      return Math.round(Math.max(s.final, s.initial * Math.pow(s.decay, Math.floor(t / s.interval))));
    case 'linear':
      return Math.round(s.initial + (s.final - s.initial) * Math.min(1, t / s.steps));
    case 'cosine':
      return Math.round(s.final + 0.5 * (s.initial - s.final) * (1 + Math.cos(Math.PI * Math.min(1, t / s.steps))));
  }
}

export const curriculum = defineBudgetPolicy({
  summary: 'B(t) = max(Bmin, B0·γ^⌊t/T⌋) | linear | cosine; target B(t), cap capFactor·B(t)',
  schema: CurriculumScheduleSchema.extend({
    /** Absolute cap; default ⌈capFactor · B(t)⌉. */
    cap: z.number().int().positive().optional().describe('Absolute cap; default ⌈capFactor · B(t)⌉.'),
    capFactor: z.number().min(1).default(2).describe('cap = ⌈capFactor · B(t)⌉ when cap is not given'),
  }),
  make: (cfg) =>
    statelessPolicy((_prompt, step) => {
      const b = curriculumBudget(cfg, step);
      return { cap: cfg.cap ?? Math.ceil(cfg.capFactor * b), target: b };
    }),
});
