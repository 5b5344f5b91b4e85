import { describe, expect, it } from 'vitest';
import {
  accuracyPer1k, aes, bootstrapMeanCI, bootstrapRatioCI, lengthReduction, pairedBootstrap, paretoFrontier, passAtK, quantileSorted,
} from '../../src/eval/stats.ts';
import { makeRng } from '../../src/util/rng.ts';

/** Reference pass@k straight from binomial coefficients. */
function binom(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

describe('passAtK', () => {
  it('matches hand-computed values', () => {
    expect(passAtK(5, 2, 1)).toBeCloseTo(0.4, 12); // 1 − 3/5
    expect(passAtK(5, 2, 2)).toBeCloseTo(0.7, 12); // 1 − C(3,2)/C(5,2) = 1 − 3/10
    expect(passAtK(4, 0, 2)).toBe(0);
    expect(passAtK(4, 3, 2)).toBe(1); // n − c < k
  });
  it('equals 1 − C(n−c,k)/C(n,k) on a grid', () => {
    for (let n = 1; n <= 12; n++)
      for (let c = 0; c <= n; c++)
        for (let k = 1; k <= n; k++) expect(passAtK(n, c, k)).toBeCloseTo(1 - binom(n - c, k) / binom(n, k), 10);
  });
  it('rejects k > n', () => {
    expect(() => passAtK(2, 1, 3)).toThrow(/samplesPerProblem/);
  });
});

describe('length and efficiency metrics', () => {
  it('computes accuracy per 1k tokens and length reduction', () => {
    expect(accuracyPer1k(0.8, 200)).toBeCloseTo(4, 12);
    expect(lengthReduction(200, 80)).toBeCloseTo(0.6, 12);
  });
  it('AES rewards gains with beta and punishes losses with gamma', () => {
    const base = { accuracy: 0.8, meanTokens: 200 };
    expect(aes({ accuracy: 0.8, meanTokens: 100 }, base)).toBeCloseTo(0.5, 12);
    expect(aes({ accuracy: 0.88, meanTokens: 100 }, base)).toBeCloseTo(0.5 + 3 * 0.1, 12);
    expect(aes({ accuracy: 0.72, meanTokens: 100 }, base)).toBeCloseTo(0.5 - 5 * 0.1, 12);
    expect(aes({ accuracy: 0.72, meanTokens: 100 }, base, { alpha: 2, beta: 3, gamma: 1 })).toBeCloseTo(1 - 0.1, 12);
  });
});

describe('paretoFrontier', () => {
  it('keeps non-dominated (fewer tokens, higher accuracy) points', () => {
    const pts = [
      { tokens: 100, accuracy: 0.5 },
      { tokens: 200, accuracy: 0.8 },
      { tokens: 150, accuracy: 0.4 }, // dominated by the first
      { tokens: 200, accuracy: 0.7 }, // dominated by the second (same tokens, lower acc)
      { tokens: 300, accuracy: 0.9 },
    ];
    expect(paretoFrontier(pts)).toEqual([true, true, false, false, true]);
  });
});

describe('bootstrap', () => {
  it('quantile interpolates like numpy', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
  });
  it('a constant sample has a zero-width interval', () => {
    const ci = bootstrapMeanCI([0.5, 0.5, 0.5, 0.5]);
    expect(ci).toEqual({ estimate: 0.5, lo: 0.5, hi: 0.5 });
  });
  it('accuracy of 60/100 gets ≈ the normal-theory 95% interval 0.6 ± 1.96·0.049', () => {
    const v = Array.from({ length: 100 }, (_, i) => (i < 60 ? 1 : 0));
    const ci = bootstrapMeanCI(v, { resamples: 4000, seed: 7 });
    expect(ci.estimate).toBeCloseTo(0.6, 12);
    expect(ci.lo).toBeGreaterThan(0.6 - 0.096 - 0.02);
    expect(ci.lo).toBeLessThan(0.6 - 0.096 + 0.02);
    expect(ci.hi).toBeGreaterThan(0.6 + 0.096 - 0.02);
    expect(ci.hi).toBeLessThan(0.6 + 0.096 + 0.02);
  });
  it('is deterministic given the seed, and the seed matters', () => {
    const { next: r } = makeRng(3);
    const v = Array.from({ length: 50 }, () => r());
    expect(bootstrapMeanCI(v, { seed: 1 })).toEqual(bootstrapMeanCI(v, { seed: 1 }));
    expect(bootstrapMeanCI(v, { seed: 1 }).lo).not.toBe(bootstrapMeanCI(v, { seed: 2 }).lo);
  });
  it('ratio bootstrap estimates Σnum/Σden over problems', () => {
    // tokens of correct samples / number of correct samples, per problem
    const ci = bootstrapRatioCI([30, 0, 50], [1, 0, 2]);
    expect(ci.estimate).toBeCloseTo(80 / 3, 12);
    expect(ci.lo).toBeGreaterThanOrEqual(25 - 1e-9);
    expect(ci.hi).toBeLessThanOrEqual(30 + 1e-9);
  });
});

describe('pairedBootstrap', () => {
  it('a constant per-problem shift gives a zero-width interval at the shift', () => {
    const a = [0.1, 0.9, 0.4, 0.3, 0.8];
    const d = pairedBootstrap(a, a.map((x) => x + 1));
    expect(d.estimate).toBeCloseTo(1, 12);
    expect(d.lo).toBeCloseTo(1, 12);
    expect(d.hi).toBeCloseTo(1, 12);
    expect(d.p).toBe(0);
  });
  it('pairing removes problem difficulty: narrower than the unpaired interval', () => {
    const { next: r } = makeRng(11);
    const a = Array.from({ length: 200 }, () => r() * 100); // problems vary a lot
    const b = a.map((x) => x - 5 + (r() - 0.5)); // arm B is 5 tokens shorter on every problem
    const paired = pairedBootstrap(a, b, { seed: 1 });
    expect(paired.estimate).toBeCloseTo(-5, 0);
    expect(paired.hi).toBeLessThan(0);
    expect(paired.hi - paired.lo).toBeLessThan(0.5);
    const ua = bootstrapMeanCI(a, { seed: 1 });
    expect(ua.hi - ua.lo).toBeGreaterThan(10 * (paired.hi - paired.lo));
  });
  it('no difference gives a large p', () => {
    const { next: r } = makeRng(5);
    const a = Array.from({ length: 100 }, () => (r() < 0.5 ? 1 : 0));
    const b = a.map((x, i) => (i % 10 === 0 ? 1 - x : x)); // a few flips both ways
    expect(pairedBootstrap(a, b).p).toBeGreaterThan(0.2);
  });
  it('refuses unpaired arms', () => {
    expect(() => pairedBootstrap([1, 2], [1])).toThrow(/same problems/);
  });
});
