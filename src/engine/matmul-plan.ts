/**
 * Shape planning for batched matmul, shared by the native and portable kernels.
 *
 * tfjs `BatchMatMul(a, b, transposeA, transposeB)` computes, for every index
 * i of the broadcast batch shape,  C[i] = op(A[i]) · op(B[i])  with
 * op(X) = Xᵀ when its transpose flag is set; A is [...batchA, M, K] (or
 * [..., K, M] transposed), B is [...batchB, K, N] (or [..., N, K]) and C is
 * [...broadcast(batchA, batchB), M, N], all row-major and contiguous.
 *
 * A plan is a list of strided groups: group g runs `batch` products with
 * A at aOff + j·aStride, B at bOff + j·bStride and C at cOff + j·M·N (float
 * element offsets relative to each tensor's start). Common cases need one
 * group; a general broadcast (e.g. batch [2,1] × [1,3]) needs one per output.
 */
import { broadcast_util, util } from '@tensorflow/tfjs-core';

export interface MatmulGroup {
  batch: number;
  aOff: number;
  aStride: number;
  bOff: number;
  bStride: number;
  cOff: number;
  /** Rows of C per product in this group (M, or batch·M when batches were folded). */
  m: number;
}

export interface MatmulPlan {
  m: number;
  n: number;
  k: number;
  transposeA: boolean;
  transposeB: boolean;
  /** Broadcast batch shape of the output (without the two matrix dims). */
  batchShape: number[];
  outShape: number[];
  /** Number of output matrices: product of batchShape. */
  batch: number;
  groups: MatmulGroup[];
  /** Total multiply-adds ×2, for GFLOP/s figures. */
  flops: number;
}

/** Build the plan; throws the same inner-dimension error tfjs would. */
export function planMatmul(aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean): MatmulPlan {
  if (aShape.length < 2 || bShape.length < 2) {
    throw new Error(`matMul needs rank ≥ 2 operands, got shapes [${aShape}] and [${bShape}]`);
  }
  const ra = aShape.length;
  const rb = bShape.length;
  const m = transposeA ? aShape[ra - 1] : aShape[ra - 2];
  const k = transposeA ? aShape[ra - 2] : aShape[ra - 1];
  const kb = transposeB ? bShape[rb - 1] : bShape[rb - 2];
  const n = transposeB ? bShape[rb - 2] : bShape[rb - 1];
  if (k !== kb) {
    throw new Error(`Error in matMul: inner shapes (${k}) and (${kb}) of Tensors with shapes ${aShape} and ` +
      `${bShape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`);
  }
  const batchA = aShape.slice(0, -2);
  const batchB = bShape.slice(0, -2);
  const batchShape = broadcast_util.assertAndGetBroadcastShape(batchA, batchB);
  const batch = util.sizeFromShape(batchShape);
  const sizeA = util.sizeFromShape(batchA);
  const sizeB = util.sizeFromShape(batchB);
  const mk = m * k;
  const kn = k * n;
  const mn = m * n;
  let groups: MatmulGroup[];
  if (sizeB === 1 && sizeA === batch && !transposeA) {
    // B shared by every batch and A's rows contiguous: one product of batch·M rows.
    groups = [{ batch: 1, aOff: 0, aStride: 0, bOff: 0, bStride: 0, cOff: 0, m: batch * m }];
  } else if ((sizeA === batch || sizeA === 1) && (sizeB === batch || sizeB === 1)) {
    // Same batch layout as the output (see module doc), or a broadcast single matrix.
    groups = [{
      batch, aOff: 0, aStride: sizeA === 1 ? 0 : mk, bOff: 0, bStride: sizeB === 1 ? 0 : kn, cOff: 0, m,
    }];
  } else {
    groups = broadcastOffsets(batchA, batchB, batchShape).map(([ia, ib], i) => ({
      batch: 1, aOff: ia * mk, aStride: 0, bOff: ib * kn, bStride: 0, cOff: i * mn, m,
    }));
  }
  return {
    m, n, k, transposeA, transposeB, batchShape, outShape: [...batchShape, m, n], batch, groups,
    flops: 2 * batch * m * n * k,
  };
}

/** For each output batch index (row-major), the flat batch index into A and into B. */
export function broadcastOffsets(batchA: number[], batchB: number[], out: number[]): Array<[number, number]> {
  const r = out.length;
  const pad = (s: number[]) => [...new Array(r - s.length).fill(1), ...s];
  const pa = pad(batchA);
  const pb = pad(batchB);
  const strides = (s: number[]) => {
    const st = new Array(r).fill(0);
    let acc = 1;
    for (let d = r - 1; d >= 0; d--) {
      st[d] = s[d] === 1 ? 0 : acc; // a size-1 dim is broadcast: stride 0
      acc *= s[d];
    }
    return st;
  };
  const sa = strides(pa);
  const sb = strides(pb);
  const total = util.sizeFromShape(out);
  const result: Array<[number, number]> = [];
  const idx = new Array(r).fill(0);
  for (let i = 0; i < total; i++) {
    let ia = 0;
    let ib = 0;
    for (let d = 0; d < r; d++) {
      ia += idx[d] * sa[d];
      ib += idx[d] * sb[d];
    }
    result.push([ia, ib]);
    for (let d = r - 1; d >= 0; d--) {
      if (++idx[d] < out[d]) break;
      idx[d] = 0;
    }
  }
  return result;
}
