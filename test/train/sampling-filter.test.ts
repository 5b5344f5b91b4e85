import { describe, expect, it } from 'vitest';
import { filterGroups, GroupAccumulator, keepGroup, SamplingFilterSchema } from '../../src/train/sampling-filter.ts';

describe('keepGroup / filterGroups', () => {
  it('drops zero-variance groups (all-correct, all-wrong, single sample)', () => {
    expect(keepGroup([1, 1, 1])).toBe(false);
    expect(keepGroup([0, 0])).toBe(false);
    expect(keepGroup([1, 0])).toBe(true);
    expect(keepGroup([1])).toBe(false);
    expect(keepGroup([])).toBe(false);
    expect(keepGroup([1, 1 + 1e-12], 1e-9)).toBe(false);
    expect(keepGroup([0.5, 0.6], 1e-9)).toBe(true);
  });
  it('reports the zero-std ratio', () => {
    expect(filterGroups([[1, 1], [1, 0], [0, 0], [0.2, 0.1]])).toEqual({ keep: [false, true, false, true], zeroStdRatio: 0.5 });
    expect(filterGroups([])).toEqual({ keep: [], zeroStdRatio: 0 });
  });
});

describe('GroupAccumulator (dynamic sampling)', () => {
  const cfg = SamplingFilterSchema.parse({ dynamic: true, maxRounds: 3 });
  it('samples until the batch is full, keeps arrival order, discards surplus', () => {
    const acc = new GroupAccumulator<number[]>(cfg, 2);
    expect(acc.add([[1, 1], [1, 0]], (g) => g)).toEqual([false, true]);
    expect(acc.done).toBe(false);
    expect(acc.missing).toBe(1);
    acc.add([[0, 0], [0, 1], [1, 0.5]], (g) => g);
    expect(acc.full).toBe(true);
    expect(acc.done).toBe(true);
    expect(acc.take()).toEqual([[1, 0], [0, 1]]);
    expect(acc.zeroStdRatio).toBeCloseTo(2 / 5);
    expect(acc.metrics()).toEqual({ 'groups/zero_std_ratio': 0.4, 'groups/kept': 2, 'sampling/rounds': 2 });
  });
  it('stops at the round cap with what it has', () => {
    const acc = new GroupAccumulator<number[]>(cfg, 4);
    for (let r = 0; r < 3; r++) acc.add([[1, 1], [0, 1]], (g) => g);
    expect(acc.done).toBe(true);
    expect(acc.full).toBe(false);
    expect(acc.take().length).toBe(3);
    expect(acc.missing).toBe(1);
  });
  it('disabled: keeps everything after one round, still reports the ratio', () => {
    const acc = new GroupAccumulator<number[]>(SamplingFilterSchema.parse({}), 2);
    expect(acc.add([[1, 1], [1, 0]], (g) => g)).toEqual([true, true]);
    expect(acc.done).toBe(true);
    expect(acc.take()).toEqual([[1, 1], [1, 0]]);
    expect(acc.zeroStdRatio).toBe(0.5);
  });
  it('all groups zero-variance every round → empty batch', () => {
    const acc = new GroupAccumulator<number[]>(cfg, 2);
    while (!acc.done) acc.add([[1, 1], [0, 0]], (g) => g);
    expect(acc.rounds).toBe(3);
    expect(acc.take()).toEqual([]);
    expect(acc.zeroStdRatio).toBe(1);
  });
});
