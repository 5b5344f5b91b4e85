/**
 * The optimisation half of an RL step: log-probs under the rollout-time and
 * reference policies, then `epochs` × `minibatches` AdamW updates, each
 * accumulating gradients over micro-batches, with global-norm clipping, the
 * LR schedule and the NaN/Inf guard. The loss comes from `policyLosses` by the
 * recipe's `loss.type`; nothing here knows which method is running.
 */
import * as tf from '@tensorflow/tfjs-core';
import { sequenceLogProbs, type Policy } from '../model/decoder.ts';
import type { LossConfig } from './losses.ts';
import { lossEntry } from './losses.ts';
import { combineLossMetrics, updateNormalizers } from './loss-normalizers.ts';
import { activeCorrection } from './rollout-correction.ts';
import { AdamW, clipByGlobalNorm, learningRate, type LrSchedule } from './optimizer.ts';
import { chunks, completionLength, paddedLogProbs, rowTensors, splitInto, type TrainRow } from './batch.ts';
import type { Rng } from '../util/rng.ts';

/** Rows ordered by length, so micro-batches pad little (results do not depend on the order). */
function byLength<T extends { tokens: number[] }>(rows: readonly T[]): T[] {
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.tokens.length - b.r.tokens.length || a.i - b.i)
    .map((x) => x.r);
}

/** Log-probs of each row's tokens under `policy` (no gradient), micro-batched by similar length. */
export function rowLogProbs(policy: Policy, rows: readonly TrainRow[], micro: number): Float32Array[] {
  const index = new Map(rows.map((r, i) => [r, i]));
  const out: Float32Array[] = new Array(rows.length);
  for (const part of chunks(byLength(rows), micro)) {
    const data = tf.tidy(() => {
      const { tokens, mask, T } = rowTensors(part);
      const { logProbs } = sequenceLogProbs(policy, tokens, mask);
      return { lp: logProbs.dataSync() as Float32Array, T };
    });
    part.forEach((r, i) => (out[index.get(r)!] = data.lp.slice(i * (data.T - 1), i * (data.T - 1) + r.tokens.length - 1)));
  }
  return out;
}

export class NonFiniteError extends Error {}

export interface UpdateContext {
  policy: Policy;
  optimizer: AdamW;
  loss: LossConfig;
  schedule: LrSchedule;
  gradClip: number | null;
  epochs: number;
  minibatches: number;
  micro: number;
  /** Max completion length (Dr. GRPO's constant). */
  maxCompletionLength: number;
  /** Index of this step's first update, and the run's total (for the schedule). */
  firstUpdate: number;
  totalUpdates: number;
  shuffle: Rng;
  /** Called on each skipped (non-finite) update with a message; returns false to stop. */
  onNonFinite(msg: string): boolean;
  onGoodUpdate(): void;
}

/**
 * Run the updates for one batch of rows. Metrics are averaged over updates
 * (`grad/norm` and `lr` too; `update/skipped` counts skipped updates).
 */
