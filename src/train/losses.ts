/**
 * Policy losses in TensorFlow.js, differentiable w.r.t. `logProbs` (and so the
 * policy). Each mirrors a plain-array oracle in ./losses-plain.ts line for line
 * and is tested equal to it; the formulas are in the oracle's doc comments.
 *
 * Inputs: logProbs / oldLogProbs / refLogProbs / mask / entropy are [B, T]
 * (row b, position t = the log-prob of token t+1; mask 1 on completion tokens),
 * advantages [B] or [B, T]; per-sequence metadata as plain arrays.
 * The loop picks a loss through the registry `policyLosses` — never by name.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { z } from 'zod';
import '../model/tf-gradients.ts';
import { drpoPositiveWeights } from '../../rewards/shapers/drpo.ts';
import { defineRegistry } from '../util/registry.ts';
import { ClippedLossSchema, DrpoLossSchema, type Aggregation, type ClippedLossConfig, type DrpoLossConfig, type KlEstimator } from './loss-config.ts';
import type { LossNormalizers } from './loss-normalizers.ts';
import { rolloutCorrectionTf } from './rollout-correction-tf.ts';

export interface LossInput {
  logProbs: tf.Tensor2D;
  oldLogProbs: tf.Tensor2D;
  refLogProbs?: tf.Tensor2D;
  /** The rollout engine's log-probs (needed when the loss's rolloutCorrection is on). */
  rolloutLogProbs?: tf.Tensor2D;
  mask: tf.Tensor2D;
  advantages?: tf.Tensor1D | tf.Tensor2D;
  entropy?: tf.Tensor2D;
  truncated?: boolean[];
  groups?: number[];
  correct?: boolean[];
  rewards?: number[];
  maxCompletionLength?: number;
  norm?: Partial<LossNormalizers>;
}

export interface TensorLossOutput {
  loss: tf.Scalar;
  metrics: Record<string, tf.Scalar>;
}

/** The mask with truncated rows zeroed when `maskTruncated` is on. */
export function effectiveMask(mask: tf.Tensor2D, truncated: boolean[] | undefined, maskTruncated: boolean): tf.Tensor2D {
  if (!maskTruncated || !truncated?.some((t) => t)) return mask;
  const keep = tf.tensor2d(truncated.map((t) => [t ? 0 : 1]), [truncated.length, 1]);
  return tf.mul(mask, keep) as tf.Tensor2D; // [B, T]
}

/** Default normalizers from a (small) mask: reads it back synchronously. */
export function normalizersOf(
  mask: tf.Tensor2D,
  opts: { groups?: number[]; maxCompletionLength?: number; normConstant?: number | null } = {},
): LossNormalizers {
  const [B, T] = mask.shape;
  const lens = tf.tidy(() => tf.sum(mask, 1).dataSync() as Float32Array);
  let tokens = 0;
  let seqs = 0;
  for (const l of lens) {
    tokens += l;
    if (l > 0) seqs++;
  }
  const groups = opts.groups ? new Set(opts.groups).size : B;
  return { tokens, seqs, groups, sumNorm: opts.normConstant ?? B * (opts.maxCompletionLength ?? T) };
}

/** Per-token KL(p‖q) estimate for samples from p, given log p and log q. [B, T] */
export function klToken(est: KlEstimator, logP: tf.Tensor2D, logQ: tf.Tensor2D): tf.Tensor2D {
  const d = tf.sub(logQ, logP); // [B, T]
  if (est === 'k1') return tf.neg(d) as tf.Tensor2D;
  if (est === 'k2') return tf.mul(0.5, tf.square(d)) as tf.Tensor2D;
  return tf.sub(tf.sub(tf.exp(d), d), 1) as tf.Tensor2D;
}

