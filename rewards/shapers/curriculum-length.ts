/**
 * `curriculum-length` — the length term of curriculum token budgets ("Train
 * Long, Think Short", 2025). The paper's exact term and weights are
 * unverified; implemented reading: with B = B(t), the budget in force
 * (`rollout.budget.target`, else its cap, as set by the `curriculum` budget
 * policy)
 *   term = 1                   if L ≤ B
 *        = (2B − L) / B        if B < L < 2B   (linear decay)
 *        = 0                   if L ≥ 2B
 * The full reward is correctness + this term + a format term, each a shaper
 * weighted in the recipe. `onlyCorrect: true` gives wrong answers 0 instead
 * (not in the stated reading; default false).
 */
import { z } from 'zod';
import { clip } from '../util.ts';
import { defineShaper } from './define.ts';

export function curriculumLengthTerm(length: number, budget: number): number {
  return clip((2 * budget - length) / budget, 0, 1);
}

export const curriculumLength = defineShaper({
  summary: '1 if L ≤ B(t), linear to 0 at 2·B(t)',
  schema: z.strictObject({
    onlyCorrect: z.boolean().default(false).describe('Give wrong answers 0 instead of the length term'),
  }),
  make: (cfg) => (batch) =>
    batch.map((r) =>
      cfg.onlyCorrect && !r.correct ? 0 : curriculumLengthTerm(r.length, r.budget.target ?? r.budget.cap),
    ),
});
