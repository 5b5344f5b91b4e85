import { describe, expect, it } from 'vitest';
import { makeShaper } from '../../rewards/registry.ts';
import { softOverlongPenalty } from '../../rewards/shapers/dapo-overlong.ts';
import type { ScoredRollout } from '../../rewards/types.ts';
import { ctx, expectClose, group, ro } from './helpers.ts';

const run = (type: string, batch: ScoredRollout[], config: unknown = {}, step = 0) => {
  const c = ctx(step);
  return { out: makeShaper(type, config)(batch, c), metrics: c.metrics };
};

describe('correctness', () => {
  const batch = [ro({ length: 5, correct: true }), ro({ length: 5 }), ro({ length: 5, parsed: null })];
  it('defaults 1 / 0 / 0', () => expectClose(run('correctness', batch).out, [1, 0, 0]));
  it('configurable ± with a parse-failure value', () =>
    expectClose(run('correctness', batch, { wrong: -1, parseFailure: -2 }).out, [1, -1, -2]));
  it('empty batch', () => expect(run('correctness', []).out).toEqual([]));
});

describe('format', () => {
  const batch = [
    ro({ length: 5, format: { hasAnswerTag: true, closed: false } }),
    ro({ length: 5, format: { hasAnswerTag: true } }),
    ro({ length: 5, format: {} }),
  ];
  it('all present flags must hold; no flags → null', () => expectClose(run('format', batch).out, [0, 1, null]));
  it('listed flags; a missing flag counts as false', () =>
    expectClose(run('format', batch, { flags: ['hasAnswerTag'], penalty: -1 }).out, [1, 1, -1]));
});

describe('dler (truncation)', () => {
  const batch = group(0, [
    [10, true],
    [100, true, 'length'],
    [100, false, 'length'],
    [10, false],
  ]);
  it('public-code default: truncated × 0.1', () => expectClose(run('dler', batch).out, [1, 0.1, 0, 0]));
  it('paper rule: truncated scores 0', () => expectClose(run('dler', batch, { truncatedMultiplier: 0 }).out, [1, 0, 0, 0]));
  it('negative wrong reward is multiplied too', () =>
    expectClose(run('dler', batch, { wrong: -1 }).out, [1, 0.1, -0.1, -1]));
  it('all truncated', () =>
    expectClose(run('dler', group(0, [[100, true, 'length'], [100, false, 'length']])).out, [0.1, 0]));
});

describe('dapo-overlong (soft overlong punishment)', () => {
  it('Lmax 100, Lc 20: 50 → 0, 90 → −0.5, 110 → −1', () => {
    expect(softOverlongPenalty(50, 100, 20)).toBe(0);
    expect(softOverlongPenalty(90, 100, 20)).toBeCloseTo(-0.5, 12);
    expect(softOverlongPenalty(110, 100, 20)).toBe(-1);
    const batch = [50, 80, 85, 90, 100, 110].map((length) => ro({ length }));
    expectClose(run('dapo-overlong', batch, { maxLength: 100, buffer: 20 }).out, [0, 0, -0.25, -0.5, -1, -1]);
  });
  it('defaults: Lmax = cap, Lc = 0.2·Lmax', () =>
    expectClose(run('dapo-overlong', [50, 90, 110].map((length) => ro({ length, budget: { cap: 100 } }))).out, [0, -0.5, -1]));
  it('penalty factor', () =>
    expectClose(run('dapo-overlong', [ro({ length: 90 })], { buffer: 20, penaltyFactor: 2 }).out, [-1]));
});

describe('kimi', () => {
  it('λ = 0.5 − (L − Lmin)/(Lmax − Lmin); wrong → min(0, λ)', () =>
    expectClose(run('kimi', group(0, [[10, true], [20, false], [30, true], [10, false]])).out, [0.5, 0, -0.5, 0]));
  it('all wrong', () => expectClose(run('kimi', group(0, [[10, false], [30, false]])).out, [0, -0.5]));
  it('all correct', () => expectClose(run('kimi', group(0, [[10, true], [30, true]])).out, [0.5, -0.5]));
  it('equal lengths → 0 (no division by zero)', () =>
    expectClose(run('kimi', group(0, [[20, true], [20, false], [20, true]])).out, [0, 0, 0]));
  it('group of one → 0', () => expectClose(run('kimi', group(0, [[20, true]])).out, [0]));
  it('groups are separate', () =>
    expectClose(run('kimi', [...group(0, [[10, true], [30, true]]), ...group(1, [[100, true], [200, true]])]).out, [0.5, -0.5, 0.5, -0.5]));
});

