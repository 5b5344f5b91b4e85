/**
 * `thinkprune` — ThinkPrune (Hou et al. 2025): r = c only if the response
 * finished (stop token) within the stage limit, else 0. The limit is the
 * rollout's cap, which the `thinkprune` budget policy tightens stage by stage
 * (4k → 3k → 2k in the paper); `limit` overrides it.
 */
import { z } from 'zod';
import { defineShaper, maxLengthOf } from './define.ts';

export const thinkprune = defineShaper({
  summary: 'r = c if finished within the stage limit, else 0',
  schema: z.strictObject({
    /** Stage limit in tokens; default = the rollout's cap. */
    limit: z.number().int().positive().optional().describe('Stage limit in tokens; default = the rollout\'s cap.'),
    correct: z.number().default(1).describe('Reward of a correct answer finished within the limit'),
    wrong: z.number().default(0).describe('Reward otherwise'),
  }),
  make: (cfg) => (batch) =>
    batch.map((r) =>
      r.correct && r.finish === 'stop' && r.length <= maxLengthOf(r, cfg.limit) ? cfg.correct : cfg.wrong,
    ),
});
