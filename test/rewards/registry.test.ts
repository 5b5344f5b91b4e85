import { describe, expect, it } from 'vitest';
import { combineRewards } from '../../rewards/combine.ts';
import {
  budgetPolicies,
  BudgetSpecSchema,
  makeBudgetPolicy,
  makeShaper,
  resolveBudgetPolicy,
  resolveShaper,
  shapers,
  ShaperSpecListSchema,
  ShaperSpecSchema,
} from '../../rewards/registry.ts';
import { advantageEstimators, AdvantageSpecSchema, makeAdvantageEstimator, resolveAdvantageEstimator } from '../../rewards/advantages.ts';
import { LossConfigSchema } from '../../src/train/losses.ts';
import { tasks } from '../../src/tasks/index.ts';
import { defineRegistry } from '../../src/util/registry.ts';
import { z } from 'zod';
import { ctx, expectClose, group, ro } from './helpers.ts';

describe('registries', () => {
  it('every shaper name is a spec option and builds from defaults', () => {
    for (const type of shapers.names) {
      const s = resolveShaper(ShaperSpecSchema.parse({ type }));
      expect(s.name).toBe(type);
      expect(s.weight).toBe(1);
      expect(s.fn(group(0, [[10, true], [20, false]]), ctx(100)).length).toBe(2);
    }
  });
  it('every budget policy name is a spec option and builds from defaults', () => {
    for (const type of budgetPolicies.names) {
      const p = resolveBudgetPolicy(BudgetSpecSchema.parse({ type }), { seed: 1 });
      expect(p.budgetFor({ id: 'a' }, 0, ctx().history).cap).toBeGreaterThan(0);
    }
  });
  it('every advantage estimator name is a spec option and builds from defaults', () => {
    for (const type of advantageEstimators.names) {
      const f = resolveAdvantageEstimator(AdvantageSpecSchema.parse({ type }));
      expect(f({ rewards: [1, 0], groupIds: [0, 0], lengths: [1, 2], correct: [true, false] }).length).toBe(2);
    }
  });
  it('unknown names fail with the nearest name and the valid ones, in the recipe loader’s wording, for every registry', () => {
    const r = ShaperSpecSchema.safeParse({ type: 'kimmi' });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].message).toMatch(/^unknown reward shaper "kimmi"; did you mean "kimi"\?; expected one of: correctness, format, dler/);
    expect(r.error!.issues[0].path).toEqual(['type']);
    expect(() => makeShaper('kimmi')).toThrow(/unknown reward shaper "kimmi"; did you mean "kimi"\?; expected one of: correctness, format, dler, dapo-overlong, kimi/);
    expect(BudgetSpecSchema.safeParse({ type: 'fixd' }).error!.issues[0].message).toMatch(/^unknown budget policy "fixd"; did you mean "fixed"\?; expected one of: fixed, curriculum, difficulty, palu, thinkprune, l1/);
    expect(() => makeBudgetPolicy('zzzzzz')).toThrow(/^unknown budget policy "zzzzzz"; expected one of: fixed/); // nothing near: no suggestion
    expect(AdvantageSpecSchema.safeParse({ type: 'gpro' }).error!.issues[0].message).toMatch(/did you mean "grpo"\?; expected one of: grpo, dr-grpo, batch-norm, rloo/);
    expect(() => makeAdvantageEstimator('gpro')).toThrow(/unknown advantage estimator "gpro"/);
    expect(LossConfigSchema.safeParse({ type: 'clipd' }).error!.issues[0].message).toMatch(/^unknown policy loss "clipd"; did you mean "clipped"\?; expected one of: clipped, drpo$/);
    expect(ShaperSpecSchema.safeParse({}).error!.issues[0].message).toMatch(/^missing "type"; expected one of: correctness/);
    expect(() => tasks.get('jsnl')).toThrow(/^unknown task "jsnl"; did you mean "jsonl"\?; expected one of: arith, jsonl$/);
  });
  it('an entry whose config reuses a shared field name is rejected when the union is built', () => {
    const reg = defineRegistry('thing', { a: { schema: z.strictObject({ weight: z.number().default(1) }) } });
    expect(() => reg.union({ weight: z.number().default(1) })).toThrow(/thing 'a': config keys weight are reserved/);
    expect(() => reg.union()).not.toThrow();
  });
  it('configs are strict and defaults are filled', () => {
    const bad = ShaperSpecSchema.safeParse({ type: 'dler', truncatedMultipler: 0.1 });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0].code).toBe('unrecognized_keys');
    expect(ShaperSpecSchema.parse({ type: 'dler' })).toEqual({ type: 'dler', weight: 1, correct: 1, wrong: 0, truncatedMultiplier: 0.1 });
    expect(ShaperSpecSchema.safeParse({ type: 'cosine', maxLength: 'long' }).success).toBe(false);
    expect(AdvantageSpecSchema.parse({ type: 'batch-norm', correctBoost: 0.1 })).toEqual({
      type: 'batch-norm', weighting: 'token', epsilon: 1e-6, unbiased: true, correctBoost: 0.1,
    });
  });
  it('a list must be non-empty with distinct names', () => {
    expect(ShaperSpecListSchema.safeParse([]).success).toBe(false);
    const dup = ShaperSpecListSchema.safeParse([{ type: 'kimi' }, { type: 'kimi', weight: 2 }]);
    expect(dup.error!.issues[0].message).toMatch(/named 'kimi'/);
    expect(ShaperSpecListSchema.safeParse([{ type: 'kimi' }, { type: 'kimi', name: 'kimi2' }]).success).toBe(true);
  });
});