describe('grpo-lambda', () => {
  const batch = [
    ...group(0, [[10, true], [20, true]]), // p = 1
    ...group(1, [[10, true], [20, false]]), // p = 0.5
    ...group(2, [[10, false], [20, false]]), // p = 0
    ...group(3, [[10, true], [10, true]]), // p = 1, equal lengths
    ...group(4, [[10, true], [20, true], [30, true], [40, false]]), // p = 0.75
  ];
  it('top-fraction 0.2 of 5 groups → the first p = 1 group gets correctness + Kimi', () => {
    const { out, metrics } = run('grpo-lambda', batch, { fraction: 0.2 });
    expectClose(out, [1.5, 0.5, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0]);
    expect(metrics['reward/grpo-lambda/penalized_ratio']).toBeCloseTo(0.2);
  });
  it('top-fraction 0.4 → both p = 1 groups', () =>
    expectClose(run('grpo-lambda', batch, { fraction: 0.4 }).out, [1.5, 0.5, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0]));
  it('threshold 0.75 → groups 0, 3, 4', () =>
    expectClose(
      run('grpo-lambda', batch, { selection: 'threshold', threshold: 0.75 }).out,
      [1.5, 0.5, 1, 0, 0, 0, 1, 1, 1.5, 1 + 1 / 6, 1 - 1 / 6, -0.5],
    ));
  it('fraction 0 → plain correctness', () =>
    expectClose(run('grpo-lambda', batch, { fraction: 0 }).out, [1, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 0]));
});

describe('l1', () => {
  const batch = [
    ro({ length: 150, correct: true, budget: { cap: 4000, target: 100 } }),
    ro({ length: 50, correct: false, budget: { cap: 4000, target: 100 } }),
    ro({ length: 50, correct: true }),
  ];
  it('exact: r = c − α|n − L|; no target → null (+ metric)', () => {
    const { out, metrics } = run('l1-exact', batch);
    expectClose(out, [0.985, -0.015, null]);
    expect(metrics['reward/l1-exact/missing_target']).toBeCloseTo(1 / 3);
  });
  it('max: r = c·(clip(α(n − L), −1, 1) + 1)/2', () => {
    const b = [0, 50, 100, 300].map((length) => ro({ length, correct: true, budget: { cap: 400, target: 100 } }));
    expectClose(run('l1-max', [...b, ro({ length: 50, budget: { cap: 400, target: 100 } })], { alpha: 0.01 }).out, [1, 0.75, 0.5, 0, 0]);
    expectClose(run('l1-max', [ro({ length: 0, correct: true, budget: { cap: 4000, target: 1000 } })]).out, [0.65]);
  });
});

describe('cosine', () => {
  it('correct 2 → 1, wrong −10 → 0 over [0, Lmax]; exceed → −10', () => {
    const batch = [
      ro({ length: 0, correct: true }),
      ro({ length: 25, correct: true }),
      ro({ length: 50, correct: true }),
      ro({ length: 0 }),
      ro({ length: 50 }),
      ro({ length: 84, correct: true }),
      ro({ length: 83 }),
    ];
    const { out } = run('cosine', batch);
    expectClose(out.slice(0, 6), [2, 1 + 0.5 * (1 + Math.SQRT1_2), 1.5, -10, -5, -10]);
    expect(out[6]).toBeCloseTo(-5 * (1 + Math.cos(0.83 * Math.PI)), 9);
  });
});

describe('arora', () => {
  it('r = c·(1 − α·σ((L − μ)/(σ + 1e-7))) over correct lengths; wrong → 0', () =>
    expectClose(
      run('arora', group(0, [[10, true], [20, true], [30, true], [5, false]])).out,
      [0.9772897477931412, 0.95, 0.9227102522068589, 0],
    ));
  it('no EOS → 0 (but counts in μ, σ)', () =>
    expectClose(run('arora', group(0, [[10, true], [30, true, 'length']])).out, [0.9731058578433393, 0]));
  it('single correct: σ = 0 → 1 − α/2', () => expectClose(run('arora', group(0, [[10, true], [7, false]])).out, [0.95, 0]));
  it('all wrong → 0', () => expectClose(run('arora', group(0, [[10, false], [7, false]])).out, [0, 0]));
});

describe('shorter-better', () => {
  it('SOL = shortest correct; r = 2c − 0.001|L − SOL|', () =>
    expectClose(run('shorter-better', group(0, [[10, true], [30, true], [5, false]])).out, [2, 1.98, -0.005]));
  it('no correct: SOL = group mean', () =>
    expectClose(run('shorter-better', group(0, [[10, false], [30, false]])).out, [-0.01, -0.01]));
});