export function updatePhase(ctx: UpdateContext, rows: TrainRow[]): Record<string, number> {
  const entry = lossEntry(ctx.loss);
  const needRef = entry.needsReference(ctx.loss);
  const correct = activeCorrection(ctx.loss) !== null;
  const perUpdate: Record<string, number>[] = [];
  let skipped = 0;
  let u = ctx.firstUpdate;
  for (let e = 0; e < ctx.epochs; e++) {
    // Shuffle whole groups (group-level losses need them intact; harmless for token losses).
    const groups = [...new Set(rows.map((r) => r.group))];
    ctx.shuffle.shuffle(groups);
    const byGroup = new Map<number, TrainRow[]>();
    for (const r of rows) byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r]);
    for (const mbGroups of splitInto(groups, ctx.minibatches)) {
      const mb = mbGroups.flatMap((g) => byGroup.get(g)!);
      const lr = learningRate(ctx.schedule, u, ctx.totalUpdates);
      u++;
      const norm = updateNormalizers(
        ctx.loss,
        mb.map((r) => completionLength(r)),
        mb.map((r) => r.truncated),
        mb.map((r) => r.group),
        ctx.maxCompletionLength,
      );
      // Micro-batches: whole groups when the loss is group-level.
      const micro: TrainRow[][] = entry.wholeGroups
        ? chunks(mbGroups, Math.max(1, Math.floor(ctx.micro / Math.max(1, byGroup.get(mbGroups[0])!.length)))).map((gs) =>
            gs.flatMap((g) => byGroup.get(g)!),
          )
        : chunks(byLength(mb), ctx.micro);
      let acc: Map<string, tf.Tensor> | null = null;
      const parts: Record<string, number>[] = [];
      let finite = true;
      for (const part of micro) {
        const kept: Record<string, tf.Scalar> = {};
        const { value, grads } = tf.tidy(() => {
          const { tokens, mask, lossMask, T } = rowTensors(part);
          const old = paddedLogProbs(part, (r) => r.old, T);
          const ref = needRef ? paddedLogProbs(part, (r) => r.ref, T) : undefined;
          const rollout = correct ? paddedLogProbs(part, (r) => r.rollout, T) : undefined;
          const adv = tf.tensor1d(part.map((r) => r.advantage));
          return tf.variableGrads(() => {
            const { logProbs, entropy } = sequenceLogProbs(ctx.policy, tokens, mask, { entropy: true });
            const out = entry.compute(ctx.loss, {
              logProbs,
              oldLogProbs: old,
              refLogProbs: ref,
              rolloutLogProbs: rollout,
              mask: lossMask,
              advantages: adv,
              entropy,
              truncated: part.map((r) => r.truncated),
              groups: part.map((r) => r.group),
              correct: part.map((r) => r.correct),
              rewards: part.map((r) => r.reward),
              norm,
            });
            for (const [k, v] of Object.entries(out.metrics)) kept[k] = tf.keep(v);
            return out.loss;
          }, ctx.policy.variables);
        });
        const lossValue = value.dataSync()[0];
        parts.push(Object.fromEntries(Object.entries(kept).map(([k, v]) => [k, v.dataSync()[0]])));
        for (const v of new Set([value, ...Object.values(kept)])) v.dispose();
        if (!Number.isFinite(lossValue)) finite = false;
        if (acc === null) {
          acc = new Map(Object.entries(grads));
        } else {
          for (const [k, g] of Object.entries(grads)) {
            const prev = acc.get(k)!;
            acc.set(k, tf.add(prev, g));
            prev.dispose();
            g.dispose();
          }
        }
      }
      const metrics = combineLossMetrics(parts);
      const byName = new Map<string, tf.Tensor>();
      // variableGrads keys by variable name; map back to HF parameter names.
      for (const [name, v] of ctx.policy.params) {
        const g = acc?.get(v.name);
        if (g) byName.set(name, g);
      }
      const clipped = clipByGlobalNorm(byName, ctx.gradClip);
      metrics['grad/norm'] = clipped.norm;
      metrics['lr'] = lr;
      if (!finite || !Number.isFinite(clipped.norm)) {
        skipped++;
        const msg = `non-finite ${!finite ? 'loss' : 'gradient norm'} at update ${u - 1}: update skipped`;
        if (!ctx.onNonFinite(msg)) {
          for (const g of [...(acc?.values() ?? []), ...clipped.grads.values()]) g.dispose();
          throw new NonFiniteError(msg);
        }
      } else {
        ctx.optimizer.apply(clipped.grads, lr);
        ctx.onGoodUpdate();
      }
      for (const g of [...(acc?.values() ?? []), ...clipped.grads.values()]) g.dispose();
      perUpdate.push(metrics);
    }
  }
  const out: Record<string, number> = {};
  for (const m of perUpdate) for (const [k, v] of Object.entries(m)) out[k] = (out[k] ?? 0) + v / perUpdate.length;
  out['update/skipped'] = skipped;
  out['update/count'] = perUpdate.length;
  return out;
}
