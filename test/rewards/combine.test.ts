import { describe, expect, it } from 'vitest';
import { CombineSchema, combineRewards, normalizePerGroup } from '../../rewards/combine.ts';
import { makeShaper } from '../../rewards/registry.ts';
import { ctx, expectClose, group } from './helpers.ts';

describe('normalize-then-sum (GDPO)', () => {
  it('each shaper standardised per group over its non-null values (n−1 std), nulls stay null, zero spread → 0', () => {
    const s = Math.sqrt(1 / 3); // std of [1, 0, 1, 0] with n − 1
    expectClose(normalizePerGroup([1, 0, 1, 0], [0, 0, 0, 0], 0), [0.5 / s, -0.5 / s, 0.5 / s, -0.5 / s], 9);
    expectClose(normalizePerGroup([2, null, 4, 5, 5], [0, 0, 0, 1, 1], 0), [-Math.SQRT1_2, null, Math.SQRT1_2, 0, 0], 9);
  });
  it('a large-scale shaper no longer drowns a 0/1 one: weights apply to the standardised values', () => {
    const batch = group(0, [[10, true], [20, false], [30, true], [40, false]]);
    const shapers = [
      { name: 'acc', weight: 1, fn: makeShaper('correctness') },
      { name: 'len', weight: 0.5, fn: () => [10, 20, 30, 40] }, // a length term on a 10× scale
    ];
    const cfg = CombineSchema.parse({ mode: 'normalize-then-sum', epsilon: 0 });
    const res = combineRewards(batch, shapers, ctx(), cfg);
    const a = 0.5 / Math.sqrt(1 / 3);
    const sd = Math.sqrt(500 / 3); // std of 10..40 with n − 1
    expectClose(res.rewards, [a - 0.5 * (15 / sd), -a - 0.5 * (5 / sd), a + 0.5 * (5 / sd), -a + 0.5 * (15 / sd)], 9);
    expect(res.metrics['reward/len/mean']).toBe(25); // metrics stay on the raw values
    expectClose(combineRewards(batch, shapers, ctx()).rewards, [6, 10, 16, 20]); // default: the weighted sum
  });
});
