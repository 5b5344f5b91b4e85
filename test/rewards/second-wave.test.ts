/**
 * Hand-computed tests of the length-control methods since mid-2025 (LASER,
 * LASER-D, HAPO, ALP, Short-RL's lazy penalty, LAPO): one case per formula branch.
 */
import { describe, expect, it } from 'vitest';
import { PromptHistory } from '../../rewards/history.ts';
import { makeBudgetPolicy, makeShaper, resolveShaper, ShaperSpecSchema } from '../../rewards/registry.ts';
import { lapoBandTerm, lapoTargetTerm } from '../../rewards/shapers/lapo.ts';
import { bucketOf, ecrTarget } from '../../rewards/shapers/laser.ts';
import { accuracyGate } from '../../rewards/shapers/lazy-length.ts';
import type { ScoredRollout } from '../../rewards/types.ts';
import { ctx, expectClose, group, ro } from './helpers.ts';

const run = (type: string, batch: ScoredRollout[], config: unknown = {}, step = 0, history = new PromptHistory()) => {
  const c = ctx(step, history);
  return { out: makeShaper(type, config)(batch, c), metrics: c.metrics };
};

/** A history with outcomes [length, correct] recorded for `promptId` at `step`. */
function record(h: PromptHistory, promptId: string, step: number, outcomes: [number, boolean][]): PromptHistory {
  for (const [length, correct] of outcomes) h.record(promptId, { length, correct, step, truncated: false });
  return h;
}

describe('laser: r = C + α·[c ∧ L ≤ L_T]', () => {
  it('L_T = ⌈0.5·cap⌉ by default: at the target +α, beyond it C, wrong never gets the bonus', () =>
    expectClose(run('laser', group(0, [[50, true], [51, true], [10, false]])).out, [1.5, 1, 0]));
  it('the budget target is L_T when set; targetLength overrides it', () => {
    const b = [ro({ length: 20, correct: true, budget: { cap: 100, target: 20 } }), ro({ length: 25, correct: true, budget: { cap: 100, target: 20 } })];
    expectClose(run('laser', b).out, [1.5, 1]);
    expectClose(run('laser', b, { targetLength: 30, alpha: 0.25, wrong: -1 }).out, [1.25, 1.25]);
  });
});

describe('laser-d: L_T per difficulty bucket from the history (ECR ≥ 1)', () => {
  it('buckets: easy p ≥ 2/3, medium p ≥ 1/3, else hard', () => {
    expect([bucketOf(2 / 3), bucketOf(0.66), bucketOf(1 / 3), bucketOf(0.33), bucketOf(0)]).toEqual(['easy', 'medium', 'medium', 'hard', 'hard']);
  });
  it('ECR target: the smallest L with n·#{correct ≤ L}/#outcomes ≥ 1', () => {
    const os = [{ correct: true, length: 30 }, { correct: true, length: 10 }, { correct: false, length: 5 }, { correct: false, length: 50 }];
    expect(ecrTarget(os, 2)).toBe(30); // 2·1/4 < 1, 2·2/4 = 1
    expect(ecrTarget(os, 4)).toBe(10); // 4·1/4 = 1
    expect(ecrTarget(os, 1)).toBeUndefined(); // 1·2/4 < 1
    expect(ecrTarget([], 8)).toBeUndefined();
  });
  it('targets re-estimated from the steps before the last multiple of `every`; a bucket without one falls back to LASER', () => {
    const h = new PromptHistory();
    record(h, 'p0', 12, [[10, true], [30, true], [20, true]]); // accuracy 1: easy; ECR(n=3) → 10
    record(h, 'p1', 15, [[40, false], [60, false], [80, true]]); // accuracy 1/3: medium; ECR(n=3) → 80
    record(h, 'p2', 5, [[1, true], [1, true], [1, true]]); // before the window [10, 20): ignored
    record(h, 'p0', 20, [[1, true], [1, true], [1, true]]); // at/after the boundary 20: ignored
    const batch = [
      ...group(0, [[10, true], [15, true], [12, true]]), // p0, p = 1: easy, L_T 10
      ...group(1, [[80, true], [90, false], [100, false]]), // p1, p = 1/3: medium, L_T 80
      ...group(2, [[5, false], [6, false], [7, true]]), // p2, p = 1/3: medium too
      ...group(3, [[40, true], [60, false], [60, false], [60, false]]).map((r) => ({ ...r, promptId: 'p3' })), // p = 1/4: hard, no target → 50
    ];
    const { out, metrics } = run('laser-d', batch, { every: 10 }, 25, h);
    expectClose(out, [1.5, 1, 1, 1.5, 0, 0, 0, 0, 1.5, 1.5, 0, 0, 0]);
    expect(metrics).toMatchObject({ 'reward/laser-d/target_easy': 10, 'reward/laser-d/target_medium': 80 });
    expect(metrics['reward/laser-d/target_hard']).toBeUndefined();
  });
});

describe('hapo: r = C + cos(min(L/h, 2)·π/2), floored at −0.7 if correct, ≤ 0 if wrong', () => {
  const h = record(new PromptHistory(), 'p0', 0, [[40, true], [20, true], [10, false]]); // h = 20
  it('every branch', () => {
    const b = group(0, [[10, true], [20, true], [25, true], [30, true], [10, false], [60, false]]);
    expectClose(run('hapo', b, {}, 1, h).out, [1 + Math.SQRT1_2, 1, 1 + Math.cos((5 * Math.PI) / 8), 1 - 0.7, 0, -1], 9);
  });
  it('through a recipe spec (shared `weight` stripped, `lengthWeight` kept)', () => {
    const f = resolveShaper(ShaperSpecSchema.parse({ type: 'hapo', weight: 2, lengthWeight: 0.5 }));
    expect(f.weight).toBe(2);
    expectClose(f.fn(group(0, [[10, true]]), ctx(1, h)), [1 + 0.5 * Math.SQRT1_2], 9);
  });
  it('no correct answer on record: C alone', () => {
    const { out, metrics } = run('hapo', group(0, [[10, true], [10, false]]));
    expectClose(out, [1, 0]);
    expect(metrics['reward/hapo/no_history_ratio']).toBe(1);
  });
});

