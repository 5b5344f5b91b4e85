import { z } from 'zod';

/** `eval:` — the accuracy–tokens curve measured before, during and after training. */
export const EvalSchema = z.strictObject({
  /** Token budgets of the curve (budget forcing at each). */
  budgets: z.array(z.number().int().positive()).min(1).default([16, 32, 64, 128, 256]),
  /** Evaluate every k training steps; 0 = only before and after. */
  every: z.number().int().min(0).default(0),
  /** Held-out problems used (a fixed prefix of the test split, the same for every arm). */
  testSize: z.number().int().positive().default(200),
  /** Samples per problem: pass@k needs n ≥ k. */
  samplesPerProblem: z.number().int().positive().default(1),
  /** Sampling temperature for evaluation (1 = the policy as trained). */
  temperature: z.number().min(0).default(1),
  /** k values for unbiased pass@k. */
  passK: z.array(z.number().int().positive()).default([1]),
  /** Tokens allowed after the forced answer trigger. */
  answerTokens: z.number().int().positive().default(8),
  /** Seed for evaluation sampling and bootstrap resampling. */
  seed: z.number().int().default(0),
  /** Bootstrap resamples for confidence intervals. */
  bootstrap: z.number().int().min(100).default(1000),
  /** AES weights (O1-Pruner): α·ΔL ± β/γ·|ΔAcc|. */
  aes: z.strictObject({ alpha: z.number().default(1), beta: z.number().default(3), gamma: z.number().default(5) }).default({ alpha: 1, beta: 3, gamma: 5 }),
});
export type EvalSection = z.infer<typeof EvalSchema>;
