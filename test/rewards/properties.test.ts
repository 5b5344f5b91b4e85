/**
 * Property tests over seeded random batches (no new dependencies: `testRng`).
 */
import { describe, expect, it } from 'vitest';
import { combineRewards } from '../../rewards/combine.ts';
import { makeShaper, resolveShaper, ShaperSpecSchema, shapers } from '../../rewards/registry.ts';
import { drpoPositiveWeights } from '../../rewards/shapers/drpo.ts';
import type { ScoredRollout } from '../../rewards/types.ts';
import { ctx, testRng } from './helpers.ts';

const rng = testRng(20251123);

function randomBatch(): ScoredRollout[] {
  const out: ScoredRollout[] = [];
  const groups = rng.int(1, 6);
  for (let g = 0; g < groups; g++) {
    const cap = rng.int(20, 300);
    const target = rng.next() < 0.7 ? rng.int(5, cap) : undefined;
    const n = rng.int(1, 8);
    const pCorrect = rng.next();
    for (let i = 0; i < n; i++) {
      const length = rng.next() < 0.15 ? cap : rng.int(1, cap);
      out.push({
        promptId: `p${g}`,
        groupIndex: g,
        sampleIndex: i,
        tokens: Array.from({ length: Math.min(length, 4) }, () => rng.int(0, 50)),
        length,
        finish: length >= cap ? 'length' : 'stop',
        correct: rng.next() < pCorrect,
        parsed: rng.next() < 0.1 ? null : '42',
        format: { hasAnswerTag: rng.next() < 0.8 },
        budget: target === undefined ? { cap } : { cap, target },
      });
    }
  }
  return out;
}

const TRIALS = 300;

/** Shapers that penalize length: a shorter correct answer never scores below a longer correct one in its group. */
const LENGTH_PENALIZING = [
  'correctness',
  'dler',
  'dapo-overlong',
  'kimi',
  'l1-max',
  'cosine',
  'arora',
  'shorter-better',
  'thinkprune',
  'curriculum-length',
  'grpo-lambda',
  'drpo-length',
  'laser',
  'laser-d',
  'hapo',
  'alp',
  'lazy-length',
] as const;

describe('length-penalizing shapers', () => {
  for (const type of LENGTH_PENALIZING) {
    it(`${type}: shorter correct ≥ longer correct within a group`, () => {
      const f = makeShaper(type, type === 'grpo-lambda' ? { fraction: 1 } : {});
      for (let t = 0; t < TRIALS; t++) {
        const b = randomBatch();
        const r = f(b, ctx(t));
        for (let i = 0; i < b.length; i++) {
          for (let j = 0; j < b.length; j++) {
            const [x, y] = [b[i], b[j]];
            if (x.groupIndex !== y.groupIndex || !x.correct || !y.correct || !(x.length < y.length)) continue;
            if ((x.budget.target ?? -1) !== (y.budget.target ?? -1)) continue;
            if (r[i] === null || r[j] === null) continue; // opted out (l1 without a target)
            expect(r[i]! + 1e-12).toBeGreaterThanOrEqual(r[j]!);
          }
        }
      }
    });
  }
  it('the list covers every shaper except the target-seeking, band and length-free ones', () => {
    const exempt = ['l1-exact' /* rewards closeness to a target */, 'surrogate' /* penalizes too short too */, 'lapo' /* a band, then a target */, 'format'];
    expect([...LENGTH_PENALIZING, ...exempt].sort()).toEqual([...shapers.names].sort());
  });
});

