/**
 * Rollout–trainer mismatch: measuring it, and correcting the policy gradient
 * for it with truncated (TIS) or masked (MIS) importance weights.
 *
 * The rollout engine (llama.cpp f32 or q8_0, a served model) samples from μ, a
 * numerically different copy of π_old — the policy the loss believes produced
 * the samples. The clipped loss's ratio ρ = π_θ/π_old is then not an
 * on-policy ratio, and the gradient is biased towards μ. Every rollout carries
 * the engine's own per-token log-probs, so the trainer can see and correct it.
 *
 * Convention, shared by every engine and the trainer:
 *   engine   log μ(y_t)      = log-prob of the sampled token under the distribution
 *                              the engine drew it from: softmax(logits/T), renormalised
 *                              over the top-p nucleus (the full vocabulary at topP = 1);
 *   trainer  log π_old(y_t)  = the trainer's own forward of the rollout-time weights at
 *                              T = 1, full vocabulary (the policy the loss optimises).
 * At the RL default T = 1, topP = 1 the two differ only by engine numerics
 * (quantisation, F16 KV cache, kernel order). With T ≠ 1 or topP < 1 the
 * sampler is deliberately another policy; the mismatch then includes that
 * change, and the weights correct towards the T = 1 policy (up to the cap).
 *
 * Weights, per row b and loss token t (mask m = 1):
 *   log r_t = log π_old(y_t) − log μ(y_t)        (0 where log μ is unknown: NaN/±∞)
 *   level token:     r = r_t
 *   level sequence:  r = R_b = exp(Σ_t m_t · log r_t), one weight for every token of the row
 *   mode tis:        w = min(r, C)                 (truncated IS)
 *   mode mis:        w = r if r ≤ C, else 0        (masked IS: the token / sequence drops out)
 * The clipped loss multiplies its per-token surrogate (after clipping and dual
 * clip) by w, detached — old and engine log-probs are constants — before
 * aggregation; the KL and entropy terms are not weighted, and a masked token
 * still counts in the token-mean denominator. This is TRL's placement of
 * `importance_sampling_ratio` (vllm_importance_sampling_mode token_truncate |
 * token_mask | sequence_truncate | sequence_mask, cap 3.0) and verl's
 * rollout_correction (rollout_is weights times pg_losses).
 *
 * Step metrics (float64, over every completion token of the trained rows):
 *   mismatch/kl        token mean of k3 = r_t − 1 − log r_t, Schulman's unbiased,
 *                      non-negative estimate of KL(μ ‖ π_old) per token for y ∼ μ;
 *   mismatch/kl_k1     token mean of −log r_t (unbiased, noisier, can be negative);
 *   mismatch/max_ratio max_t r_t;  mismatch/min_ratio min_t r_t;
 *   mismatch/max_seq_ratio max_b R_b.
 * Loss metrics (token means over the update): mismatch/weight_mean (mean w),
 * mismatch/capped_frac (share of loss tokens whose r exceeded C: truncated or masked).
 */
import { z } from 'zod';

export const RolloutCorrectionSchema = z.strictObject({
  /** none = trust the engine as π_old; tis = truncated IS weights; mis = masked IS weights. */
  mode: z.enum(['none', 'tis', 'mis']).default('none'),
  /** token: one ratio per token; sequence: the product over the row (unbiased for the whole sequence, higher variance). */
  level: z.enum(['token', 'sequence']).default('token'),
  /** C: 3.0 is TRL's vllm_importance_sampling_cap default; below 1 it would down-weight on-policy tokens. */
  cap: z.number().min(1).default(3),
});
export type RolloutCorrection = z.infer<typeof RolloutCorrectionSchema>;

/** The active correction of a loss config (null when off or when the loss has none). */
export function activeCorrection(loss: object): RolloutCorrection | null {
  const rc = (loss as { rolloutCorrection?: RolloutCorrection }).rolloutCorrection;
  return rc && rc.mode !== 'none' ? rc : null;
}

/** log r for one token; 0 (no correction) when the engine's log-prob is unknown. */
export function logRatio(old: number, engine: number): number {
  return Number.isFinite(engine) ? old - engine : 0;
}

/** The weight for a ratio r (see the header). */
export function weightOf(cfg: RolloutCorrection, r: number): number {
  if (cfg.mode === 'none') return 1;
  if (cfg.mode === 'tis') return Math.min(r, cfg.cap);
  return r <= cfg.cap ? r : 0;
}

/**
 * Ratios r [B][T] (float64): r_t at token level, R_b on every loss token of
 * row b at sequence level; 1 where mask = 0 (those positions never reach the
 * loss). `rollout[b][t]` is log μ of the token the trainer's `old[b][t]` scores.
 */
