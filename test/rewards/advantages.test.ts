import { describe, expect, it } from 'vitest';
import {
  batchNormAdvantages,
  drGrpoAdvantages,
  grpoAdvantages,
  makeAdvantageEstimator,
  rlooAdvantages,
} from '../../rewards/advantages.ts';
import { expectClose, testRng } from './helpers.ts';

describe('grpo', () => {
  it('(r − mean)/(std + ε), unbiased std by default', () => {
    expectClose(grpoAdvantages([1, 0, 1, 0], [0, 0, 0, 0]), [0.8660254, -0.8660254, 0.8660254, -0.8660254], 5);
    expectClose(grpoAdvantages([1, 0, 1, 0], [0, 0, 0, 0], { unbiasedStd: false }), [1, -1, 1, -1], 5);
  });
  it('all-correct / all-wrong group → 0; group of one → 0', () => {
    expect(grpoAdvantages([1, 1, 1], [0, 0, 0])).toEqual([0, 0, 0]);
    expect(grpoAdvantages([0, 0], ['a', 'a'])).toEqual([0, 0]);
    expect(grpoAdvantages([5], [0])).toEqual([0]);
  });
  it('groups are independent', () =>
    expectClose(grpoAdvantages([1, 0, 3, 3], [0, 0, 1, 1], { unbiasedStd: false }), [1, -1, 0, 0], 5));
});

describe('dr-grpo', () => {
  it('r − mean_G', () => {
    expectClose(drGrpoAdvantages([1, 0, 0], [0, 0, 0]), [2 / 3, -1 / 3, -1 / 3]);
    expect(drGrpoAdvantages([7], [0])).toEqual([0]);
  });
});

describe('rloo', () => {
  it('r − mean of the others', () => {
    expectClose(rlooAdvantages([1, 0, 0], [0, 0, 0]), [1, -0.5, -0.5]);
    expectClose(rlooAdvantages([1, 1, 0, 2], [0, 0, 1, 1]), [0, 0, -2, 2]);
  });
  it('group of one → 0', () => expect(rlooAdvantages([3], [0])).toEqual([0]));
});

describe('batch-norm', () => {
  const input = { rewards: [1, 0, 1, 1], groupIds: [0, 0, 1, 1], lengths: [10, 30, 20, 20], correct: [true, false, true, true] };
  it('sequence weighting', () =>
    expectClose(batchNormAdvantages(input, { weighting: 'sequence' }), [1.2247449, -1.2247449, 0, 0], 5));
  it('token weighting (verl masked_whiten)', () =>
    expectClose(batchNormAdvantages(input), [1.8779682, -1.126781, 0.3755936, 0.3755936], 5));
  it('correct boost after whitening (DLER 0.1)', () =>
    expectClose(batchNormAdvantages(input, { correctBoost: 0.1 }), [1.9779682, -1.126781, 0.4755936, 0.4755936], 5));
  it('all groups zero-variance → 0 (+ boost)', () => {
    const flat = { rewards: [1, 1, 0, 0], groupIds: [0, 0, 1, 1], lengths: [5, 6, 7, 8], correct: [true, true, false, false] };
    expect(batchNormAdvantages(flat)).toEqual([0, 0, 0, 0]);
    expectClose(batchNormAdvantages(flat, { correctBoost: 0.1 }), [0.1, 0.1, 0, 0]);
  });
  it('zero lengths fall back to sequence weights; empty batch', () => {
    const z = { ...input, lengths: [0, 0, 0, 0] };
    expectClose(batchNormAdvantages(z), batchNormAdvantages(input, { weighting: 'sequence' }));
    expect(batchNormAdvantages({ rewards: [], groupIds: [], lengths: [], correct: [] })).toEqual([]);
  });
  it('registry entry applies its config; mismatched arrays throw', () => {
    const f = makeAdvantageEstimator('batch-norm', { weighting: 'sequence' });
    expectClose(f(input), [1.2247449, -1.2247449, 0, 0], 5);
    expect(() => makeAdvantageEstimator('grpo')({ ...input, lengths: [1] })).toThrow(/lengths has 1/);
  });
});

