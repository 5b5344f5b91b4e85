import { describe, expect, it } from 'vitest';
import { curriculumBudget, CurriculumScheduleSchema } from '../../rewards/budgets/curriculum.ts';
import { PromptHistory } from '../../rewards/history.ts';
import { BudgetSpecSchema, makeBudgetPolicy, resolveBudgetPolicy } from '../../rewards/registry.ts';
import { testRng } from './helpers.ts';

const none = new PromptHistory();

describe('fixed', () => {
  it('same cap (and target) for everyone', () => {
    expect(makeBudgetPolicy('fixed', { cap: 128 }).budgetFor({ id: 'a' }, 7, none)).toEqual({ cap: 128 });
    expect(makeBudgetPolicy('fixed', { cap: 128, target: 64 }).budgetFor({ id: 'a' }, 0, none)).toEqual({ cap: 128, target: 64 });
    expect(makeBudgetPolicy('fixed').budgetFor({ id: 'a' }, 0, none)).toEqual({ cap: 4000 });
  });
});

describe('curriculum', () => {
  const s = (x: object) => CurriculumScheduleSchema.parse(x);
  it('exponential: max(Bmin, B0·γ^⌊t/T⌋)', () => {
    const e = s({ initial: 256, final: 64, decay: 0.5, interval: 100 });
    expect([0, 99, 100, 199, 200, 250, 1000].map((t) => curriculumBudget(e, t))).toEqual([256, 256, 128, 128, 64, 64, 64]);
  });
  it('linear B0 → Bend', () => {
    const l = s({ schedule: 'linear', initial: 256, final: 64, steps: 100 });
    expect([0, 50, 100, 200].map((t) => curriculumBudget(l, t))).toEqual([256, 160, 64, 64]);
  });
  it('cosine B0 → Bend', () => {
    const c = s({ schedule: 'cosine', initial: 256, final: 64, steps: 100 });
    expect([0, 25, 50, 100, 150].map((t) => curriculumBudget(c, t))).toEqual([256, 228, 160, 64, 64]);
  });
  it('decision: target B(t), cap capFactor·B(t) or absolute', () => {
    expect(makeBudgetPolicy('curriculum').budgetFor({ id: 'a' }, 100, none)).toEqual({ cap: 256, target: 128 });
    expect(makeBudgetPolicy('curriculum', { cap: 300 }).budgetFor({ id: 'a' }, 100, none)).toEqual({ cap: 300, target: 128 });
  });
});

function historyWith(entries: Record<string, [boolean, number][]>, step = 0): PromptHistory {
  const h = new PromptHistory();
  for (const [id, list] of Object.entries(entries)) for (const [correct, length] of list) h.record(id, { correct, length, step, truncated: false });
  return h;
}

describe('difficulty (DLER-style)', () => {
  const h = historyWith({
    easy: [10, 20, 30, 40, 50, 60, 70, 80].map((l) => [true, l]),
    hard: [10, 20, 30, 40, 50, 60, 70, 80].map((l, i) => [i % 2 === 0, l]),
    few: [[true, 10], [true, 20], [true, 30], [true, 40]],
  });
  it('easy prompts get the lower cap (default cap/2)', () => {
    const p = makeBudgetPolicy('difficulty', { cap: 100 });
    expect(['easy', 'hard', 'few', 'new'].map((id) => p.budgetFor({ id }, 5, h).cap)).toEqual([50, 100, 100, 100]);
    expect(makeBudgetPolicy('difficulty', { cap: 100, easyCap: 30 }).budgetFor({ id: 'easy' }, 5, h).cap).toBe(30);
  });
  it('quantile mode: median of correct lengths', () => {
    const p = makeBudgetPolicy('difficulty', { cap: 100, mode: 'quantile' });
    expect(p.budgetFor({ id: 'easy' }, 5, h).cap).toBe(45);
    expect(makeBudgetPolicy('difficulty', { cap: 100, mode: 'quantile', minCap: 60 }).budgetFor({ id: 'easy' }, 5, h).cap).toBe(60);
  });
  it('all-correct threshold edge: pass rate exactly at the threshold counts as easy', () => {
    const p = makeBudgetPolicy('difficulty', { cap: 100, threshold: 0.5 });
    expect(p.budgetFor({ id: 'hard' }, 5, h).cap).toBe(50);
  });
});

