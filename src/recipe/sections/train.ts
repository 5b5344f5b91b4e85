import { z } from 'zod';

/** PROVISIONAL `train:` until src/train/config.ts lands (the trainer's TrainConfig). */
export const TrainSchema = z.strictObject({
  steps: z.number().int().positive().default(100),
  /** Prompts per RL step (× rollout.n samples). */
  promptsPerStep: z.number().int().positive().default(16),
  lr: z.number().positive().default(1e-4),
  schedule: z
    .strictObject({
      warmupSteps: z.number().int().min(0).default(0),
      decay: z.enum(['cosine', 'constant']).default('cosine'),
      minLrRatio: z.number().min(0).max(1).default(0.1),
    })
    .default({ warmupSteps: 0, decay: 'cosine', minLrRatio: 0.1 }),
  epochs: z.number().int().positive().default(1),
  minibatches: z.number().int().positive().default(1),
  seed: z.number().int().default(0),
  checkpointEvery: z.number().int().min(0).default(50),
});