/** Aggregate per-token values [B, T] under mask [B, T] into a scalar. */
export function aggregate(x: tf.Tensor2D, m: tf.Tensor2D, mode: Aggregation, norm: LossNormalizers): tf.Scalar {
  const xm = tf.mul(x, m); // [B, T]
  if (mode === 'seq-mean-token-mean') {
    const perSeq = tf.div(tf.sum(xm, 1), tf.maximum(tf.sum(m, 1), 1)); // [B]
    return tf.div(tf.sum(perSeq), Math.max(norm.seqs, 1e-30)) as tf.Scalar;
  }
  const denom = mode === 'token-mean' ? norm.tokens : norm.sumNorm;
  return denom > 0 ? (tf.div(tf.sum(xm), denom) as tf.Scalar) : tf.scalar(0);
}

function maskedMinMax(x: tf.Tensor2D, m: tf.Tensor2D): { min: tf.Scalar; max: tf.Scalar } {
  const on = tf.greater(m, 0);
  return {
    min: tf.min(tf.where(on, x, tf.fill(x.shape, Infinity))) as tf.Scalar,
    max: tf.max(tf.where(on, x, tf.fill(x.shape, -Infinity))) as tf.Scalar,
  };
}

/**
 * The `kl/old` metric of every loss: token-mean k3 estimate of KL(old‖θ), how
 * far this update moved the policy from the one that sampled (0 on the first
 * pass of an on-policy step). One estimator for all losses so arms compare.
 */
function klOldMetric(x: LossInput, m: tf.Tensor2D, norm: LossNormalizers): tf.Scalar {
  if (norm.tokens <= 0) return tf.scalar(0);
  return tf.div(tf.sum(tf.mul(klToken('k3', x.oldLogProbs, x.logProbs), m)), norm.tokens) as tf.Scalar;
}

/** Clipped surrogate + KL to reference + entropy bonus (see clippedLossPlain). */
export function clippedLoss(cfg: ClippedLossConfig, x: LossInput): TensorLossOutput {
  const m = effectiveMask(x.mask, x.truncated, cfg.maskTruncated);
  const norm = { ...normalizersOf(m, { maxCompletionLength: x.maxCompletionLength, normConstant: cfg.normConstant }), ...x.norm };
  if (!x.advantages) throw new Error('clipped loss: advantages are required');
  const [B] = x.logProbs.shape;
  const A = (x.advantages.rank === 1 ? tf.reshape(x.advantages, [B, 1]) : x.advantages) as tf.Tensor2D; // [B, 1] or [B, T]
  const logRatio = tf.sub(x.logProbs, x.oldLogProbs) as tf.Tensor2D; // [B, T]
  const rowLen = tf.reshape(tf.sum(m, 1), [B, 1]); // [B, 1] loss tokens per row
  const ratio = (
    cfg.importanceLevel === 'sequence'
      ? tf.mul(tf.exp(tf.div(tf.sum(tf.mul(logRatio, m), 1, true), tf.maximum(rowLen, 1))), tf.onesLike(logRatio)) // GSPO: [B, 1] → [B, T]
      : tf.exp(logRatio)
  ) as tf.Tensor2D; // [B, T]
  const clipped = tf.clipByValue(ratio, 1 - cfg.epsLow, 1 + cfg.epsHigh); // [B, T]
  let obj = tf.minimum(tf.mul(ratio, A), tf.mul(clipped, A)) as tf.Tensor2D; // [B, T]
  const negA = tf.less(A, 0);
  const tm = (v: tf.Tensor) => (norm.tokens > 0 ? (tf.div(tf.sum(tf.mul(v, m)), norm.tokens) as tf.Scalar) : tf.scalar(0));
  let dualFrac: tf.Scalar = tf.scalar(0);
  if (cfg.dualClip !== null) {
    const bound = tf.broadcastTo(tf.mul(A, cfg.dualClip), obj.shape); // [B, T]
    const neg = tf.broadcastTo(negA, obj.shape); // [B, T]
    dualFrac = tm(tf.cast(tf.logicalAnd(neg, tf.greater(bound, obj)), 'float32')); // metric only: off the gradient path
    // max(obj, c·A) where A < 0, selected by A alone: boolean ops on ρ have no gradient in tfjs.
    obj = tf.where(neg, tf.maximum(obj, bound), obj) as tf.Tensor2D;
  }
  if (cfg.lengthUnbiased) obj = tf.mul(obj, rowLen) as tf.Tensor2D; // LUSPO: × |y_i|
  // Rollout–trainer mismatch correction: detached IS weights on the surrogate (rollout-correction.ts).
  const rcCfg = cfg.rolloutCorrection;
  if (rcCfg.mode !== 'none' && !x.rolloutLogProbs) throw new Error('clipped loss: rolloutCorrection needs rolloutLogProbs');
  const rc = rcCfg.mode !== 'none' ? rolloutCorrectionTf(rcCfg, x.oldLogProbs, x.rolloutLogProbs!, m, norm.tokens) : null;
  if (rc) obj = tf.mul(obj, rc.weights) as tf.Tensor2D; // [B, T]
  const pg = tf.neg(aggregate(obj, m, cfg.aggregation, norm)) as tf.Scalar;
  let loss: tf.Scalar = pg;
  const metrics: Record<string, tf.Scalar> = {};
  if (cfg.klCoef > 0) {
    if (!x.refLogProbs) throw new Error('clipped loss: klCoef > 0 needs refLogProbs');
    const kl = aggregate(klToken(cfg.klEstimator, x.logProbs, x.refLogProbs), m, cfg.aggregation, norm);
    loss = tf.add(loss, tf.mul(cfg.klCoef, kl)) as tf.Scalar;
    metrics['kl/ref'] = kl;
  }
  if (x.entropy && cfg.entropyCoef > 0) {
    loss = tf.sub(loss, tf.mul(cfg.entropyCoef, aggregate(x.entropy, m, cfg.aggregation, norm))) as tf.Scalar;
  }
  if (x.entropy) metrics['entropy/mean'] = aggregate(x.entropy, m, 'token-mean', norm);
  const low = tf.logicalAnd(tf.less(ratio, 1 - cfg.epsLow), negA);
  const high = tf.logicalAnd(tf.greater(ratio, 1 + cfg.epsHigh), tf.greater(A, 0));
  const { min, max } = maskedMinMax(ratio, m);
  Object.assign(metrics, {
    'loss/total': loss,
    'loss/policy': pg,
    'clip/low_frac': tm(tf.cast(low, 'float32')),
    'clip/high_frac': tm(tf.cast(high, 'float32')),
    'clip/dual_frac': dualFrac,
    'ratio/mean': tm(ratio),
    'ratio/min': min,
    'ratio/max': max,
    'kl/old': klOldMetric(x, m, norm),
    ...rc?.metrics,
  });
  return { loss, metrics };
}

