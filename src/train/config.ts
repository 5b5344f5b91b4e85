import { z } from 'zod';

/**
 * `train:` — the optimisation side of a recipe (the RL step loop's own
 * settings). Rollout, sampling filter, loss, advantage, rewards and budget
 * live in their own recipe sections; `TrainerSpec` in ./loop.ts gathers them.
 */
export const TrainConfigSchema = z.strictObject({
  /** RL steps (one step = one rollout batch and its updates). */
  steps: z.number().int().positive().default(100),
  /** Prompts (groups) per RL step, each sampled rollout.n times. */
  promptsPerStep: z.number().int().positive().default(16),
  /** Peak AdamW learning rate. 1e-4 suits the shipped ~1M-param models; large pretrained models want ~1e-6. */
  lr: z.number().positive().default(1e-4),
  schedule: z
    .strictObject({
      /** Linear warmup over this many optimizer updates. */
      warmupSteps: z.number().int().min(0).default(0),
      /** After warmup: cosine to lr × minLrRatio at the last update, or constant. */
      decay: z.enum(['cosine', 'constant']).default('cosine'),
      minLrRatio: z.number().min(0).max(1).default(0.1),
    })
    .prefault({}),
  /** Optimizer passes over each rollout batch (PPO epochs); 1 = strictly on-policy. */
  epochs: z.number().int().positive().default(1),
  /** Optimizer updates per epoch (the batch is split into this many minibatches). */
  minibatches: z.number().int().positive().default(1),
  /** Sequences per forward/backward; gradients accumulate over micro-batches. null = the decoder's memory-safe choice. */
  microBatchSize: z.number().int().positive().nullable().default(null),
  /** Seed of prompt order, rollout seeds and minibatch shuffles. */
  seed: z.number().int().default(0),
  /** Save a checkpoint every k steps (0 = only at the end and on SIGINT/SIGTERM). */
  checkpointEvery: z.number().int().min(0).default(50),
  /** Checkpoints kept on disk (oldest deleted first); the latest is always kept. */
  keepCheckpoints: z.number().int().min(1).default(2),
  optimizer: z
    .strictObject({
      /** AdamW β1, β2; 0.999 is PyTorch's default, RL fine-tuning often uses 0.95–0.999. */
      betas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]).default([0.9, 0.999]),
      eps: z.number().positive().default(1e-8),
      /** Decoupled weight decay on matrices (not norms or biases). verl's default. */
      weightDecay: z.number().min(0).default(0.01),
      /** Global gradient-norm clip; null = off. 1.0 is the verl/TRL default. */
      gradClip: z.number().positive().nullable().default(1.0),
    })
    .prefault({}),
  /** Stop after this many consecutive non-finite (NaN/Inf) losses or gradients; each one skips its update. */
  maxNonFinite: z.number().int().positive().default(3),
});
export type TrainConfig = z.infer<typeof TrainConfigSchema>;
export type TrainConfigInput = z.input<typeof TrainConfigSchema>;
