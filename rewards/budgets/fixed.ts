/**
 * `fixed` — the same cap (and optional target) for every prompt at every step.
 * With the `dler` shaper this is DLER's "truncation done right": the cap is
 * the penalty. Default cap 4000 tokens (DLER's training cap); scale to the task.
 */
import { z } from 'zod';
import { defineBudgetPolicy, statelessPolicy } from './define.ts';

export const fixed = defineBudgetPolicy({
  summary: 'one cap (and optional target) for all prompts',
  schema: z.strictObject({
    cap: z.number().int().positive().default(4000).describe('Token cap for every prompt (DLER trains at 4000; scale to the task)'),
    target: z.number().int().positive().optional().describe('Optional length target passed to the shapers'),
  }),
  make: (cfg) => statelessPolicy(() => (cfg.target === undefined ? { cap: cfg.cap } : { cap: cfg.cap, target: cfg.target })),
});
