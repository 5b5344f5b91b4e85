import { describe, expect, it } from 'vitest';
import { drpoGroupWeights, drpoPositiveWeights } from '../../rewards/shapers/drpo.ts';
import { expectClose } from './helpers.ts';

describe('DRPO weights', () => {
  it('w = softmax(r/λ) over the positives (λ 0.1)', () => {
    expectClose(drpoPositiveWeights([0.75, 0.5]), [0.9241418199787564, 0.07585818002124355]);
    expectClose(drpoPositiveWeights([0.75, 0.5], Infinity), [0.5, 0.5]);
    expectClose(drpoPositiveWeights([0.3]), [1]);
    expect(drpoPositiveWeights([])).toEqual([]);
    expectClose(drpoPositiveWeights([0.5, 0.5, 0.5], 1e-3), [1 / 3, 1 / 3, 1 / 3]);
  });
  it('per batch: prompts with an empty side are skipped but counted', () => {
    const res = drpoGroupWeights(
      [0.75, 0.5, null, 0.9, 0.8, null, null],
      [true, true, false, true, true, false, false],
      [0, 0, 0, 1, 1, 2, 2],
    );
    expectClose(res.weights, [0.9241418199787564, 0.07585818002124355, 0, 0, 0, 0, 0]);
    expect(res.negative).toEqual([false, false, true, false, false, false, false]);
    expect([...res.groupUsed.entries()]).toEqual([[0, true], [1, false], [2, false]]);
    expect(res.numGroups).toBe(3);
  });
});