describe('properties (seeded random batches)', () => {
  const rng = testRng(1234);
  const randomBatch = () => {
    const groups = rng.int(1, 6);
    const rewards: number[] = [];
    const groupIds: number[] = [];
    const lengths: number[] = [];
    const correct: boolean[] = [];
    for (let g = 0; g < groups; g++) {
      const n = rng.int(1, 8);
      for (let i = 0; i < n; i++) {
        const c = rng.next() < 0.5;
        correct.push(c);
        rewards.push(rng.next() < 0.5 ? (c ? 1 : 0) : rng.next() * 4 - 2);
        groupIds.push(g);
        lengths.push(rng.int(1, 200));
      }
    }
    return { rewards, groupIds, lengths, correct };
  };
  const sumPerGroup = (a: number[], ids: number[]) => {
    const s = new Map<number, number>();
    ids.forEach((g, i) => s.set(g, (s.get(g) ?? 0) + a[i]));
    return [...s.values()];
  };
  it('grpo, dr-grpo and rloo advantages sum to zero per group', () => {
    for (let t = 0; t < 200; t++) {
      const b = randomBatch();
      for (const a of [grpoAdvantages(b.rewards, b.groupIds), drGrpoAdvantages(b.rewards, b.groupIds), rlooAdvantages(b.rewards, b.groupIds)]) {
        for (const s of sumPerGroup(a, b.groupIds)) expect(Math.abs(s)).toBeLessThan(1e-9);
      }
    }
  });
  it('grpo is invariant to r → a·r + b (a > 0)', () => {
    for (let t = 0; t < 100; t++) {
      const b = randomBatch();
      const a0 = grpoAdvantages(b.rewards, b.groupIds, { epsilon: 0 });
      const a1 = grpoAdvantages(b.rewards.map((r) => 3 * r - 7), b.groupIds, { epsilon: 0 });
      a0.forEach((v, i) => expect(a1[i]).toBeCloseTo(v, 6));
    }
  });
  it('batch-norm without boost: weighted mean 0 and weighted (unbiased) variance 1 unless degenerate', () => {
    for (let t = 0; t < 200; t++) {
      const b = randomBatch();
      for (const weighting of ['token', 'sequence'] as const) {
        const a = batchNormAdvantages(b, { weighting, epsilon: 0 });
        const w = weighting === 'token' ? b.lengths : b.lengths.map(() => 1);
        const W = w.reduce((x, y) => x + y, 0);
        const m = a.reduce((s, v, i) => s + w[i] * v, 0) / W;
        if (a.every((v) => v === 0)) continue; // degenerate: every centred reward equal
        expect(Math.abs(m)).toBeLessThan(1e-9);
        const v2 = (a.reduce((s, v, i) => s + w[i] * v * v, 0) / W) * (W / (W - 1));
        expect(v2).toBeCloseTo(1, 6);
      }
    }
  });
});

describe('gfpo: GRPO over the kept subset, 0 for the rejected', () => {
  const a = 0.5 / (Math.SQRT1_2 + 1e-6); // kept rewards {1, 0}: mean 0.5, n−1 std √½
  it('keep the k shortest: mean and n−1 std of the kept rewards; metrics compare kept and group lengths', () => {
    const metrics: Record<string, number> = {};
    const out = makeAdvantageEstimator('gfpo', { keep: 2 })({
      rewards: [1, 1, 0, 1, 1, 0],
      groupIds: [0, 0, 0, 0, 1, 1],
      lengths: [10, 40, 20, 30, 5, 7],
      correct: [true, true, false, true, true, false],
      logMetric: (k, v) => (metrics[k] = v),
    });
    expectClose(out, [a, 0, -a, 0, a, -a], 9); // group 1 has ≤ k responses: plain GRPO
    expect(metrics['advantage/gfpo/kept_length_mean']).toBeCloseTo((10 + 20 + 5 + 7) / 4, 12);
    expect(metrics['advantage/gfpo/group_length_mean']).toBeCloseTo(112 / 6, 12);
  });
  it('keep the best reward per token (ties: sample order)', () => {
    const out = makeAdvantageEstimator('gfpo', { keep: 2, metric: 'reward-per-token' })({
      rewards: [1, 2, 0, 1.5],
      groupIds: [0, 0, 0, 0],
      lengths: [10, 40, 20, 30], // r/L = 0.1, 0.05, 0, 0.05 → keep 0 and 1
      correct: [true, true, false, true],
    });
    expectClose(out, [-a, a, 0, 0], 9);
  });
  it('a kept subset with equal rewards gives 0', () =>
    expectClose(makeAdvantageEstimator('gfpo', { keep: 2 })({ rewards: [1, 1, 0], groupIds: [0, 0, 0], lengths: [1, 2, 3], correct: [true, true, false] }), [0, 0, 0]));
});
