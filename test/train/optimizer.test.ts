import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.ts';
import { AdamW, clipByGlobalNorm, learningRate } from '../../src/train/optimizer.ts';
import { Rng } from '../../src/util/rng.ts';

beforeAll(async () => {
  await initEngine();
});

const opts = { betas: [0.9, 0.95] as [number, number], eps: 1e-8, weightDecay: 0.1 };

function makeParams(seed: number) {
  const rng = new Rng(seed);
  const w = Array.from({ length: 6 }, () => rng.next() - 0.5);
  const b = Array.from({ length: 3 }, () => rng.next() - 0.5);
  return new Map<string, tf.Variable>([
    ['w', tf.variable(tf.tensor2d(w, [2, 3]))],
    ['b', tf.variable(tf.tensor1d(b))],
  ]);
}
function gradsAt(step: number) {
  const rng = new Rng(1000 + step);
  return new Map<string, tf.Tensor>([
    ['w', tf.tensor2d(Array.from({ length: 6 }, () => rng.next() * 2 - 1), [2, 3])],
    ['b', tf.tensor1d(Array.from({ length: 3 }, () => rng.next() * 2 - 1))],
  ]);
}

describe('AdamW', () => {
  it('matches a plain float64 AdamW with decoupled decay on matrices only', () => {
    const params = makeParams(1);
    const ref = new Map([...params].map(([k, v]) => [k, Array.from(v.dataSync())]));
    const m = new Map([...ref].map(([k, v]) => [k, v.map(() => 0)]));
    const v2 = new Map([...ref].map(([k, v]) => [k, v.map(() => 0)]));
    const opt = new AdamW(params, opts);
    for (let t = 1; t <= 4; t++) {
      const lr = 0.01 * t;
      const g = gradsAt(t);
      opt.apply(g, lr);
      for (const [k, p] of ref) {
        const gv = Array.from(g.get(k)!.dataSync());
        const decay = k === 'w' ? 1 - lr * opts.weightDecay : 1;
        for (let i = 0; i < p.length; i++) {
          m.get(k)![i] = 0.9 * m.get(k)![i] + 0.1 * gv[i];
          v2.get(k)![i] = 0.95 * v2.get(k)![i] + 0.05 * gv[i] ** 2;
          const mh = m.get(k)![i] / (1 - 0.9 ** t);
          const vh = v2.get(k)![i] / (1 - 0.95 ** t);
          p[i] = p[i] * decay - (lr * mh) / (Math.sqrt(vh) + 1e-8);
        }
      }
    }
    for (const [k, p] of ref) {
      const got = params.get(k)!.dataSync();
      p.forEach((x, i) => expect(got[i]).toBeCloseTo(x, 5));
    }
  });

  it('holds exactly two moment tensors per parameter (no leaked temporaries)', () => {
    const params = makeParams(3);
    const before = tf.memory().numTensors;
    const opt = new AdamW(params, opts);
    expect(tf.memory().numTensors - before).toBe(2 * params.size);
    const g = gradsAt(0);
    opt.apply(g, 1e-2);
    tf.dispose([...g.values()]);
    expect(tf.memory().numTensors - before).toBe(2 * params.size);
  });

  it('export/import of the state resumes bit-identically', () => {
    const a = makeParams(2);
    const optA = new AdamW(a, opts);
    for (let t = 1; t <= 5; t++) optA.apply(gradsAt(t), 0.02);

    const b = makeParams(2);
    const optB = new AdamW(b, opts);
    for (let t = 1; t <= 3; t++) optB.apply(gradsAt(t), 0.02);
    const saved = optB.exportState();
    const weights = new Map([...b].map(([k, v]) => [k, Float32Array.from(v.dataSync())]));
    const c = new Map([...weights].map(([k, d]) => [k, tf.variable(tf.tensor(d, b.get(k)!.shape))]));
    const optC = new AdamW(c, opts);
    optC.importState(saved);
    for (let t = 4; t <= 5; t++) optC.apply(gradsAt(t), 0.02);
    for (const k of a.keys()) expect(Array.from(c.get(k)!.dataSync())).toEqual(Array.from(a.get(k)!.dataSync()));
    expect(optC.step).toBe(5);
  });
});

describe('clipByGlobalNorm', () => {
  it('reports the pre-clip norm and scales to maxNorm', () => {
    const g = new Map<string, tf.Tensor>([['a', tf.tensor1d([3, 0])], ['b', tf.tensor1d([4])]]);
    const { grads, norm } = clipByGlobalNorm(g, 1);
    expect(norm).toBeCloseTo(5, 6);
    expect(Array.from(grads.get('a')!.dataSync())[0]).toBeCloseTo(0.6, 5);
    expect(clipByGlobalNorm(g, 10).grads.get('b')!.dataSync()[0]).toBe(4);
    expect(clipByGlobalNorm(new Map([['x', tf.tensor1d([NaN])]]), 1).norm).toBeNaN();
  });
});

describe('learning-rate schedule', () => {
  const s = { lr: 1, warmupSteps: 4, decay: 'cosine' as const, minLrRatio: 0.1 };
  it('linear warmup, then cosine to lr·minLrRatio', () => {
    expect([0, 1, 2, 3].map((u) => learningRate(s, u, 14))).toEqual([0.25, 0.5, 0.75, 1]);
    expect(learningRate(s, 4, 14)).toBeCloseTo(1, 12);
    expect(learningRate(s, 13, 14)).toBeCloseTo(0.1, 12);
    expect(learningRate(s, 8.5, 14)).toBeCloseTo(0.55, 12); // halfway
    expect(learningRate({ ...s, decay: 'constant' }, 10, 14)).toBe(1);
  });
});

describe('Rng', () => {
  it('is deterministic, state round-trips, seeds differ', () => {
    const a = new Rng(7);
    const first = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => new Rng(7)).map((r) => r.nextU32())[0]).toBe(first[0]);
    const st = a.state();
    const x = [a.next(), a.int(10), a.next()];
    const b = Rng.fromState(st);
    expect([b.next(), b.int(10), b.next()]).toEqual(x);
    expect(new Rng(8).nextU32()).not.toBe(new Rng(7).nextU32());
    const r = new Rng(3);
    const xs = Array.from({ length: 20000 }, () => r.next());
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(xs.every((v) => v >= 0 && v < 1)).toBe(true);
  });
});
