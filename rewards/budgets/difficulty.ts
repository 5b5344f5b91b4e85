/**
 * `difficulty` — difficulty-aware DLER budgets. Unverified rule (METHODS.md):
 * estimate each prompt's pass rate from its recent outcomes in the history
 * store; when at least `minSamples` are recorded and the pass rate is
 * ≥ `threshold` (an easy prompt), tighten its cap:
 *   mode `fixed`:    cap = easyCap (default ⌊cap/2⌋)
 *   mode `quantile`: cap = clamp(⌈quantile_q(correct lengths)⌉, minCap, cap)
 * otherwise cap = `cap`. Threshold 0.9, minSamples 8, q 0.5 are unverified.
 */
import { z } from 'zod';
import { defineBudgetPolicy, statelessPolicy } from './define.ts';

export const difficulty = defineBudgetPolicy({
  summary: 'easy prompts (recent pass rate ≥ threshold) get a lower cap',
  schema: z.strictObject({
    cap: z.number().int().positive().default(4000),
    easyCap: z.number().int().positive().optional(),
    threshold: z.number().min(0).max(1).default(0.9),
    minSamples: z.number().int().min(1).default(8),
    mode: z.enum(['fixed', 'quantile']).default('fixed'),
    quantile: z.number().min(0).max(1).default(0.5),
    minCap: z.number().int().positive().default(1),
  }),
  make: (c) =>
    statelessPolicy((prompt, _step, history) => {
      const p = history.passRate(prompt.id);
      if (p === undefined || history.count(prompt.id) < c.minSamples || p < c.threshold) return { cap: c.cap };
      if (c.mode === 'fixed') return { cap: c.easyCap ?? Math.max(c.minCap, Math.floor(c.cap / 2)) };
      const q = history.correctLengthQuantile(prompt.id, c.quantile);
      if (q === undefined) return { cap: c.cap };
      return { cap: Math.min(c.cap, Math.max(c.minCap, Math.ceil(q))) };
    }),
});
