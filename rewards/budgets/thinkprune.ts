/**
 * `thinkprune` — ThinkPrune's staged limits: the cap is tightened stage by
 * stage (paper: 4k → 3k → 2k tokens). Stage k lasts `steps` training steps;
 * the last stage lasts for the rest of training. Stage lengths in the default
 * (100 steps each) are unverified; scale both to the task.
 */
import { z } from 'zod';
import { defineBudgetPolicy, statelessPolicy } from './define.ts';

export const ThinkPruneStageSchema = z.strictObject({
  cap: z.number().int().positive().describe('Token cap during this stage'),
  /** Steps in this stage; omitted on the last stage (= until the end). */
  steps: z.number().int().positive().optional().describe('Steps in this stage; omitted on the last stage (= until the end).'),
});

export function thinkpruneCap(stages: readonly { cap: number; steps?: number }[], step: number): number {
  let start = 0;
  for (let k = 0; k < stages.length - 1; k++) {
    const len = stages[k].steps;
    if (len === undefined || step < start + len) return stages[k].cap;
    start += len;
  }
  return stages[stages.length - 1].cap;
}

export const thinkprune = defineBudgetPolicy({
  summary: 'staged caps (4k → 3k → 2k)',
  schema: z.strictObject({
    stages: z
      .array(ThinkPruneStageSchema)
      .min(1)
      .default([
        { cap: 4000, steps: 100 },
        { cap: 3000, steps: 100 },
        { cap: 2000 },
      ]),
  }),
  make: (cfg) => statelessPolicy((_prompt, step) => ({ cap: thinkpruneCap(cfg.stages, step) })),
});
