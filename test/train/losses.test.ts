import { drpoPositiveWeights } from '../../rewards/shapers/drpo.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.ts';
import { ClippedLossSchema, DrpoLossSchema } from '../../src/train/loss-config.ts';
import {
  aggregatePlain,
  clippedLossPlain,
  drpoLossPlain,
  normalizersPlain,
  type PlainLossInput,
} from '../../src/train/losses-plain.ts';
import { clippedLoss, drpoLoss, type LossInput } from '../../src/train/losses.ts';
import { Rng } from '../../src/util/rng.ts';

beforeAll(async () => {
  await initEngine();
});

const clipped = (o: object = {}) => ClippedLossSchema.parse(o);
const drpo = (o: object = {}) => DrpoLossSchema.parse(o);

function toTensors(x: PlainLossInput): LossInput {
  const adv = x.advantages;
  return {
    logProbs: tf.tensor2d(x.logProbs),
    oldLogProbs: tf.tensor2d(x.oldLogProbs),
    refLogProbs: x.refLogProbs ? tf.tensor2d(x.refLogProbs) : undefined,
    mask: tf.tensor2d(x.mask),
    entropy: x.entropy ? tf.tensor2d(x.entropy) : undefined,
    advantages: adv ? (Array.isArray(adv[0]) ? tf.tensor2d(adv as number[][]) : tf.tensor1d(adv as number[])) : undefined,
    truncated: x.truncated,
    groups: x.groups,
    correct: x.correct,
    rewards: x.rewards,
    maxCompletionLength: x.maxCompletionLength,
    norm: x.norm,
  };
}

function randomInput(rng: Rng, B: number, T: number, perToken = false): PlainLossInput {
  const mat = (f: () => number) => Array.from({ length: B }, () => Array.from({ length: T }, f));
  const old = mat(() => -0.2 - 3 * rng.next());
  return {
    oldLogProbs: old,
    logProbs: old.map((r) => r.map((v) => v + 0.6 * (rng.next() - 0.5))),
    refLogProbs: mat(() => -0.2 - 3 * rng.next()),
    entropy: mat(() => 2 * rng.next()),
    mask: Array.from({ length: B }, () => {
      const L = 1 + rng.int(T);
      return Array.from({ length: T }, (_, t) => (t < L ? 1 : 0));
    }),
    advantages: perToken ? mat(() => rng.next() * 2 - 1) : Array.from({ length: B }, () => rng.next() * 2 - 1),
    truncated: Array.from({ length: B }, () => rng.next() < 0.3),
    groups: Array.from({ length: B }, (_, b) => Math.floor(b / 4)),
    correct: Array.from({ length: B }, () => rng.next() < 0.5),
    rewards: Array.from({ length: B }, () => rng.next()),
    maxCompletionLength: T + 2,
  };
}

function expectMetricsClose(a: Record<string, tf.Scalar>, b: Record<string, number>) {
  for (const [k, v] of Object.entries(b)) {
    expect(a[k], k).toBeDefined();
    expect(a[k].dataSync()[0], k).toBeCloseTo(v, 4);
  }
}

