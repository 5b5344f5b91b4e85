import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../src/engine/index.ts';
import { forwardLogits, policyFromNamed, type Policy } from '../../src/model/decoder.ts';
import { TfjsEngine } from '../../src/rollout/tfjs-engine.ts';
import { conformance } from './conformance.ts';
import { randomWeights, tinyConfig, tinyVocab } from './fixtures.ts';
import { referenceLogits, to64 } from '../model/reference.ts';

const vocab = tinyVocab(16);
const config = tinyConfig('qwen2');
const weights = randomWeights(config, 5);
let policy: Policy;
let engine: TfjsEngine;
beforeAll(async () => {
  await initEngine();
  policy = policyFromNamed(config, weights);
  engine = await TfjsEngine.create(policy, vocab, { batchSize: 512 });
});
afterAll(async () => {
  await engine.dispose();
  policy.dispose();
});

describe('TfjsEngine', () => {
  it('the decoder forward equals the float64 reference (sanity for the fixtures)', () => {
    const toks = [1, 4, 9, 2, 15, 3];
    const got = tf.tidy(() => forwardLogits(policy, tf.tensor2d([toks], [1, toks.length], 'int32')).arraySync()[0]);
    const ref = referenceLogits(config, to64(weights), toks);
    let d = 0;
    got.forEach((row, i) => row.forEach((v, j) => (d = Math.max(d, Math.abs(v - ref[i][j])))));
    expect(d).toBeLessThan(1e-4);
  });
  conformance({ engine: () => engine, config, weights, draws: 1500 });
});

describe('TfjsEngine waves', () => {
  it('splits waves so a long prompt and a long budget never share a cache beyond maxPositions', async () => {
    // maxPositions 128: 100 + 10 and 5 + 120 each fit, together (100 + 120 − 1) they would not.
    const out = await engine.generate(
      [
        { promptIds: new Array(100).fill(3), n: 2, maxTokens: 10, seed: 1 },
        { promptIds: [1, 2, 3, 4, 5], n: 2, maxTokens: 120, seed: 2 },
      ],
      { temperature: 1, ignoreEos: true },
    );
    expect(out.map((r) => r.map((x) => x.tokens.length))).toEqual([[10, 10], [120, 120]]);
  });
});

describe('TfjsEngine cache paths', () => {
  it('the tail cache with row compaction samples exactly what the old concat path sampled', async () => {
    const old = await TfjsEngine.create(policy, vocab, { batchSize: 16, kvLayout: 'concat', compactAt: 0 });
    const fresh = await TfjsEngine.create(policy, vocab, { batchSize: 16, compactAt: 0.9 });
    const reqs = [
      { promptIds: [1, 2, 3], n: 6, maxTokens: 40, seed: 7 },
      { promptIds: [5, 9, 9, 9, 4, 2, 8], n: 5, maxTokens: 25, seed: 8 },
    ];
    const a = await old.generate(reqs, { temperature: 1, logprobs: true });
    const b = await fresh.generate(reqs, { temperature: 1, logprobs: true });
    const lengths = b.flat().map((x) => x.tokens.length);
    expect(new Set(lengths).size, 'rows finish at different steps, so compaction happens').toBeGreaterThan(2);
    expect(b.map((r) => r.map((x) => x.tokens))).toEqual(a.map((r) => r.map((x) => x.tokens)));
    b.flat().forEach((x, i) => x.logprobs!.forEach((lp, t) => expect(lp).toBeCloseTo(a.flat()[i].logprobs![t], 4)));
  });
});