describe('palu', () => {
  const rec = (h: PromptHistory, id: string, step: number, outs: [boolean, number][]) =>
    outs.forEach(([correct, length]) => h.record(id, { correct, length, step, truncated: false }));

  it('tightens to the median correct length while accuracy holds, relaxes to the previous cap otherwise', () => {
    const h = new PromptHistory();
    const p = makeBudgetPolicy('palu', { maxCap: 100 });
    expect(p.budgetFor({ id: 'a' }, 0, h).cap).toBe(100);
    rec(h, 'a', 0, [[true, 20], [true, 40], [true, 60], [true, 80]]);
    expect(p.budgetFor({ id: 'a' }, 1, h).cap).toBe(50);
    expect(p.budgetFor({ id: 'a' }, 1, h).cap).toBe(50); // same step: same decision
    rec(h, 'a', 1, [[true, 20], [false, 50], [true, 30], [true, 40]]); // 0.75 < 0.8
    expect(p.budgetFor({ id: 'a' }, 2, h).cap).toBe(100); // back to previous
    expect(p.budgetFor({ id: 'a' }, 3, h).cap).toBe(100); // nothing recorded since: keep
  });
  it('fewer than minSamples since the change: keep; relax max', () => {
    const h = new PromptHistory();
    const p = makeBudgetPolicy('palu', { maxCap: 100, relax: 'max', minSamples: 2 });
    p.budgetFor({ id: 'a' }, 0, h);
    rec(h, 'a', 0, [[true, 40], [true, 60]]);
    expect(p.budgetFor({ id: 'a' }, 1, h).cap).toBe(50);
    rec(h, 'a', 1, [[true, 20], [true, 30]]);
    expect(p.budgetFor({ id: 'a' }, 2, h).cap).toBe(25);
    rec(h, 'a', 2, [[false, 25]]);
    expect(p.budgetFor({ id: 'a' }, 3, h).cap).toBe(25); // 1 sample < 2
    rec(h, 'a', 3, [[false, 25]]);
    expect(p.budgetFor({ id: 'a' }, 4, h).cap).toBe(100); // all wrong → max
  });
  it('previous-stack: two tightenings then two relaxations', () => {
    const h = new PromptHistory({ window: 100 });
    const p = makeBudgetPolicy('palu', { maxCap: 100, minSamples: 1 });
    p.budgetFor({ id: 'a' }, 0, h);
    rec(h, 'a', 0, [[true, 60]]);
    expect(p.budgetFor({ id: 'a' }, 1, h).cap).toBe(60);
    rec(h, 'a', 1, [[true, 30]]);
    expect(p.budgetFor({ id: 'a' }, 2, h).cap).toBe(30);
    rec(h, 'a', 2, [[false, 30]]);
    expect(p.budgetFor({ id: 'a' }, 3, h).cap).toBe(60);
    rec(h, 'a', 3, [[false, 60]]);
    expect(p.budgetFor({ id: 'a' }, 4, h).cap).toBe(100);
  });
});

describe('thinkprune stages', () => {
  it('4k → 3k → 2k', () => {
    const p = makeBudgetPolicy('thinkprune');
    expect([0, 99, 100, 199, 200, 1e6].map((t) => p.budgetFor({ id: 'a' }, t, none).cap)).toEqual([4000, 4000, 3000, 3000, 2000, 2000]);
  });
});

describe('l1 targets', () => {
  it('targets in range, stated in the prompt, stable within a step', () => {
    const p = makeBudgetPolicy('l1', { seed: 1 });
    const d = p.budgetFor({ id: 'a' }, 0, none);
    expect(d.cap).toBe(4000);
    expect(d.target).toBeGreaterThanOrEqual(100);
    expect(d.target).toBeLessThanOrEqual(4000);
    expect(d.promptSuffix).toBe(`Think for ${d.target} tokens.`);
    expect(p.budgetFor({ id: 'a' }, 0, none)).toEqual(d);
  });
  it('levels (TLDR-style)', () => {
    const p = makeBudgetPolicy('l1', { levels: [64, 128, 256] }, { seed: 3 });
    const seen = new Set<number>();
    for (let t = 0; t < 60; t++) seen.add(p.budgetFor({ id: 'a' }, t, none).target!);
    expect([...seen].sort((a, b) => a - b)).toEqual([64, 128, 256]);
    expect(p.budgetFor({ id: 'b' }, 0, none).cap).toBe(256);
  });
  it('seeded: same seed same draws, different seeds differ; run seed used when config has none', () => {
    const draw = (p: ReturnType<typeof makeBudgetPolicy>) => Array.from({ length: 20 }, (_, t) => p.budgetFor({ id: 'a' }, t, none).target);
    expect(draw(makeBudgetPolicy('l1', { seed: 5 }))).toEqual(draw(makeBudgetPolicy('l1', {}, { seed: 5 })));
    expect(draw(makeBudgetPolicy('l1', { seed: 5 }))).not.toEqual(draw(makeBudgetPolicy('l1', { seed: 6 })));
  });
});

describe('state save/restore: a resumed policy continues identically', () => {
  for (const spec of [
    { type: 'l1', seed: 11 },
    { type: 'palu', maxCap: 100, minSamples: 2 },
    { type: 'difficulty', cap: 100, mode: 'quantile', minSamples: 2 },
    { type: 'curriculum' },
    { type: 'thinkprune' },
    { type: 'fixed' },
  ] as const) {
    it(spec.type, () => {
      const rng = testRng(42);
      const a = resolveBudgetPolicy(BudgetSpecSchema.parse(spec));
      const h = new PromptHistory({ window: 8 });
      const ids = ['p0', 'p1', 'p2', 'p3'];
      const stepOnce = (pol: typeof a, hist: PromptHistory, t: number, r: typeof rng) => {
        const out = [];
        for (const id of ids) {
          const d = pol.budgetFor({ id }, t, hist);
          out.push(d);
          if (r.next() < 0.5) pol.budgetFor({ id }, t, hist); // repeated call in the same step
          for (let k = 0; k < 2; k++) {
            const length = r.int(1, d.cap);
            hist.record(id, { correct: r.next() < 0.7, length, step: t, truncated: length === d.cap });
          }
        }
        return out;
      };
      for (let t = 0; t < 5; t++) stepOnce(a, h, t, rng);
      // checkpoint: policy state + history, through JSON as a checkpoint would
      const saved = JSON.parse(JSON.stringify({ policy: a.state(), history: h.toJSON() }));
      const b = resolveBudgetPolicy(BudgetSpecSchema.parse(spec));
      b.loadState(saved.policy);
      const hb = PromptHistory.fromJSON(saved.history);
      // continue both with identical randomness
      const r1 = testRng(7);
      const r2 = testRng(7);
      for (let t = 5; t < 12; t++) expect(stepOnce(b, hb, t, r2)).toEqual(stepOnce(a, h, t, r1));
      expect(hb.toJSON()).toEqual(h.toJSON());
    });
  }
});
