/**
 * The decoding cache layouts: 'tail' (prefix + short tail, merged every
 * tailSlots steps) and 'concat' (the old whole-cache copy) give the full
 * forward's logits at every step, across merges and row compaction, and hold
 * exactly the tensors they should.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../src/engine/index.ts';
import {
  compactKvCache, createKvCache, decodeStep, forwardLogits, policyFromNamed, prefill, type KvLayoutOptions,
} from '../../src/model/decoder.ts';
import { randomNamed, rng, tinyQwen2 } from './helpers.ts';

beforeAll(async () => { await initEngine(); });

const config = tinyQwen2(false); // GQA (4 heads, 2 KV heads), qkv biases
const V = config.vocabSize;

/** Decode `steps` tokens for prompts of different lengths; compare each step with forwardLogits of the same sequence. */
function worstDiff(layout: Partial<KvLayoutOptions>, steps: number, compactAfter?: { step: number; keep: number[] }): number {
  const policy = policyFromNamed(config, randomNamed(config, 6));
  const r = rng(11);
  const prompts = [5, 2, 8, 3].map((n) => Array.from({ length: n }, () => Math.floor(r() * V)));
  const seqs = prompts.map((p) => [...p]);
  let rows = [0, 1, 2, 3];
  const cache = createKvCache(policy, 4, 64, layout);
  let logits = prefill(policy, cache, prompts);
  let worst = 0;
  for (let step = 0; step <= steps; step++) {
    const inc = logits.arraySync() as number[][];
    logits.dispose();
    rows.forEach((b, i) => {
      const full = tf.tidy(() => forwardLogits(policy, tf.tensor2d([seqs[b]], [1, seqs[b].length], 'int32')).arraySync()[0]);
      const last = full[seqs[b].length - 1];
      for (let j = 0; j < V; j++) worst = Math.max(worst, Math.abs(inc[i][j] - last[j]));
    });
    if (step === steps) break;
    if (compactAfter && step === compactAfter.step) {
      compactKvCache(cache, compactAfter.keep);
      rows = compactAfter.keep.map((i) => rows[i]);
    }
    const next = rows.map(() => Math.floor(r() * V));
    rows.forEach((b, i) => seqs[b].push(next[i]));
    logits = decodeStep(policy, cache, next);
  }
  cache.dispose();
  policy.dispose();
  return worst;
}

describe('KV cache layouts', () => {
  it('concat and tail (tails of 1, 3 and 32 slots) equal the full forward over 12 steps', () => {
    for (const layout of [{ layout: 'concat' as const }, { tailSlots: 1 }, { tailSlots: 3 }, {}]) {
      expect(worstDiff(layout, 12), JSON.stringify(layout)).toBeLessThanOrEqual(1e-4);
    }
  });

  it('compacting rows mid-tail keeps every remaining row exact', () => {
    expect(worstDiff({ tailSlots: 4 }, 10, { step: 5, keep: [0, 2, 3] })).toBeLessThanOrEqual(1e-4); // tail of 2 at step 5
    expect(worstDiff({ layout: 'concat' }, 6, { step: 2, keep: [1] })).toBeLessThanOrEqual(1e-4);
  });

  it('holds prefix K/V, a tail only between merges, and frees what it replaced', () => {
    const policy = policyFromNamed(config, randomNamed(config, 2));
    const before = tf.memory().numTensors;
    const cache = createKvCache(policy, 2, 32, { tailSlots: 3 });
    prefill(policy, cache, [[1, 2, 3], [4]]).dispose();
    const perLayerPacked = 3 * config.numLayers; // packed qkv, its bias (qwen2) and gate/up, per layer
    const counts: number[] = [];
    for (let i = 0; i < 6; i++) {
      decodeStep(policy, cache, [1, 2]).dispose();
      counts.push(tf.memory().numTensors - before - perLayerPacked);
    }
    // tail lengths 1, 2, merge, 1, 2, merge → 4 or 2 tensors per layer
    const L = config.numLayers;
    expect(counts).toEqual([4 * L, 4 * L, 2 * L, 4 * L, 4 * L, 2 * L]);
    expect(cache.layers![0].k.shape[2]).toBe(9);
    compactKvCache(cache, [1]);
    expect(cache.layers![0].k.shape[0]).toBe(1);
    expect(tf.memory().numTensors - before - perLayerPacked).toBe(2 * L);
    expect(() => compactKvCache(cache, [1])).toThrow(/ascending indices in \[0, 1\)/);
    cache.dispose();
    expect(tf.memory().numTensors).toBe(before);
    policy.dispose();
  });
});
