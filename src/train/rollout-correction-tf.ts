/**
 * The rollout-correction weights in tfjs, for the clipped loss: the same
 * formulas as the float64 oracle in ./rollout-correction.ts (see its header),
 * tested equal to it. Old and engine log-probs are constants of the step, so
 * the weights carry no gradient: they multiply the surrogate detached.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { RolloutCorrection } from './rollout-correction.ts';

/** The same weights in tfjs, [B, T] (constants: no gradient reaches the policy through them). */
export function rolloutWeightsTf(cfg: RolloutCorrection, old: tf.Tensor2D, rollout: tf.Tensor2D, mask: tf.Tensor2D): { weights: tf.Tensor2D; capped: tf.Tensor2D } {
  return tf.tidy(() => {
    const on = tf.greater(mask, 0); // [B, T]
    const known = tf.logicalAnd(on, tf.isFinite(rollout)); // [B, T]
    const logR = tf.where(known, tf.sub(old, rollout), tf.zerosLike(old)) as tf.Tensor2D; // [B, T]
    const r = cfg.level === 'sequence' ? tf.exp(tf.sum(logR, 1, true)) : tf.exp(logR); // [B, 1] or [B, T]
    const over = tf.broadcastTo(tf.greater(r, cfg.cap), old.shape); // [B, T]
    const rr = tf.broadcastTo(r, old.shape); // [B, T]
    const w = cfg.mode === 'none' ? tf.onesLike(rr) : cfg.mode === 'tis' ? tf.minimum(rr, cfg.cap) : tf.where(over, tf.zerosLike(rr), rr);
    return {
      weights: tf.where(on, w, tf.onesLike(w)) as tf.Tensor2D,
      capped: tf.cast(tf.logicalAnd(on, over), 'float32') as tf.Tensor2D,
    };
  });
}

/** Weights and loss metrics (tfjs): the clipped loss's hook; `tokens` is the update's token-mean denominator. */
export function rolloutCorrectionTf(
  cfg: RolloutCorrection,
  old: tf.Tensor2D,
  rollout: tf.Tensor2D,
  mask: tf.Tensor2D,
  tokens: number,
): { weights: tf.Tensor2D; metrics: Record<string, tf.Scalar> } {
  const { weights, capped } = rolloutWeightsTf(cfg, old, rollout, mask);
  const tm = (v: tf.Tensor) => (tokens > 0 ? (tf.div(tf.sum(tf.mul(v, mask)), tokens) as tf.Scalar) : tf.scalar(0));
  return { weights, metrics: { 'mismatch/weight_mean': tm(weights), 'mismatch/capped_frac': tm(capped) } };
}

