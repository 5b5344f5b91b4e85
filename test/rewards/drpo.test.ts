import { describe, expect, it } from 'vitest';
import { drpoPositiveWeights } from '../../rewards/shapers/drpo.ts';
import { expectClose } from './helpers.ts';

describe('DRPO weights', () => {
  it('w = softmax(r/λ) over the positives (λ 0.1)', () => {
    expectClose(drpoPositiveWeights([0.75, 0.5], 0.1), [0.9241418199787564, 0.07585818002124355]);
    expectClose(drpoPositiveWeights([0.75, 0.5], Infinity), [0.5, 0.5]);
    expectClose(drpoPositiveWeights([0.3], 0.1), [1]);
    expect(drpoPositiveWeights([], 0.1)).toEqual([]);
    expectClose(drpoPositiveWeights([0.5, 0.5, 0.5], 1e-3), [1 / 3, 1 / 3, 1 / 3]);
  });
});