describe('thinkprune', () => {
  const batch = group(0, [[90, true], [100, true, 'length'], [20, false]]);
  it('c only if finished within the stage limit (cap)', () => expectClose(run('thinkprune', batch).out, [1, 0, 0]));
  it('explicit limit', () => expectClose(run('thinkprune', batch, { limit: 50 }).out, [0, 0, 0]));
});

describe('curriculum-length', () => {
  const b = [50, 100, 150, 200, 250].map((length) => ro({ length, correct: true, budget: { cap: 200, target: 100 } }));
  it('1 up to B, linear to 0 at 2B', () => expectClose(run('curriculum-length', b).out, [1, 1, 0.5, 0, 0]));
  it('falls back to the cap', () => expectClose(run('curriculum-length', [ro({ length: 150 })]).out, [0.5]));
  it('onlyCorrect', () =>
    expectClose(run('curriculum-length', [ro({ length: 10 }), ro({ length: 10, correct: true })], { onlyCorrect: true }).out, [0, 1]));
});

describe('drpo-length', () => {
  it('positives: 1 − L/Lmax; wrong → null', () =>
    expectClose(run('drpo-length', group(0, [[25, true], [50, false], [100, true, 'length']])).out, [0.75, null, 0]));
  it('empty positive set → all null', () =>
    expectClose(run('drpo-length', group(0, [[25, false], [50, false]])).out, [null, null]));
});

describe('surrogate (label-free)', () => {
  const b = [5, 50, 100, 150].map((length) => ro({ length, format: { ok: true }, budget: { cap: 200, target: 100 } }));
  it('format only before lengthStartStep', () => expectClose(run('surrogate', b, {}, 10).out, [1, 1, 1, 1]));
  it('+ length term penalizing too short and too long', () =>
    expectClose(run('surrogate', b, {}, 60).out, [1.5, 2, 1 + (1 - 25 / 75), 1]));
  it('ignores correctness; truncated → format only; bad format → 0', () => {
    const out = run('surrogate', [
      ro({ length: 50, correct: true, format: { ok: false } }),
      ro({ length: 100, finish: 'length', format: { ok: true } }),
    ], {}, 60).out;
    expectClose(out, [0 + 1, 1]); // bad format (0) + in-band length (1); truncated: format only
  });
  it('low ≥ high is rejected', () => expect(() => makeShaper('surrogate', { low: 0.8, high: 0.5 })).toThrow(/low/));
});

describe('edge cases across every shaper (hand-computed)', () => {
  const one = group(0, [[40, true]]);
  const truncated = group(0, [[100, true, 'length'], [100, false, 'length']]);
  const cases: Record<string, { one: (number | null)[]; truncated: (number | null)[] }> = {
    correctness: { one: [1], truncated: [1, 0] },
    format: { one: [null], truncated: [null, null] },
    dler: { one: [1], truncated: [0.1, 0] },
    'dapo-overlong': { one: [0], truncated: [-1, -1] },
    kimi: { one: [0], truncated: [0, 0] },
    'l1-exact': { one: [null], truncated: [null, null] },
    'l1-max': { one: [null], truncated: [null, null] },
    cosine: { one: [1 + 0.5 * (1 + Math.cos(0.4 * Math.PI))], truncated: [-10, -10] },
    arora: { one: [0.95], truncated: [0, 0] },
    'shorter-better': { one: [2], truncated: [2, 0] },
    thinkprune: { one: [1], truncated: [0, 0] },
    'curriculum-length': { one: [1], truncated: [1, 1] },
    'grpo-lambda': { one: [1], truncated: [1, 0] },
    'drpo-length': { one: [0.6], truncated: [0, null] },
    surrogate: { one: [1], truncated: [0, 0] }, // step 60: no flags (0) + in-band length (1); truncated: format only
    laser: { one: [1.5], truncated: [1, 0] }, // L_T = 50
    'laser-d': { one: [1.5], truncated: [1, 0] }, // no history: LASER's L_T
    hapo: { one: [1], truncated: [1, 0] }, // no history: no h
    lapo: { one: [1.7], truncated: [1.7, 0] }, // the band is the group's own correct length
    alp: { one: [0.8], truncated: [0.75, -0.25] }, // p 1 → 1 − 0.5·0.4; p 0.5 → ∓0.25
    'lazy-length': { one: [1], truncated: [1, 0] }, // gate closed without history
  };
  it('covers every registered shaper', async () => {
    const { shapers } = await import('../../rewards/registry.ts');
    expect(Object.keys(cases).sort()).toEqual([...shapers.names].sort());
  });
  for (const [type, want] of Object.entries(cases)) {
    it(`${type}: group of one, all truncated`, () => {
      expectClose(run(type, one, {}, 60).out, want.one);
      expectClose(run(type, truncated, {}, 60).out, want.truncated);
    });
  }
});
