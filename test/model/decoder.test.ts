import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.ts';
import {
  createKvCache, decodeStep, forwardLogits, initPolicy, microBatchSize, policyFromNamed, policyToNamed, prefill, sequenceLogProbs,
} from '../../src/model/decoder.ts';
import { parseModelConfig, type ModelConfig, type NamedTensors } from '../../src/model/config.ts';
import { referenceLogits, referenceLogProbs, to64, type Weights64 } from './reference.ts';
import { randomNamed, rng, tinyLlama, tinyQwen2, tinyQwen3 } from './helpers.ts';

beforeAll(async () => {
  await initEngine();
});

/** A batch with a full row, a right-padded row and a left-padded row. */
function paddedBatch(V: number, T: number, seed: number) {
  const r = rng(seed);
  const spans: [number, number][] = [[0, T], [0, T - 2], [3, T]]; // [start, end) of real tokens
  const ids = new Int32Array(3 * T);
  const mask = new Float32Array(3 * T);
  spans.forEach(([s, e], b) => {
    for (let t = 0; t < T; t++) {
      ids[b * T + t] = Math.floor(r() * V);
      if (t >= s && t < e) mask[b * T + t] = 1;
    }
  });
  return { ids, mask, spans, B: 3, T };
}

/** Σ wLP·logProbs + wE·entropy in float64 via the reference, mapping compact rows onto padded positions. */
function referenceLoss(c: ModelConfig, W: Weights64, batch: ReturnType<typeof paddedBatch>, wLP: Float64Array, wE: Float64Array): number {
  const { ids, spans, T } = batch;
  let loss = 0;
  spans.forEach(([s, e], b) => {
    const seq = Array.from(ids.slice(b * T + s, b * T + e));
    const { logProbs, entropy } = referenceLogProbs(c, W, seq);
    logProbs.forEach((lp, i) => {
      loss += wLP[b * (T - 1) + s + i] * lp + wE[b * (T - 1) + s + i] * entropy[i];
    });
  });
  return loss;
}

describe.each([
  ['qwen2 GQA untied', tinyQwen2(false)],
  ['qwen2 GQA tied', tinyQwen2(true)],
  ['llama MHA tied', tinyLlama(true)],
  ['llama MHA untied', tinyLlama(false)],
  ['qwen3 GQA head_dim 6 tied', tinyQwen3(true)],
  ['qwen3 GQA head_dim 6 untied', tinyQwen3(false)],
])('decoder (%s)', (_label, config) => {
  it('log-probs and entropy match the float64 reference on a left/right-padded batch', () => {
    const named = randomNamed(config, 1);
    const policy = policyFromNamed(config, named);
    const batch = paddedBatch(config.vocabSize, 7, 2);
    const { B, T } = batch;
    const out = tf.tidy(() => {
      const r = sequenceLogProbs(policy, tf.tensor2d(batch.ids, [B, T], 'int32'), tf.tensor2d(batch.mask, [B, T]), { entropy: true });
      return { lp: r.logProbs.arraySync(), ent: r.entropy!.arraySync() };
    });
    const W = to64(named);
    batch.spans.forEach(([s, e], b) => {
      const ref = referenceLogProbs(config, W, Array.from(batch.ids.slice(b * T + s, b * T + e)));
      for (let t = 0; t < T - 1; t++) {
        const i = t - s;
        const valid = i >= 0 && i < ref.logProbs.length;
        expect(out.lp[b][t]).toBeCloseTo(valid ? ref.logProbs[i] : 0, 4);
        expect(out.ent[b][t]).toBeCloseTo(valid ? ref.entropy[i] : 0, 4);
      }
    });
    policy.dispose();
  });

  it('gradients of every parameter match float64 finite differences', () => {
    const named = randomNamed(config, 3);
    const policy = policyFromNamed(config, named);
    const batch = paddedBatch(config.vocabSize, 6, 4);
    const { B, T } = batch;
    const r = rng(5);
    const wLP = Float64Array.from({ length: B * (T - 1) }, () => r() - 0.5);
    const wE = Float64Array.from({ length: B * (T - 1) }, () => r() - 0.5);
    const names = [...policy.params.keys()];
    const { grads } = tf.variableGrads(() => {
      const o = sequenceLogProbs(policy, tf.tensor2d(batch.ids, [B, T], 'int32'), tf.tensor2d(batch.mask, [B, T]), { entropy: true });
      return tf.add(
        tf.sum(tf.mul(o.logProbs, tf.tensor2d(Float32Array.from(wLP), [B, T - 1]))),
        tf.sum(tf.mul(o.entropy!, tf.tensor2d(Float32Array.from(wE), [B, T - 1]))),
      ) as tf.Scalar;
    }, policy.variables);
    const W = to64(named);
    const eps = 1e-5;
    let worst = 0;
    for (const name of names) {
      const v = policy.params.get(name)!;
      const g = grads[v.name].dataSync();
      const w = W.get(name)!.data;
      const coords = new Set([0, w.length - 1, Math.floor(r() * w.length), Math.floor(r() * w.length)]);
      for (const i of coords) {
        const keep = w[i];
        w[i] = keep + eps;
        const up = referenceLoss(config, W, batch, wLP, wE);
        w[i] = keep - eps;
        const down = referenceLoss(config, W, batch, wLP, wE);
        w[i] = keep;
        const numeric = (up - down) / (2 * eps);
        const err = Math.abs(g[i] - numeric) / Math.max(1e-2, Math.abs(numeric));
        worst = Math.max(worst, err);
        if (err > 2e-3) throw new Error(`${name}[${i}]: analytic ${g[i]} vs numeric ${numeric}`);
      }
    }
    expect(worst).toBeLessThan(2e-3);
    Object.values(grads).forEach((t) => t.dispose());
    policy.dispose();
  });

  it('KV-cache decoding equals the full forward at every position (batch 3, different prompt lengths)', () => {
    const named = randomNamed(config, 6);
    const policy = policyFromNamed(config, named);
    const r = rng(7);
    const V = config.vocabSize;
    const prompts = [5, 2, 8].map((n) => Array.from({ length: n }, () => Math.floor(r() * V)));
    const seqs = prompts.map((p) => [...p]);
    const cache = createKvCache(policy, 3, 32);
    let logits = prefill(policy, cache, prompts);
    let worst = 0;
    for (let step = 0; step < 6; step++) {
      const inc = logits.arraySync() as number[][];
      for (let b = 0; b < 3; b++) {
        const full = tf.tidy(() => forwardLogits(policy, tf.tensor2d([seqs[b]], [1, seqs[b].length], 'int32')).arraySync()[0]);
        const ref = referenceLogits(config, to64(named), seqs[b]);
        for (let t = 0; t < seqs[b].length; t++)
          for (let j = 0; j < V; j++) worst = Math.max(worst, Math.abs(full[t][j] - ref[t][j]));
        const last = full[seqs[b].length - 1];
        for (let j = 0; j < V; j++) worst = Math.max(worst, Math.abs(inc[b][j] - last[j]));
      }
      const next = [0, 1, 2].map(() => Math.floor(r() * V));
      next.forEach((id, b) => seqs[b].push(id));
      logits.dispose();
      logits = decodeStep(policy, cache, next);
    }
    logits.dispose();
    cache.dispose();
    expect(worst).toBeLessThanOrEqual(1e-4);
    policy.dispose();
  });
});

