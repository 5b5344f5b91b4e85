import { z } from 'zod';

/** `sampling:` — DAPO dynamic sampling (drop zero-variance groups, refill). */
export const SamplingSchema = z.strictObject({
  /** Off by default: plain GRPO keeps every group. DLER/DAPO turn it on. */
  dynamic: z.boolean().default(false),
  /** Cap on extra generation rounds per step when refilling the batch. */
  maxRounds: z.number().int().min(1).default(3),
});
export type SamplingSection = z.infer<typeof SamplingSchema>;
