import { describe, expect, it } from 'vitest';
import { broadcastOffsets, planMatmul } from '../../src/engine/matmul-plan.ts';

describe('planMatmul', () => {
  it('reads M, N, K through both transposes', () => {
    const p = planMatmul([5, 3], [7, 5], true, true); // Aᵀ: 3×5, Bᵀ: 5×7
    expect([p.m, p.k, p.n]).toEqual([3, 5, 7]);
    expect(p.outShape).toEqual([3, 7]);
    expect(p.flops).toBe(2 * 3 * 5 * 7);
  });

  it('folds a batch times a shared rank-2 B into one product of batch·M rows', () => {
    const p = planMatmul([4, 6, 3], [3, 2], false, false);
    expect(p.groups).toEqual([{ batch: 1, aOff: 0, aStride: 0, bOff: 0, bStride: 0, cOff: 0, m: 24 }]);
    expect(p.outShape).toEqual([4, 6, 2]);
  });

  it('does not fold when A is transposed (its rows are not contiguous)', () => {
    const p = planMatmul([4, 3, 6], [3, 2], true, false);
    expect(p.groups).toEqual([{ batch: 4, aOff: 0, aStride: 18, bOff: 0, bStride: 0, cOff: 0, m: 6 }]);
  });

  it('broadcasts a rank-2 A with stride 0 and keeps B batched', () => {
    const p = planMatmul([6, 3], [2, 4, 3, 5], false, false);
    expect(p.groups).toEqual([{ batch: 8, aOff: 0, aStride: 0, bOff: 0, bStride: 15, cOff: 0, m: 6 }]);
    expect(p.outShape).toEqual([2, 4, 6, 5]);
  });

  it('splits a general broadcast into one product per output matrix', () => {
    const p = planMatmul([2, 1, 4, 3], [1, 3, 3, 5], false, false);
    expect(p.groups.map((g) => [g.aOff / 12, g.bOff / 15, g.cOff / 20])).toEqual([
      [0, 0, 0], [0, 1, 1], [0, 2, 2], [1, 0, 3], [1, 1, 4], [1, 2, 5],
    ]);
  });

  it('rejects mismatched inner dims and incompatible batches', () => {
    expect(() => planMatmul([2, 3], [4, 5], false, false)).toThrow(/inner shapes \(3\) and \(4\)/);
    expect(() => planMatmul([2, 2, 3], [3, 3, 5], false, false)).toThrow();
  });
});

describe('broadcastOffsets', () => {
  it('maps output batch indices to operand batch indices (hand-computed)', () => {
    // out [2,3]: A batch [2,1] varies with the row, B batch [3] with the column.
    expect(broadcastOffsets([2, 1], [3], [2, 3])).toEqual([[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2]]);
  });
});