/** DRPO objective with the trust region on KL(old‖θ) (see drpoLossPlain). */
export function drpoLoss(cfg: DrpoLossConfig, x: LossInput): TensorLossOutput {
  const m = effectiveMask(x.mask, x.truncated, cfg.maskTruncated);
  const [B] = x.logProbs.shape;
  const groupsOf = x.groups ?? Array.from({ length: B }, (_, b) => b);
  const norm = { ...normalizersOf(m, { groups: groupsOf }), ...x.norm };
  const len = tf.tidy(() => Array.from(tf.sum(m, 1).dataSync())); // effective lengths, [B]
  const s = tf.div(tf.sum(tf.mul(x.logProbs, m), 1), tf.maximum(tf.sum(m, 1), 1)) as tf.Tensor1D; // [B] sequence scores

  // Constant weights (positives) and membership rows (negatives), from plain metadata.
  const wPos = new Float32Array(B);
  const negRows: number[][] = [];
  let skipped = 0;
  for (const g of [...new Set(groupsOf)]) {
    const members = groupsOf.map((gg, b) => (gg === g && len[b] > 0 ? b : -1)).filter((b) => b >= 0);
    const P = members.filter((b) => x.correct?.[b]);
    const N = members.filter((b) => !x.correct?.[b]);
    if (P.length === 0 || N.length === 0) {
      skipped++;
      continue;
    }
    drpoPositiveWeights(P.map((b) => x.rewards?.[b] ?? 0), cfg.lambda).forEach((w, k) => (wPos[P[k]] = w));
    const row = new Array<number>(B).fill(0);
    for (const b of N) row[b] = 1;
    negRows.push(row);
  }
  const pos = tf.sum(tf.mul(s, tf.tensor1d(wPos))); // scalar
  let neg: tf.Scalar = tf.scalar(0);
  if (negRows.length > 0) {
    const member = tf.tensor2d(negRows, [negRows.length, B]); // [G', B]
    const z = tf.add(tf.mul(tf.reshape(tf.div(s, cfg.tau), [1, B]), member), tf.mul(tf.sub(member, 1), 1e30)); // [G', B]
    neg = tf.mul(cfg.tau, tf.sum(tf.logSumExp(z, 1))) as tf.Scalar; // Σ_g τ·LSE_g
  }
  const objective = norm.groups > 0 ? (tf.div(tf.sub(pos, neg), norm.groups) as tf.Scalar) : tf.scalar(0);
  const tmSum = (v: tf.Tensor) => (norm.tokens > 0 ? (tf.div(tf.sum(tf.mul(v, m)), norm.tokens) as tf.Scalar) : tf.scalar(0));
  const kl = tmSum(klToken(cfg.klEstimator, x.oldLogProbs, x.logProbs));
  const klValue = kl.dataSync()[0];
  const coef = Math.max(cfg.beta * (klValue - cfg.delta), 0); // stopgrad: a plain number
  const loss = tf.add(tf.neg(objective), tf.mul(coef, kl)) as tf.Scalar;
  const ratio = tf.exp(tf.sub(x.logProbs, x.oldLogProbs)) as tf.Tensor2D;
  const { min, max } = maskedMinMax(ratio, m);
  const metrics: Record<string, tf.Scalar> = {
    'loss/total': loss,
    'loss/policy': tf.neg(objective) as tf.Scalar,
    'drpo/objective': objective,
    'drpo/skipped_groups': tf.scalar(skipped),
    'drpo/tr_coef': tf.scalar(coef),
    'drpo/tr_kl': kl,
    'kl/old': klOldMetric(x, m, norm),
    'ratio/mean': tmSum(ratio),
    'ratio/min': min,
    'ratio/max': max,
  };
  if (x.entropy) metrics['entropy/mean'] = aggregate(x.entropy, m, 'token-mean', norm);
  return { loss, metrics };
}