describe('clipped surrogate: hand-computed', () => {
  const one = (ratio: number, A: number, cfg = clipped()) =>
    clippedLossPlain(cfg, { logProbs: [[Math.log(ratio)]], oldLogProbs: [[0]], mask: [[1]], advantages: [A] }).loss;
  it('clips the ratio only where it helps the objective', () => {
    expect(one(1.5, 1)).toBeCloseTo(-1.2, 12); // min(1.5, 1.2)
    expect(one(0.5, 1)).toBeCloseTo(-0.5, 12); // min(0.5, 0.8)
    expect(one(0.5, -1)).toBeCloseTo(0.8, 12); // min(-0.5, -0.8)
    expect(one(1.5, -1)).toBeCloseTo(1.5, 12); // min(-1.5, -1.2)
    expect(one(1.25, 1, clipped({ epsHigh: 0.28 }))).toBeCloseTo(-1.25, 12); // clip-higher leaves 1.25 alone
  });
  it('dual clip bounds the objective by c·A for A < 0', () => {
    expect(one(4, -1)).toBeCloseTo(4, 12);
    expect(one(4, -1, clipped({ dualClip: 3 }))).toBeCloseTo(3, 12);
    expect(one(4, 1, clipped({ dualClip: 3 }))).toBeCloseTo(-1.2, 12);
  });
  it('tfjs clip fractions count active clips', () => {
    const x = { logProbs: [[Math.log(1.5), Math.log(0.5), Math.log(1.0)]], oldLogProbs: [[0, 0, 0]], mask: [[1, 1, 1]], advantages: [[1, -1, 1]] };
    const out = clippedLoss(clipped(), toTensors(x));
    expect(out.metrics['clip/high_frac'].dataSync()[0]).toBeCloseTo(1 / 3, 6);
    expect(out.metrics['clip/low_frac'].dataSync()[0]).toBeCloseTo(1 / 3, 6);
    expect(out.loss.dataSync()[0]).toBeCloseTo(-(1.2 - 0.8 + 1) / 3, 6);
  });
});

describe('aggregation: hand-computed', () => {
  const x = [[1, 2, 3], [4, 0, 0]];
  const m = [[1, 1, 1], [1, 0, 0]];
  const norm = normalizersPlain(m, { maxCompletionLength: 5 });
  it('token-mean, seq-mean-token-mean, seq-mean-token-sum-norm', () => {
    expect(aggregatePlain(x, m, 'token-mean', norm)).toBeCloseTo(10 / 4, 12);
    expect(aggregatePlain(x, m, 'seq-mean-token-mean', norm)).toBeCloseTo((2 + 4) / 2, 12);
    expect(aggregatePlain(x, m, 'seq-mean-token-sum-norm', norm)).toBeCloseTo(10 / (2 * 5), 12);
  });
  it('tfjs aggregations on the same example', () => {
    const lp = x.map((r) => r.map((v) => Math.log(v + 1)));
    for (const aggregation of ['token-mean', 'seq-mean-token-mean', 'seq-mean-token-sum-norm'] as const) {
      const input = { logProbs: lp, oldLogProbs: lp, mask: m, advantages: [1, 1], maxCompletionLength: 5 };
      const want = clippedLossPlain(clipped({ aggregation }), input).loss;
      expect(want).toBeCloseTo(-aggregatePlain([[1, 1, 1], [1, 1, 1]], m, aggregation, norm), 12);
      expect(clippedLoss(clipped({ aggregation }), toTensors(input)).loss.dataSync()[0]).toBeCloseTo(want, 5);
    }
  });
});