describe('decoder training hygiene', () => {
  it('does not leak tensors: numTensors after 20 AdamW steps equals after 1', () => {
    const config = tinyQwen2(false);
    const policy = initPolicy(config, 1);
    const batch = paddedBatch(config.vocabSize, 9, 1);
    const tokens = tf.tensor2d(batch.ids, [3, 9], 'int32');
    const mask = tf.tensor2d(batch.mask, [3, 9]);
    const opt = tf.train.adam(1e-2);
    const step = () => {
      const loss = opt.minimize(() => {
        const o = sequenceLogProbs(policy, tokens, mask, { entropy: true });
        return tf.neg(tf.add(tf.mean(o.logProbs), tf.mul(0.01, tf.mean(o.entropy!)))) as tf.Scalar;
      }, true, policy.variables)!;
      const v = loss.dataSync()[0];
      loss.dispose();
      return v;
    };
    const first = step();
    const after1 = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 19; i++) last = step();
    expect(tf.memory().numTensors).toBe(after1);
    expect(last).toBeLessThan(first);
    opt.dispose();
    tokens.dispose();
    mask.dispose();
    policy.dispose();
  });

  it('decoding does not leak beyond the cache', () => {
    const config = tinyLlama(false);
    const policy = initPolicy(config, 2);
    const before = tf.memory().numTensors;
    const cache = createKvCache(policy, 2, 16);
    prefill(policy, cache, [[1, 2, 3], [4]]).dispose();
    for (let i = 0; i < 5; i++) decodeStep(policy, cache, [1, 2]).dispose();
    // K and V per layer and their 5-slot tails (kv-cache.test.ts), plus the packed qkv and gate/up projections per layer.
    expect(tf.memory().numTensors).toBe(before + 6 * config.numLayers);
    cache.dispose();
    expect(tf.memory().numTensors).toBe(before);
    policy.dispose();
  });

  it('initPolicy is deterministic and round-trips through NamedTensors', () => {
    const config = tinyQwen2(true);
    const a = policyToNamed(initPolicy(config, 42));
    const b = policyToNamed(initPolicy(config, 42));
    const c = policyToNamed(initPolicy(config, 43));
    for (const [n, t] of a) expect(Buffer.compare(Buffer.from(t.data.buffer), Buffer.from(b.get(n)!.data.buffer))).toBe(0);
    expect(a.get('model.embed_tokens.weight')!.data).not.toEqual(c.get('model.embed_tokens.weight')!.data);
    const p = policyFromNamed(config, a);
    const back: NamedTensors = policyToNamed(p);
    for (const [n, t] of a) expect(back.get(n)!.data).toEqual(t.data);
    p.dispose();
  });

  it('microBatchSize keeps S and M under the budget and shrinks for long sequences', () => {
    const S = parseModelConfig({ arch: 'llama', vocabSize: 64, hiddenSize: 128, numLayers: 4, numHeads: 4, numKvHeads: 4, ffnSize: 512, eosTokenId: 0 });
    expect(microBatchSize(16, 256, S)).toBe(16);
    expect(microBatchSize(64, 4096, S)).toBeLessThan(8);
    expect(microBatchSize(64, 4096, S)).toBeGreaterThanOrEqual(1);
  });
});
