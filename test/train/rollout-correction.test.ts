import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.ts';
import { ClippedLossSchema, DrpoLossSchema } from '../../src/train/loss-config.ts';
import { clippedLossPlain, type PlainLossInput } from '../../src/train/losses-plain.ts';
import { clippedLoss } from '../../src/train/losses.ts';
import {
  alignRolloutLogProbs,
  mismatchMetrics,
  requireRolloutLogProbs,
  rolloutCorrectionPlain,
  RolloutCorrectionSchema,
  rolloutWeightsPlain,
} from '../../src/train/rollout-correction.ts';
import { rolloutCorrectionTf, rolloutWeightsTf } from '../../src/train/rollout-correction-tf.ts';
import { makeRng } from '../../src/util/rng.ts';

beforeAll(async () => {
  await initEngine();
});

const rc = (o: object = {}) => RolloutCorrectionSchema.parse(o);
/** A loss schema parsed with or without its `type` key (whichever the schema wants). */
function withType<S extends { safeParse(x: unknown): { success: boolean } }>(schema: S, type: string, o: object) {
  return schema.safeParse(o).success || !schema.safeParse({ ...o, type }).success ? schema.safeParse(o) : schema.safeParse({ ...o, type });
}
const clipped = (o: object = {}) => {
  const r = withType(ClippedLossSchema, 'clipped', o) as ReturnType<typeof ClippedLossSchema.safeParse>;
  if (!r.success) throw r.error;
  return r.data;
};
const close = (a: number[][], b: number[][], digits = 6) => a.forEach((row, i) => row.forEach((v, j) => expect(v, `[${i}][${j}]`).toBeCloseTo(b[i][j], digits)));

describe('rollout-correction weights: hand-computed', () => {
  // Row 0: log r = [0.5, −1, 0] → r = [e^0.5 = 1.6487, e^−1 = 0.3679, 1]; Σ log r = −0.5 → R = 0.6065.
  // Row 1: log r = [0.9, 0.8], position 2 masked → R = e^1.7 = 5.4739.
  const old = [[-1, -2, -0.5], [-0.1, -0.2, -9]];
  const eng = [[-1.5, -1, -0.5], [-1, -1, 3]];
  const mask = [[1, 1, 1], [1, 1, 0]];
  const e = Math.exp;

  it('token TIS truncates at C, token MIS zeroes above C; masked positions keep 1', () => {
    close(rolloutWeightsPlain(rc({ mode: 'tis', cap: 1.5 }), old, eng, mask), [[1.5, e(-1), 1], [1.5, 1.5, 1]]);
    close(rolloutWeightsPlain(rc({ mode: 'mis', cap: 1.5 }), old, eng, mask), [[0, e(-1), 1], [0, 0, 1]]);
    close(rolloutWeightsPlain(rc({ mode: 'tis', cap: 3 }), old, eng, mask), [[e(0.5), e(-1), 1], [e(0.9), e(0.8), 1]]);
  });

  it('sequence level: one weight R = exp(Σ log r) per row, truncated or masked at C', () => {
    close(rolloutWeightsPlain(rc({ mode: 'tis', level: 'sequence' }), old, eng, mask), [[e(-0.5), e(-0.5), e(-0.5)], [3, 3, 1]]);
    close(rolloutWeightsPlain(rc({ mode: 'mis', level: 'sequence' }), old, eng, mask), [[e(-0.5), e(-0.5), e(-0.5)], [0, 0, 1]]);
    close(rolloutWeightsPlain(rc({ mode: 'tis', level: 'sequence', cap: 6 }), old, eng, mask), [[e(-0.5), e(-0.5), e(-0.5)], [e(1.7), e(1.7), 1]]);
  });

  it('mode none is all ones; an unknown (NaN) engine log-prob counts as ratio 1', () => {
    close(rolloutWeightsPlain(rc(), old, eng, mask), [[1, 1, 1], [1, 1, 1]]);
    const nan = [[NaN, -1, -0.5], [-1, NaN, 0]];
    close(rolloutWeightsPlain(rc({ mode: 'tis', level: 'sequence', cap: 10 }), old, nan, mask), [[e(-1), e(-1), e(-1)], [e(0.9), e(0.9), 1]]);
  });

  it('loss metrics: mean weight and capped share over the update tokens', () => {
    const { metrics } = rolloutCorrectionPlain(rc({ mode: 'mis', cap: 1.5 }), old, eng, mask, 10);
    expect(metrics['mismatch/weight_mean']).toBeCloseTo((0 + e(-1) + 1 + 0 + 0) / 10, 10);
    expect(metrics['mismatch/capped_frac']).toBeCloseTo(3 / 10, 10);
  });
});

