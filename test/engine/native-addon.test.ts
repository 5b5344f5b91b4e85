/** The addon's gemm on a plain ArrayBuffer, against hand-computed numbers. */
import { describe, expect, it } from 'vitest';
import { loadAddon } from '../../src/engine/native-addon.ts';

const { addon, reason } = loadAddon();
if (!addon) console.warn(`[test/engine] native addon tests SKIPPED: ${reason}`);

/** Heap layout: A at 0 (2×2), B at 4 (2×2), bias at 8 (2), C at 16. */
function heap(): Float32Array<ArrayBuffer> {
  const h = new Float32Array(32);
  h.set([1, 2, 3, 4], 0); // A = [[1,2],[3,4]]
  h.set([5, 6, 7, 8], 4); // B = [[5,6],[7,8]]
  h.set([10, -100], 8); // bias
  return h;
}

describe.skipIf(!addon)('brevity_blas addon', () => {
  it('computes A·B, A·Bᵀ, Aᵀ·B, Aᵀ·Bᵀ', () => {
    const cases: Array<[boolean, boolean, number[]]> = [
      [false, false, [19, 22, 43, 50]],
      [false, true, [17, 23, 39, 53]],
      [true, false, [26, 30, 38, 44]],
      [true, true, [23, 31, 34, 46]],
    ];
    for (const [ta, tb, want] of cases) {
      const h = heap();
      addon!.gemm(h.buffer, ta, tb, 2, 2, 2, 1, 0, 0, 4, 0, 16, -1, 0);
      expect(Array.from(h.subarray(16, 20)), `ta=${ta} tb=${tb}`).toEqual(want);
    }
  });

  it('adds a bias row and applies relu', () => {
    const h = heap();
    addon!.gemm(h.buffer, false, false, 2, 2, 2, 1, 0, 0, 4, 0, 16, 8, 1);
    expect(Array.from(h.subarray(16, 20))).toEqual([29, 0, 53, 0]); // [19+10, relu(22-100), 43+10, relu(50-100)]
  });

  it('broadcasts an operand with stride 0 over a batch', () => {
    const h = heap();
    addon!.gemm(h.buffer, false, false, 1, 2, 2, 2, 0, 2, 4, 0, 16, -1, 0); // rows of A times shared B
    expect(Array.from(h.subarray(16, 20))).toEqual([19, 22, 43, 50]);
  });

  it('refuses operands outside the heap instead of touching memory', () => {
    const h = heap();
    expect(() => addon!.gemm(h.buffer, false, false, 2, 2, 2, 1, 0, 0, 4, 0, 30, -1, 0)).toThrow(/outside the heap/);
    expect(() => addon!.gemm(h.buffer, false, false, 2, 2, 2, 1, 0, 0, 4, 0, 16, -1, 7)).toThrow(RangeError);
  });

  it('reports OpenBLAS threads', () => {
    expect(addon!.threads()).toBeGreaterThanOrEqual(1);
    expect(addon!.config()).toMatch(/OpenBLAS/);
  });
});