describe('KL estimators and DRPO: hand-computed', () => {
  it('k1/k2/k3 against the reference', () => {
    const x = { logProbs: [[-1]], oldLogProbs: [[-1]], refLogProbs: [[-1.5]], mask: [[1]], advantages: [0] };
    const d = -0.5; // log ref − log π
    expect(clippedLossPlain(clipped({ klCoef: 1, klEstimator: 'k1' }), x).loss).toBeCloseTo(-d, 12);
    expect(clippedLossPlain(clipped({ klCoef: 1, klEstimator: 'k2' }), x).loss).toBeCloseTo(0.5 * d * d, 12);
    expect(clippedLossPlain(clipped({ klCoef: 2, klEstimator: 'k3' }), x).loss).toBeCloseTo(2 * (Math.exp(d) - d - 1), 12);
  });
  it('DRPO: weighted positives, log-sum-exp negatives, empty-side groups count in the mean', () => {
    // group 0: positives s = -1 (r 0.5), -2 (r 0); negatives s = -3, -4. group 1: all correct → skipped.
    const lp = [[-1, -1], [-2, -2], [-3, -3], [-4, -4], [-1, -1]];
    const x: PlainLossInput = {
      logProbs: lp,
      oldLogProbs: lp,
      mask: lp.map(() => [1, 1]),
      groups: [0, 0, 0, 0, 1],
      correct: [true, true, false, false, true],
      rewards: [0.5, 0, 0, 0, 1],
    };
    const lambda = 0.25;
    const tau = 2;
    const w1 = Math.exp(0.5 / lambda) / (Math.exp(0.5 / lambda) + Math.exp(0));
    const J0 = w1 * -1 + (1 - w1) * -2 - tau * Math.log(Math.exp(-3 / tau) + Math.exp(-4 / tau));
    const out = drpoLossPlain(drpo({ lambda, tau }), x);
    expect(out.loss).toBeCloseTo(-J0 / 2, 12); // θ = old: KL 0, no trust-region term
    expect(out.metrics['drpo/skipped_groups']).toBe(1);
    expect(drpoPositiveWeights([1, 1, 1], 0.1)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(drpoLoss(drpo({ lambda, tau }), toTensors(x)).loss.dataSync()[0]).toBeCloseTo(-J0 / 2, 5);
  });
  it('GSPO / LUSPO by hand: one ratio per sequence from its mean log-ratio; LUSPO scales by length', () => {
    // Row 0: log-ratios 0.1, 0.3 (mean 0.2); row 1: one token, log-ratio −0.4. A = +1, −1.
    const x: PlainLossInput = {
      logProbs: [[-1.0, -2.0], [-1.5, 0]],
      oldLogProbs: [[-1.1, -2.3], [-1.1, 0]],
      mask: [[1, 1], [1, 0]],
      advantages: [1, -1],
    };
    const s0 = Math.exp(0.2);
    const s1 = Math.exp(-0.4);
    // ε 0.1: s0 = 1.2214 clips to 1.1 (A > 0: min(1.2214, 1.1) = 1.1); s1 = 0.6703 with A < 0: min(−0.6703, −0.9) = −0.9
    const gspo = clippedLossPlain(clipped({ importanceLevel: 'sequence', epsLow: 0.1, epsHigh: 0.1 }), x);
    expect(gspo.loss).toBeCloseTo(-(2 * 1.1 + -0.9) / 3, 12); // token-mean over 3 tokens
    expect(gspo.metrics['ratio/max']).toBeCloseTo(s0, 12);
    expect(gspo.metrics['ratio/min']).toBeCloseTo(s1, 12);
    const luspo = clippedLossPlain(clipped({ importanceLevel: 'sequence', lengthUnbiased: true, epsLow: 0.1, epsHigh: 0.1, aggregation: 'seq-mean-token-mean' }), x);
    expect(luspo.loss).toBeCloseTo(-(2 * 1.1 + 1 * -0.9) / 2, 12); // per sequence |y|·obj, then the mean over sequences
  });
  it('DRPO trust region: stopgrad(max(β(KL−δ),0))·KL', () => {
    const x: PlainLossInput = {
      logProbs: [[-1], [-2]],
      oldLogProbs: [[-1.1], [-2.1]],
      mask: [[1], [1]],
      groups: [0, 0],
      correct: [true, false],
      rewards: [0, 0],
    };
    const kl = -0.1; // k1 of KL(old‖θ) = log old − log θ
    const coef = Math.max(1000 * (kl - 1e-4), 0);
    expect(coef).toBe(0);
    const cfg = drpo({ klEstimator: 'k2', beta: 1000 });
    const k2 = 0.5 * 0.01;
    const out = drpoLossPlain(cfg, x);
    expect(out.metrics['drpo/tr_kl']).toBeCloseTo(k2, 12);
    // kl/old is the same k3 estimate under every loss, whatever the trust region uses.
    const k3 = Math.exp(0.1) - 0.1 - 1;
    expect(out.metrics['kl/old']).toBeCloseTo(k3, 12);
    expect(clippedLossPlain(clipped(), { ...x, advantages: [1, -1] }).metrics['kl/old']).toBeCloseTo(k3, 12);
    expect(out.metrics['drpo/tr_coef']).toBeCloseTo(1000 * (k2 - 1e-4), 9);
    const J = -1 - 10 * (-2 / 10);
    expect(out.loss).toBeCloseTo(-J + 1000 * (k2 - 1e-4) * k2, 9);
  });
});

describe('tfjs losses equal their plain-array oracles', () => {
  const configs = [
    clipped(),
    clipped({ epsHigh: 0.28, dualClip: 3, aggregation: 'seq-mean-token-mean' }),
    clipped({ aggregation: 'seq-mean-token-sum-norm', klCoef: 0.1, klEstimator: 'k1', entropyCoef: 0.01, maskTruncated: true }),
    clipped({ aggregation: 'token-mean', klCoef: 0.05, klEstimator: 'k2', normConstant: 100 }),
    clipped({ klCoef: 0.05, klEstimator: 'k3', dualClip: 10, maskTruncated: true }),
    clipped({ importanceLevel: 'sequence', epsLow: 0.1, epsHigh: 0.15, aggregation: 'seq-mean-token-mean' }),
    clipped({ importanceLevel: 'sequence', lengthUnbiased: true, dualClip: 3, maskTruncated: true }),
  ];
  it.each(configs.map((c, i) => [i, c] as const))('clipped config %i', (_i, cfg) => {
    const rng = new Rng(11 + _i);
    for (const perToken of [false, true]) {
      const x = randomInput(rng, 8, 7, perToken);
      const want = clippedLossPlain(cfg, x);
      const got = tf.tidy(() => {
        const out = clippedLoss(cfg, toTensors(x));
        return { loss: out.loss.dataSync()[0], metrics: out.metrics };
      });
      expect(got.loss).toBeCloseTo(want.loss, 5);
      expectMetricsClose(got.metrics, want.metrics);
    }
  });
  it.each([drpo(), drpo({ lambda: 1, tau: 0.5, klEstimator: 'k3', beta: 10, delta: 0 }), drpo({ maskTruncated: true, klEstimator: 'k2' })].map((c, i) => [i, c] as const))(
    'drpo config %i',
    (_i, cfg) => {
      const rng = new Rng(100 + _i);
      const x = randomInput(rng, 12, 6);
      const want = drpoLossPlain(cfg, x);
      const out = drpoLoss(cfg, toTensors(x));
      expect(out.loss.dataSync()[0]).toBeCloseTo(want.loss, 4);
      expectMetricsClose(out.metrics, want.metrics);
    },
  );
  it('micro-batch losses with update normalizers sum to the full loss', () => {
    const rng = new Rng(5);
    const x = randomInput(rng, 8, 5);
    const cfg = clipped({ aggregation: 'seq-mean-token-mean', klCoef: 0.1, maskTruncated: true });
    const full = clippedLossPlain(cfg, x).loss;
    const norm = normalizersPlain(x.mask.map((r, b) => (x.truncated![b] ? r.map(() => 0) : r)), { maxCompletionLength: x.maxCompletionLength });
    const slice = <T>(a: T[] | undefined, s: number, e: number) => a?.slice(s, e);
    let sum = 0;
    for (const [s, e] of [[0, 3], [3, 8]]) {
      const part: PlainLossInput = {
        logProbs: x.logProbs.slice(s, e),
        oldLogProbs: x.oldLogProbs.slice(s, e),
        refLogProbs: slice(x.refLogProbs, s, e),
        mask: x.mask.slice(s, e),
        advantages: (x.advantages as number[]).slice(s, e),
        truncated: slice(x.truncated, s, e),
        norm,
      };
      sum += clippedLoss(cfg, toTensors(part)).loss.dataSync()[0];
    }
    expect(sum).toBeCloseTo(full, 5);
  });
});

/**
 * Gradient check on a tiny linear-softmax model: logits[b,t] = X[b,t] · W.
 * Reference gradients by central differences of the float64 oracle.
 */
describe('gradients of the tfjs losses match finite differences', () => {
  const B = 6;
  const T = 4;
  const D = 3;
  const V = 5;
  const rng = new Rng(42);
  const X = Array.from({ length: B }, () => Array.from({ length: T }, () => Array.from({ length: D }, () => rng.next() * 2 - 1)));
  const targets = Array.from({ length: B }, () => Array.from({ length: T }, () => rng.int(V)));
  const W0 = Array.from({ length: D }, () => Array.from({ length: V }, () => rng.next() - 0.5));

  function plainForward(W: number[][]): { lp: number[][]; ent: number[][] } {
    const lp: number[][] = [];
    const ent: number[][] = [];
    for (let b = 0; b < B; b++) {
      lp.push([]);
      ent.push([]);
      for (let t = 0; t < T; t++) {
        const logits = Array.from({ length: V }, (_, v) => X[b][t].reduce((a, x, d) => a + x * W[d][v], 0));
        const mx = Math.max(...logits);
        const lse = mx + Math.log(logits.reduce((a, l) => a + Math.exp(l - mx), 0));
        const logp = logits.map((l) => l - lse);
        lp[b].push(logp[targets[b][t]]);
        ent[b].push(-logp.reduce((a, l) => a + Math.exp(l) * l, 0));
      }
    }
    return { lp, ent };
  }

  function tfForward(W: tf.Tensor2D): { lp: tf.Tensor2D; ent: tf.Tensor2D } {
    const logits = tf.reshape(tf.matMul(tf.tensor2d(X.flat(), [B * T, D]), W), [B, T, V]); // [B, T, V]
    const logp = tf.logSoftmax(logits); // [B, T, V]
    const onehot = tf.oneHot(tf.tensor2d(targets, [B, T], 'int32'), V); // [B, T, V]
    return {
      lp: tf.sum(tf.mul(logp, onehot), -1) as tf.Tensor2D,
      ent: tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), -1)) as tf.Tensor2D,
    };
  }

  const { lp: old } = plainForward(W0.map((r) => r.map((v) => v * 0.9)));
  const meta = {
    oldLogProbs: old,
    refLogProbs: plainForward(W0.map((r) => r.map((v) => v * 1.1))).lp,
    mask: Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => (t < 2 + (b % 3) ? 1 : 0))),
    advantages: [0.9, -0.7, 0.4, -1.2, 0.3, -0.2],
    groups: [0, 0, 0, 1, 1, 1],
    correct: [true, false, true, false, true, false],
    rewards: [0.3, 0, 0.8, 0, 0.5, 0],
  };

  const shiftedOld = plainForward(W0).lp.map((r) => r.map((v) => v - 0.5));

  const cases: [string, (lp: number[][], ent: number[][]) => number, (lp: tf.Tensor2D, ent: tf.Tensor2D) => tf.Scalar][] = [
    [
      'clipped + k3 KL + entropy, seq-mean-token-mean',
      (lp, ent) => clippedLossPlain(clipped({ epsLow: 0.5, epsHigh: 0.5, klCoef: 0.3, entropyCoef: 0.05, aggregation: 'seq-mean-token-mean' }), { ...meta, logProbs: lp, entropy: ent }).loss,
      (lp, ent) => clippedLoss(clipped({ epsLow: 0.5, epsHigh: 0.5, klCoef: 0.3, entropyCoef: 0.05, aggregation: 'seq-mean-token-mean' }), { ...toTensors({ ...meta, logProbs: [[0]] }), logProbs: lp, entropy: ent }).loss,
    ],
    [
      'clipped, token-mean, k2',
      (lp) => clippedLossPlain(clipped({ epsLow: 0.5, epsHigh: 0.5, klCoef: 0.2, klEstimator: 'k2' }), { ...meta, logProbs: lp }).loss,
      (lp) => clippedLoss(clipped({ epsLow: 0.5, epsHigh: 0.5, klCoef: 0.2, klEstimator: 'k2' }), { ...toTensors({ ...meta, logProbs: [[0]] }), logProbs: lp }).loss,
    ],
    [
      'GSPO: sequence-level ratio, seq-mean-token-mean',
      (lp) => clippedLossPlain(clipped({ importanceLevel: 'sequence', epsLow: 0.5, epsHigh: 0.5, aggregation: 'seq-mean-token-mean' }), { ...meta, logProbs: lp }).loss,
      (lp) => clippedLoss(clipped({ importanceLevel: 'sequence', epsLow: 0.5, epsHigh: 0.5, aggregation: 'seq-mean-token-mean' }), { ...toTensors({ ...meta, logProbs: [[0]] }), logProbs: lp }).loss,
    ],
    [
      'LUSPO: sequence-level ratio × |y_i|, token-mean',
      (lp) => clippedLossPlain(clipped({ importanceLevel: 'sequence', lengthUnbiased: true, epsLow: 0.5, epsHigh: 0.5 }), { ...meta, logProbs: lp }).loss,
      (lp) => clippedLoss(clipped({ importanceLevel: 'sequence', lengthUnbiased: true, epsLow: 0.5, epsHigh: 0.5 }), { ...toTensors({ ...meta, logProbs: [[0]] }), logProbs: lp }).loss,
    ],
    [
      'clipped with an active dual clip (DLER: 0.2/0.28, c·A bound for A < 0)',
      // old log-probs 0.5 below the current ones: ρ ≈ 1.65 > c = 1.4, so every A < 0 token sits on the c·A bound
      (lp) => clippedLossPlain(clipped({ epsLow: 0.2, epsHigh: 0.28, dualClip: 1.4 }), { ...meta, oldLogProbs: shiftedOld, logProbs: lp }).loss,
      (lp) => {
        const out = clippedLoss(clipped({ epsLow: 0.2, epsHigh: 0.28, dualClip: 1.4 }), { ...toTensors({ ...meta, oldLogProbs: shiftedOld, logProbs: [[0]] }), logProbs: lp });
        expect(out.metrics['clip/dual_frac'].dataSync()[0]).toBeGreaterThan(0);
        return out.loss;
      },
    ],
    [
      'drpo with active trust region',
      // the trust-region coefficient is a stop-gradient: hold it at its value at W0
      (lp) => {
        const cfg = drpo({ lambda: 0.5, tau: 2, beta: 5, delta: 0, klEstimator: 'k3' });
        const coef0 = drpoLossPlain(cfg, { ...meta, logProbs: plainForward(W0).lp }).metrics['drpo/tr_coef'];
        expect(coef0).toBeGreaterThan(0);
        const o = drpoLossPlain(cfg, { ...meta, logProbs: lp });
        return o.metrics['loss/policy'] + coef0 * o.metrics['kl/old'];
      },
      (lp) => drpoLoss(drpo({ lambda: 0.5, tau: 2, beta: 5, delta: 0, klEstimator: 'k3' }), { ...toTensors({ ...meta, logProbs: [[0]] }), logProbs: lp }).loss,
    ],
  ];

  it.each(cases)('%s', (_name, plainLoss, tfLoss) => {
    const W = tf.variable(tf.tensor2d(W0));
    const { grads } = tf.variableGrads(() => {
      const { lp, ent } = tfForward(W);
      return tfLoss(lp, ent);
    }, [W]);
    const g = grads[W.name].arraySync() as number[][];
    const h = 1e-5;
    for (let d = 0; d < D; d++) {
      for (let v = 0; v < V; v++) {
        const plus = W0.map((r) => r.slice());
        const minus = W0.map((r) => r.slice());
        plus[d][v] += h;
        minus[d][v] -= h;
        const fp = plainForward(plus);
        const fm = plainForward(minus);
        const fd = (plainLoss(fp.lp, fp.ent) - plainLoss(fm.lp, fm.ent)) / (2 * h);
        expect(Math.abs(g[d][v] - fd)).toBeLessThan(2e-4 + 1e-3 * Math.abs(fd));
      }
    }
    W.dispose();
  });
});