describe('alp: r = C − β·max(p, 1/K)·L/N', () => {
  it('easy, hard and unsolved groups (β 0.5, N = cap 100)', () => {
    const b = [
      ...group(0, [[20, true], [40, true], [60, true], [80, false]]), // p 0.75
      ...group(1, [[50, false], [50, false], [50, false], [30, true]]), // p 0.25 = 1/K
      ...group(2, [[40, false], [40, false], [40, false], [40, false]]), // p 0 → 1/K
    ];
    expectClose(run('alp', b).out, [0.925, 0.85, 0.775, -0.3, -0.0625, -0.0625, -0.0625, 0.9625, -0.05, -0.05, -0.05, -0.05], 9);
  });
  it('maxLength sets N', () => expectClose(run('alp', group(0, [[40, true]]), { maxLength: 200, beta: 1 }).out, [0.8]));
});

describe('lazy-length: gated penalty on correct answers beyond (1+τ)·L_min', () => {
  const rising = (): PromptHistory => {
    const h = new PromptHistory();
    record(h, 'a', 6, [[1, true], [1, false]]);
    record(h, 'a', 7, [[1, true], [1, false]]);
    record(h, 'b', 8, [[1, true], [1, false]]);
    record(h, 'b', 9, [[1, true], [1, true]]);
    return h;
  };
  it('the accuracy gate: last k steps vs the k before, every step present', () => {
    expect(accuracyGate(rising(), 10, 2, 0)).toBe(true); // 0.75 − 0.5 ≥ 0
    expect(accuracyGate(rising(), 10, 2, 0.3)).toBe(false); // rise 0.25 < 0.3
    expect(accuracyGate(rising(), 11, 2, 0)).toBe(false); // step 10 missing
    const falling = record(new PromptHistory(), 'a', 6, [[1, true]]);
    record(falling, 'a', 7, [[1, true]]);
    record(falling, 'a', 8, [[1, false]]);
    record(falling, 'a', 9, [[1, true]]);
    expect(accuracyGate(falling, 10, 2, 0)).toBe(false); // 0.5 − 1 < 0
  });
  it('open gate: L_min and within-tolerance answers keep C, longer ones lose α·(L−L_min)/(L_max−L_min); wrong untouched', () => {
    const b = group(0, [[10, true], [11, true], [20, true], [30, true], [50, false]]);
    const open = run('lazy-length', b, { stableSteps: 2 }, 10, rising());
    expectClose(open.out, [1, 1, 0.75, 0.5, 0]);
    expect(open.metrics['reward/lazy-length/gate']).toBe(1);
    const closed = run('lazy-length', b, { stableSteps: 2 }, 10);
    expectClose(closed.out, [1, 1, 1, 1, 0]);
    expect(closed.metrics['reward/lazy-length/gate']).toBe(0);
  });
});

describe('lapo', () => {
  it('stage-1 band term: 1 inside, 1 − d/decay outside, floored at 0', () => {
    expect([lapoBandTerm(50, 40, 60, 100), lapoBandTerm(30, 40, 60, 100), lapoBandTerm(70, 40, 60, 100), lapoBandTerm(200, 40, 60, 100)]).toEqual([1, 0.9, 0.9, 0]);
    expect(lapoTargetTerm(220, 100, 120)).toBeCloseTo(Math.exp(-0.5), 12);
  });
  it('stage 1: band = 30–70th percentiles of the history’s and the group’s correct lengths; correct answers only', () => {
    const h = record(new PromptHistory(), 'p0', 0, [[10, true], [20, true], [30, true], [40, true], [99, false]]);
    // known [10, 20, 30, 40, 50]: P30 = 22, P70 = 38; L = 50 → d = 12 → 0.88
    const b = [...group(0, [[50, true], [5, false]]), ...group(1, [[30, false], [40, false]])];
    expectClose(run('lapo', b, {}, 1, h).out, [1 + 0.7 * 0.88, 0, 0, 0], 9);
  });
  it('stage 2: C + 0.8·exp(−(L−n)²/2σ²) with the budget target n; no target → C', () => {
    const t = { cap: 400, target: 100 };
    const b = [ro({ length: 100, correct: true, budget: t }), ro({ length: 220, correct: true, budget: t }), ro({ length: 100, budget: t }), ro({ length: 100, correct: true })];
    const { out, metrics } = run('lapo', b, { stage: 2 });
    expectClose(out, [1.8, 1 + 0.8 * Math.exp(-0.5), 0, 1], 9);
    expect(metrics['reward/lapo/missing_target']).toBe(0.25);
  });
  it('the lapo budget policy states the median correct length', () => {
    const h = record(new PromptHistory(), 'a', 0, [[10, true], [30, true], [99, false]]);
    const p = makeBudgetPolicy('lapo', { cap: 64 });
    expect(p.budgetFor({ id: 'a' }, 1, h)).toEqual({ cap: 64, target: 20, promptSuffix: 'Think for 20 tokens.' });
    expect(p.budgetFor({ id: 'b' }, 1, h)).toEqual({ cap: 64, target: 1000, promptSuffix: 'Think for 1000 tokens.' });
  });
});