/** A policy loss as the registry holds it. */
export interface PolicyLossDef<S extends z.ZodObject = z.ZodObject> {
  readonly schema: S;
  compute(cfg: z.output<S>, x: LossInput): TensorLossOutput;
  /** Whether a frozen reference policy must be kept (and its log-probs passed). */
  needsReference(cfg: z.output<S>): boolean;
  /** Whether micro-batches must hold whole groups (a group-level objective). */
  readonly wholeGroups: boolean;
  readonly summary: string;
}
function defineLoss<S extends z.ZodObject>(d: PolicyLossDef<S>): PolicyLossDef<S> {
  return d;
}

/** The registry the loop dispatches through, keyed by the recipe's `loss.type`. */
export const policyLosses = defineRegistry('loss', {
  clipped: defineLoss({
    summary: 'PPO/GRPO clipped surrogate (clip-higher, dual clip, KL to a reference, entropy bonus)',
    schema: ClippedLossSchema,
    compute: clippedLoss,
    needsReference: (c) => c.klCoef > 0,
    wholeGroups: false,
  }),
  drpo: defineLoss({
    summary: 'DRPO: decoupled positive/negative objective with a KL(old‖θ) trust region',
    schema: DrpoLossSchema,
    compute: drpoLoss,
    needsReference: () => false,
    wholeGroups: true,
  }),
});

/** A recipe's `loss:` section. */
export const LossConfigSchema = policyLosses.union();
export type LossConfig = z.output<typeof LossConfigSchema>;

/** The registry entry of a validated loss config. */
export function lossEntry(cfg: LossConfig): PolicyLossDef {
  return policyLosses.get(cfg.type) as unknown as PolicyLossDef;
}
