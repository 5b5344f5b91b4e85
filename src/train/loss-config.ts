import { z } from 'zod';
import { RolloutCorrectionSchema } from './rollout-correction.ts';

/**
 * Policy-loss settings: the config schema of each loss (without `type`). The
 * recipe's `loss` block is the discriminated union `LossConfigSchema` that the
 * loss registry (`policyLosses`, ./losses.ts) derives from these; the loop
 * calls whichever loss it selects and never branches on the name itself.
 */

/** How per-token terms become one scalar — the knob that decides length bias. */
export const AggregationSchema = z.enum([
  /** DAPO: Σ over all tokens in the batch / number of tokens. */
  'token-mean',
  /** Original GRPO: mean over each sequence's tokens, then over sequences (favours long wrong answers). */
  'seq-mean-token-mean',
  /** Dr. GRPO: Σ over all tokens / constant (batch size × max completion length). */
  'seq-mean-token-sum-norm',
]);
export type Aggregation = z.infer<typeof AggregationSchema>;

export const KlEstimatorSchema = z.enum(['k1', 'k2', 'k3']);
export type KlEstimator = z.infer<typeof KlEstimatorSchema>;

export const ClippedLossSchema = z.strictObject({
  /** Lower clip range: ρ is clipped below at 1 − epsLow (PPO/GRPO default 0.2). */
  epsLow: z.number().min(0).max(1).default(0.2),
  /** Upper clip range: 1 + epsHigh. DAPO "clip-higher" uses 0.28; 0.2 is the symmetric PPO default. */
  epsHigh: z.number().min(0).default(0.2),
  /** Dual clip for A < 0: the objective is bounded below by c·A (verl 3, DLER 10). null = off. */
  dualClip: z.number().gt(1).nullable().default(null),
  /** token-mean is DAPO's and DLER's choice: no per-sequence length bias. */
  aggregation: AggregationSchema.default('token-mean'),
  /**
   * Constant for `seq-mean-token-sum-norm`. null = batch size (sequences in the
   * update) × max completion length, as in Dr. GRPO.
   */
  normConstant: z.number().positive().nullable().default(null),
  /** β of the KL penalty to the frozen reference; 0 disables it and no reference copy is kept. */
  klCoef: z.number().min(0).default(0),
  /** k3 (Schulman's unbiased, non-negative estimator) is the GRPO paper's choice. */
  klEstimator: KlEstimatorSchema.default('k3'),
  /** Entropy bonus coefficient; 0 = off (most length-control recipes leave it off). */
  entropyCoef: z.number().min(0).default(0),
  /** Exclude truncated (finish = length) completions from the loss (DAPO overlong filtering). */
  maskTruncated: z.boolean().default(false),
  /**
   * `token`: ρ per token (PPO/GRPO). `sequence`: GSPO's ρ_i = exp(mean_t
   * log(π_θ/π_old)) over the sequence's loss tokens, the same for all its
   * tokens (TRL's `importance_sampling_level="sequence"`); GSPO's paper clips
   * it at ε 3e-4 / ε_high 4e-4 — set epsLow/epsHigh accordingly.
   */
  importanceLevel: z.enum(['token', 'sequence']).default('token'),
  /**
   * LUSPO (length-unbiased sequence policy optimization): each sequence's
   * clipped objective is multiplied by its length |y_i| (loss tokens), undoing
   * the sequence-level average's bias towards short answers. The exact
   * normalisation of the paper is unverified; aggregation applies after it.
   */
  lengthUnbiased: z.boolean().default(false),
  /** Rollout–trainer mismatch correction (TIS/MIS weights on the surrogate); off by default: see rollout-correction.ts. */
  rolloutCorrection: RolloutCorrectionSchema.prefault({}),
});
export type ClippedLossConfig = z.infer<typeof ClippedLossSchema>;

export const DrpoLossSchema = z.strictObject({
  /** Temperature of the positive weights w_i = softmax(r_i/λ) over the correct answers (paper 0.1; ∞ → DisCO's uniform weights). */
  lambda: z.number().positive().default(0.1),
  /** τ of the negatives' log-sum-exp: larger τ is closer to a plain mean of negative scores (paper 10). */
  tau: z.number().positive().default(10),
  /** β of the trust-region penalty stopgrad(max(β(KL − δ), 0))·KL (paper 1e3). */
  beta: z.number().min(0).default(1e3),
  /** δ, the KL(old‖θ) the trust region tolerates for free (paper 1e-4). */
  delta: z.number().min(0).default(1e-4),
  /**
   * Estimator of KL(old‖θ) per token in the trust-region term, token-mean over
   * the update (k1 is unbiased under samples from old). Logged as
   * `drpo/tr_kl`; the `kl/old` metric is k3 for every loss (see `klOldMetric`).
   */
  klEstimator: KlEstimatorSchema.default('k1'),
  /** Exclude truncated completions from both sides of every group. */
  maskTruncated: z.boolean().default(false),
});
export type DrpoLossConfig = z.infer<typeof DrpoLossSchema>;