describe('combineRewards', () => {
  const batch = group(0, [[25, true], [50, false]]);
  it('weighted sum; null contributes nothing; metrics', () => {
    const c = ctx();
    const res = combineRewards(batch, [resolveShaper(ShaperSpecSchema.parse({ type: 'correctness' })), resolveShaper(ShaperSpecSchema.parse({ type: 'drpo-length', weight: 0.5 }))], c);
    expectClose(res.rewards, [1.375, 0]);
    expect(res.perShaper['drpo-length']).toEqual([0.75, null]);
    expect(c.metrics).toEqual({ 'reward/correctness/mean': 0.5, 'reward/drpo-length/mean': 0.75, 'reward/mean': 0.6875 });
  });
  it('all shapers null for a rollout → 0, counted', () => {
    const c = ctx();
    const res = combineRewards(batch, [resolveShaper(ShaperSpecSchema.parse({ type: 'drpo-length' }))], c);
    expectClose(res.rewards, [0.75, 0]);
    expect(c.metrics['reward/null_ratio']).toBe(0.5);
    const all = combineRewards(group(0, [[25, false]]), [resolveShaper(ShaperSpecSchema.parse({ type: 'drpo-length' }))], ctx());
    expect(all.rewards).toEqual([0]);
    expect(all.metrics['reward/drpo-length/mean']).toBeUndefined();
  });
  it('named specs, and errors for bad shapers', () => {
    const c = ctx();
    combineRewards(batch, [resolveShaper(ShaperSpecSchema.parse({ type: 'correctness', name: 'acc' }))], c);
    expect(c.metrics['reward/acc/mean']).toBe(0.5);
    const dup = [resolveShaper(ShaperSpecSchema.parse({ type: 'kimi' })), resolveShaper(ShaperSpecSchema.parse({ type: 'kimi' }))];
    expect(() => combineRewards(batch, dup, ctx())).toThrow(/two shapers are named 'kimi'/);
    expect(() => combineRewards(batch, [{ name: 'short', weight: 1, fn: () => [1] }], ctx())).toThrow(/returned 1 values/);
    expect(() => combineRewards(batch, [{ name: 'nan', weight: 1, fn: () => [NaN, 1] }], ctx())).toThrow(/NaN/);
  });
  it('empty batch', () => expect(combineRewards([], [resolveShaper(ShaperSpecSchema.parse({ type: 'kimi' }))], ctx()).rewards).toEqual([]));
  it('DLER combination: correctness-free dler reward alone', () => {
    const r = combineRewards([ro({ length: 100, correct: true, finish: 'length' })], [resolveShaper(ShaperSpecSchema.parse({ type: 'dler' }))], ctx());
    expectClose(r.rewards, [0.1]);
  });
});