describe('rollout-correction weights: tfjs equals the float64 oracle', () => {
  const rng = makeRng(3);
  const B = 7;
  const T = 6;
  const mat = (f: () => number) => Array.from({ length: B }, () => Array.from({ length: T }, f));
  const old = mat(() => -0.1 - 3 * rng.next());
  // Engine log-probs near the trainer's (ratios 0.3–3.3), some unknown.
  const eng = old.map((r) => r.map((v) => (rng.next() < 0.1 ? NaN : v + 2.4 * (rng.next() - 0.5))));
  const mask = Array.from({ length: B }, () => {
    const s = Math.floor(2 * rng.next());
    const L = 1 + Math.floor((T - s) * rng.next());
    return Array.from({ length: T }, (_, t) => (t >= s && t < s + L ? 1 : 0));
  });
  for (const mode of ['none', 'tis', 'mis'] as const)
    for (const level of ['token', 'sequence'] as const)
      it(`${mode} / ${level}`, () => {
        const cfg = rc({ mode, level, cap: 1.7 });
        const want = rolloutCorrectionPlain(cfg, old, eng, mask, 30);
        const got = tf.tidy(() => {
          const out = rolloutCorrectionTf(cfg, tf.tensor2d(old), tf.tensor2d(eng), tf.tensor2d(mask), 30);
          return { w: out.weights.arraySync() as number[][], m: Object.fromEntries(Object.entries(out.metrics).map(([k, v]) => [k, v.dataSync()[0]])) };
        });
        close(got.w, want.weights, 5);
        for (const [k, v] of Object.entries(want.metrics)) expect(got.m[k], k).toBeCloseTo(v, 5);
        if (mode !== 'none') expect(want.metrics['mismatch/capped_frac']).toBeGreaterThan(0); // the example exercises the cap
      });
});

describe('clipped loss with rollout correction', () => {
  const rng = makeRng(17);
  const B = 8;
  const T = 5;
  const mat = (f: () => number) => Array.from({ length: B }, () => Array.from({ length: T }, f));
  const old = mat(() => -0.2 - 2 * rng.next());
  const x: PlainLossInput = {
    oldLogProbs: old,
    logProbs: old.map((r) => r.map((v) => v + 0.5 * (rng.next() - 0.5))),
    rolloutLogProbs: old.map((r) => r.map((v) => v + 1.6 * (rng.next() - 0.5))),
    refLogProbs: mat(() => -0.2 - 2 * rng.next()),
    mask: Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (t < 1 + (b % T) ? 1 : 0))),
    advantages: Array.from({ length: B }, () => rng.next() * 2 - 1),
    truncated: Array.from({ length: B }, (_, b) => b % 3 === 0),
  };
  const toT = (p: PlainLossInput) => ({
    logProbs: tf.tensor2d(p.logProbs),
    oldLogProbs: tf.tensor2d(p.oldLogProbs),
    rolloutLogProbs: p.rolloutLogProbs ? tf.tensor2d(p.rolloutLogProbs) : undefined,
    refLogProbs: tf.tensor2d(p.refLogProbs!),
    mask: tf.tensor2d(p.mask),
    advantages: tf.tensor1d(p.advantages as number[]),
    truncated: p.truncated,
  });

  const configs = [
    clipped({ rolloutCorrection: { mode: 'tis' } }),
    clipped({ rolloutCorrection: { mode: 'mis', cap: 1.3 }, dualClip: 3, klCoef: 0.1 }),
    clipped({ rolloutCorrection: { mode: 'tis', level: 'sequence', cap: 2 }, aggregation: 'seq-mean-token-mean', maskTruncated: true }),
    clipped({ rolloutCorrection: { mode: 'mis', level: 'sequence', cap: 1.5 }, aggregation: 'seq-mean-token-sum-norm' }),
  ];
  it.each(configs.map((c, i) => [i, c] as const))('tfjs equals the plain oracle, config %i', (_i, cfg) => {
    const want = clippedLossPlain(cfg, x);
    const got = tf.tidy(() => {
      const out = clippedLoss(cfg, toT(x));
      return { loss: out.loss.dataSync()[0], m: Object.fromEntries(Object.entries(out.metrics).map(([k, v]) => [k, v.dataSync()[0]])) };
    });
    expect(got.loss).toBeCloseTo(want.loss, 5);
    for (const [k, v] of Object.entries(want.metrics)) expect(got.m[k], k).toBeCloseTo(v, 4);
    expect(want.metrics['mismatch/weight_mean']).toBeDefined();
    // The correction changes the loss (the example has ratios away from 1).
    expect(Math.abs(want.loss - clippedLossPlain({ ...cfg, rolloutCorrection: rc() }, x).loss)).toBeGreaterThan(1e-3);
  });

  it('the weight multiplies the surrogate detached: ∂loss/∂logπ_θ = w ⊙ (the uncorrected gradient), KL term unweighted', () => {
    for (const level of ['token', 'sequence'] as const) {
      const on = clipped({ rolloutCorrection: { mode: 'tis', level, cap: 1.4 } });
      const off = clipped();
      const grad = (cfg: typeof on) =>
        tf.tidy(() => {
          const t = toT(x);
          return tf.grad((lp: tf.Tensor) => clippedLoss(cfg, { ...t, logProbs: lp as tf.Tensor2D }).loss)(t.logProbs).arraySync() as number[][];
        });
      const w = rolloutWeightsPlain(on.rolloutCorrection, x.oldLogProbs, x.rolloutLogProbs!, x.mask);
      const g0 = grad(off);
      close(grad(on), g0.map((r, b) => r.map((v, t) => w[b][t] * v)), 5);
      expect(w.flat().some((v) => Math.abs(v - 1) > 0.05)).toBe(true);
      // With a KL penalty the KL gradient is not weighted: difference = (w − 1)·(surrogate gradient) only.
      const klOn = clipped({ rolloutCorrection: { mode: 'tis', level, cap: 1.4 }, klCoef: 0.5 });
      const gKl = grad(klOn);
      const gKlOff = grad(clipped({ klCoef: 0.5 }));
      close(gKl.map((r, b) => r.map((v, t) => v - gKlOff[b][t])), g0.map((r, b) => r.map((v, t) => (w[b][t] - 1) * v)), 5);
    }
  });

  it('a correction without engine log-probs is an error, not a silent weight of 1', () => {
    const cfg = configs[0];
    expect(() => clippedLossPlain(cfg, { ...x, rolloutLogProbs: undefined })).toThrow(/rolloutLogProbs/);
    expect(() => tf.tidy(() => clippedLoss(cfg, { ...toT(x), rolloutLogProbs: undefined }).loss)).toThrow(/rolloutLogProbs/);
  });
});