export function rolloutRatiosPlain(level: RolloutCorrection['level'], old: number[][], rollout: number[][], mask: number[][]): number[][] {
  return old.map((row, b) => {
    const lr = row.map((o, t) => (mask[b][t] > 0 ? logRatio(o, rollout[b][t]) : 0));
    const R = Math.exp(lr.reduce((a, v) => a + v, 0));
    return row.map((_, t) => (mask[b][t] > 0 ? (level === 'sequence' ? R : Math.exp(lr[t])) : 1));
  });
}

/** Importance weights [B][T] (float64 oracle); 1 where mask = 0. */
export function rolloutWeightsPlain(cfg: RolloutCorrection, old: number[][], rollout: number[][], mask: number[][]): number[][] {
  return rolloutRatiosPlain(cfg.level, old, rollout, mask).map((row, b) => row.map((r, t) => (mask[b][t] > 0 ? weightOf(cfg, r) : 1)));
}

/** Weights and loss metrics (plain): the clipped loss's oracle hook; `tokens` is the update's token-mean denominator. */
export function rolloutCorrectionPlain(
  cfg: RolloutCorrection,
  old: number[][],
  rollout: number[][],
  mask: number[][],
  tokens: number,
): { weights: number[][]; metrics: Record<string, number> } {
  const ratios = rolloutRatiosPlain(cfg.level, old, rollout, mask);
  const weights = ratios.map((row, b) => row.map((r, t) => (mask[b][t] > 0 ? weightOf(cfg, r) : 1)));
  let wSum = 0;
  let capped = 0;
  mask.forEach((row, b) =>
    row.forEach((mk, t) => {
      wSum += mk * weights[b][t];
      capped += mk * (ratios[b][t] > cfg.cap ? 1 : 0);
    }),
  );
  const tm = (v: number) => (tokens > 0 ? v / tokens : 0);
  return { weights, metrics: { 'mismatch/weight_mean': tm(wSum), 'mismatch/capped_frac': tm(capped) } };
}

/**
 * Engine log-probs of a completion, laid out like the trainer's log-probs of
 * the whole row (length len − 1, position t scores token t + 1): completion
 * token k sits at promptLength − 1 + k; prompt positions hold 0. Returns
 * undefined when there is nothing usable (no log-probs, or not one per token,
 * e.g. a served model whose tokens were re-encoded from text).
 */
export function alignRolloutLogProbs(promptLength: number, completionLength: number, logprobs: readonly number[] | undefined): Float32Array | undefined {
  if (!logprobs || logprobs.length !== completionLength || completionLength === 0) return undefined;
  const out = new Float32Array(promptLength + completionLength - 1);
  logprobs.forEach((v, k) => (out[promptLength - 1 + k] = v));
  return out;
}

/** What the mismatch metrics need of a training row. */
export interface MismatchRow {
  tokens: number[];
  promptLength: number;
  old?: Float32Array;
  rollout?: Float32Array;
}

/**
 * Per-step mismatch metrics (see the header) over the rows that carry engine
 * log-probs; {} when none do. `mismatch/rows_without_logprobs` counts the rest.
 */
export function mismatchMetrics(rows: readonly MismatchRow[]): Record<string, number> {
  let n = 0;
  let k3 = 0;
  let k1 = 0;
  let maxR = -Infinity;
  let minR = Infinity;
  let maxSeq = -Infinity;
  let without = 0;
  for (const row of rows) {
    if (!row.rollout || !row.old) {
      without++;
      continue;
    }
    let seq = 0;
    for (let t = row.promptLength - 1; t < row.tokens.length - 1; t++) {
      const e = row.rollout[t];
      if (!Number.isFinite(e)) continue;
      const lr = row.old[t] - e;
      const r = Math.exp(lr);
      k3 += r - 1 - lr;
      k1 -= lr;
      n++;
      seq += lr;
      maxR = Math.max(maxR, r);
      minR = Math.min(minR, r);
    }
    maxSeq = Math.max(maxSeq, Math.exp(seq));
  }
  if (n === 0) return {};
  return {
    'mismatch/kl': k3 / n,
    'mismatch/kl_k1': k1 / n,
    'mismatch/max_ratio': maxR,
    'mismatch/min_ratio': minR,
    'mismatch/max_seq_ratio': maxSeq,
    'mismatch/rows_without_logprobs': without,
  };
}

/** Throws when a correction is on but some rows have no engine log-probs (the weights would silently be 1). */
export function requireRolloutLogProbs(rows: readonly MismatchRow[], engineName: string): void {
  const missing = rows.filter((r) => !r.rollout).length;
  if (missing > 0)
    throw new Error(
      `loss.rolloutCorrection: ${missing} of ${rows.length} rollouts from the "${engineName}" engine carry no per-token log-probs ` +
        `(one per generated token); use the tfjs or llama-cpp engine, or set loss.rolloutCorrection.mode: none`,
    );
}
