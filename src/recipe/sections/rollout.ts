import { z } from 'zod';

/** `rollout:` — how training samples are generated. */
export const RolloutSchema = z.strictObject({
  /** `auto` picks the fastest available engine for the model size (see src/rollout). */
  engine: z.enum(['auto', 'tfjs', 'llama-cpp', 'openai']).default('auto'),
  /** Samples per prompt (group size). 8 is GRPO's common default; DLER uses 16. */
  n: z.number().int().min(2).default(8),
  /** 1 = sample from the policy itself (on-policy RL). */
  temperature: z.number().min(0).default(1),
  /** 1 = off: no hidden truncation of the distribution. */
  topP: z.number().gt(0).max(1).default(1),
  /** Hard cap on completion tokens; budget policies cap below it. */
  maxTokens: z.number().int().positive().default(256),
  /**
   * GGUF weight type of the `llama-cpp` engine. f32 samples the trainer's policy to ~1e-6;
   * q8_0 is faster on larger models but samples a slightly different one — watch
   * `mismatch/kl` and consider `loss.rolloutCorrection` (docs/training.md).
   */
  llamaDtype: z.enum(['f32', 'f16', 'q8_0']).default('f32'),
  /** Server URL for the `openai` engine. */
  url: z.string().url().optional(),
});
export type RolloutSection = z.infer<typeof RolloutSchema>;