describe('shaper invariants', () => {
  it('every shaper is pure: same output twice, batch not mutated, one finite value or null per rollout', () => {
    for (const type of [...shapers.names]) {
      const f = makeShaper(type);
      for (let t = 0; t < 50; t++) {
        const b = randomBatch();
        const snap = JSON.stringify(b);
        const r1 = f(b, ctx(100));
        const r2 = f(b, ctx(100));
        expect(r1).toEqual(r2);
        expect(JSON.stringify(b)).toBe(snap);
        expect(r1.length).toBe(b.length);
        for (const v of r1) expect(v === null || Number.isFinite(v)).toBe(true);
      }
    }
  });
  it('kimi ∈ [−0.5, 0.5]; wrong answers never positive', () => {
    const f = makeShaper('kimi');
    for (let t = 0; t < TRIALS; t++) {
      const b = randomBatch();
      f(b, ctx()).forEach((v, i) => {
        expect(Math.abs(v!)).toBeLessThanOrEqual(0.5);
        if (!b[i].correct) expect(v!).toBeLessThanOrEqual(0);
      });
    }
  });
  it('cosine: any correct answer outscores any wrong one unless it exceeds the limit', () => {
    const f = makeShaper('cosine');
    for (let t = 0; t < TRIALS; t++) {
      const b = randomBatch();
      f(b, ctx()).forEach((v, i) => {
        const exceeded = b[i].length + 16 >= b[i].budget.cap;
        if (exceeded) expect(v).toBe(-10);
        else if (b[i].correct) expect(v!).toBeGreaterThanOrEqual(1);
        else expect(v!).toBeLessThanOrEqual(0);
      });
    }
  });
  it('dapo-overlong ∈ [−1, 0] and non-increasing in length', () => {
    const f = makeShaper('dapo-overlong', { maxLength: 100, buffer: 20 });
    let prev = 0;
    for (let L = 0; L <= 130; L++) {
      const v = f([{ ...randomBatch()[0], length: L }], ctx())[0]!;
      expect(v).toBeLessThanOrEqual(prev + 1e-12);
      expect(v).toBeGreaterThanOrEqual(-1);
      prev = v;
    }
  });
  it('l1-exact: for a fixed target and correctness, closer to the target scores higher', () => {
    const f = makeShaper('l1-exact');
    for (let t = 0; t < TRIALS; t++) {
      const b = randomBatch().filter((r) => r.budget.target !== undefined);
      const r = f(b, ctx());
      for (let i = 0; i < b.length; i++)
        for (let j = 0; j < b.length; j++) {
          if (b[i].correct !== b[j].correct || b[i].budget.target !== b[j].budget.target) continue;
          const di = Math.abs(b[i].length - b[i].budget.target!);
          const dj = Math.abs(b[j].length - b[j].budget.target!);
          if (di < dj) expect(r[i]!).toBeGreaterThan(r[j]!);
        }
    }
  });
  it('DRPO weights: non-negative and sum to 1 over each prompt’s positives', () => {
    const f = makeShaper('drpo-length');
    for (let t = 0; t < TRIALS; t++) {
      const b = randomBatch();
      const rewards = f(b, ctx());
      for (const g of new Set(b.map((r) => r.groupIndex))) {
        const pos = b.flatMap((r, i) => (r.groupIndex === g && r.correct ? [rewards[i]!] : []));
        const w = drpoPositiveWeights(pos, 0.1);
        for (const x of w) expect(x).toBeGreaterThanOrEqual(0);
        if (pos.length > 0) expect(w.reduce((a, x) => a + x, 0)).toBeCloseTo(1, 9);
      }
    }
  });
  it('combineRewards is linear in the weights', () => {
    for (let t = 0; t < 100; t++) {
      const b = randomBatch();
      const w1 = rng.next() * 3 - 1;
      const w2 = rng.next() * 3 - 1;
      const a = combineRewards(b, [{ ...resolveShaper(ShaperSpecSchema.parse({ type: 'correctness' })), weight: w1 }, { ...resolveShaper(ShaperSpecSchema.parse({ type: 'kimi' })), weight: w2 }], ctx()).rewards;
      const c = combineRewards(b, [resolveShaper(ShaperSpecSchema.parse({ type: 'correctness' }))], ctx()).rewards;
      const k = combineRewards(b, [resolveShaper(ShaperSpecSchema.parse({ type: 'kimi' }))], ctx()).rewards;
      a.forEach((v, i) => expect(v).toBeCloseTo(w1 * c[i] + w2 * k[i], 9));
    }
  });
});