describe('recipe schema', () => {
  it('defaults to off, cap 3, token level; cap < 1 and unknown modes are rejected; DRPO has no such key', () => {
    expect(clipped().rolloutCorrection).toEqual({ mode: 'none', level: 'token', cap: 3 });
    expect(() => clipped({ rolloutCorrection: { mode: 'tis', cap: 0.5 } })).toThrow();
    expect(() => clipped({ rolloutCorrection: { mode: 'is' } })).toThrow();
    expect(withType(DrpoLossSchema, 'drpo', {}).success).toBe(true);
    expect(withType(DrpoLossSchema, 'drpo', { rolloutCorrection: { mode: 'tis' } }).success).toBe(false);
  });
});

describe('mismatch metrics and row alignment', () => {
  it('aligns completion log-probs to the trainer layout (position promptLength − 1 + k)', () => {
    expect(Array.from(alignRolloutLogProbs(3, 2, [-0.5, -1.5])!)).toEqual([0, 0, -0.5, -1.5]);
    expect(alignRolloutLogProbs(3, 2, [-0.5])).toBeUndefined(); // not one per token
    expect(alignRolloutLogProbs(3, 2, undefined)).toBeUndefined();
  });

  it('k3 and k1 KL(engine‖old) per token, max/min token ratio, max sequence ratio: hand-computed', () => {
    // Row A: prompt 2, completion 2: log r = [0.2, −0.4]; row B: log r = [0.1] and one unknown token; row C: no log-probs.
    const rows = [
      { tokens: [9, 9, 1, 2], promptLength: 2, old: Float32Array.from([0, -1, -2]), rollout: Float32Array.from([0, -1.2, -1.6]) },
      { tokens: [9, 1, 2], promptLength: 1, old: Float32Array.from([-0.5, -3]), rollout: Float32Array.from([-0.6, NaN]) },
      { tokens: [9, 1, 2], promptLength: 1, old: Float32Array.from([-0.5, -3]) },
    ];
    const m = mismatchMetrics(rows);
    const k3 = (l: number) => Math.exp(l) - 1 - l;
    expect(m['mismatch/kl']).toBeCloseTo((k3(0.2) + k3(-0.4) + k3(0.1)) / 3, 5);
    expect(m['mismatch/kl_k1']).toBeCloseTo(-(0.2 - 0.4 + 0.1) / 3, 5);
    expect(m['mismatch/max_ratio']).toBeCloseTo(Math.exp(0.2), 5);
    expect(m['mismatch/min_ratio']).toBeCloseTo(Math.exp(-0.4), 5);
    expect(m['mismatch/max_seq_ratio']).toBeCloseTo(Math.exp(0.1), 5);
    expect(m['mismatch/rows_without_logprobs']).toBe(1);
    expect(mismatchMetrics([rows[2]])).toEqual({});
    expect(() => requireRolloutLogProbs(rows, 'openai')).toThrow(/1 of 3 rollouts from the "openai" engine/);
  });
});
