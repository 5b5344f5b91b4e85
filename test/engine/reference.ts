/**
 * Plain-JS references for the matmul kernels: no tfjs, float64 sums, and
 * explicit index arithmetic, so they share no code with the kernels.
 */
export interface Arr { data: Float64Array; shape: number[] }

export function randomArr(shape: number[], seed: number): Arr {
  // xorshift32 → uniform in [-1, 1): deterministic and independent of tfjs.
  let s = seed >>> 0 || 1;
  const n = shape.reduce((p, d) => p * d, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    data[i] = (s / 2 ** 32) * 2 - 1;
  }
  return { data, shape };
}

/** Stored element of a rank-≥2 operand at batch index `bi` (already broadcast-reduced), logical row r, col c. */
function at(x: Arr, bi: number, r: number, c: number, trans: boolean): number {
  const rows = x.shape[x.shape.length - 2];
  const cols = x.shape[x.shape.length - 1];
  const [sr, sc] = trans ? [c, r] : [r, c];
  return x.data[bi * rows * cols + sr * cols + sc];
}

/** Flat batch index of operand with batch dims `dims` for output batch multi-index `idx` (right-aligned). */
function batchIndex(dims: number[], idx: number[]): number {
  let flat = 0;
  const off = idx.length - dims.length;
  for (let d = 0; d < dims.length; d++) flat = flat * dims[d] + (dims[d] === 1 ? 0 : idx[off + d]);
  return flat;
}

export interface MatmulResult {
  out: Arr;
  /** Σ_k |a_ik·b_kj| per output element: the scale the rounding error is relative to. */
  absScale: Float64Array;
}

/** C = act(op(A)·op(B) + bias) with numpy-style batch broadcasting. */
export function refMatmul(a: Arr, b: Arr, transA: boolean, transB: boolean,
  bias: Arr | null = null, act: 'linear' | 'relu' = 'linear'): MatmulResult {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const M = transA ? a.shape[ra - 1] : a.shape[ra - 2];
  const K = transA ? a.shape[ra - 2] : a.shape[ra - 1];
  const N = transB ? b.shape[rb - 2] : b.shape[rb - 1];
  const ba = a.shape.slice(0, -2);
  const bb = b.shape.slice(0, -2);
  const r = Math.max(ba.length, bb.length);
  const pa = [...Array(r - ba.length).fill(1), ...ba];
  const pb = [...Array(r - bb.length).fill(1), ...bb];
  const outBatch = pa.map((d, i) => Math.max(d, pb[i]));
  const total = outBatch.reduce((p, d) => p * d, 1);
  const out = new Float64Array(total * M * N);
  const absScale = new Float64Array(total * M * N);
  const idx = Array(r).fill(0);
  for (let t = 0; t < total; t++) {
    const ia = batchIndex(ba, idx);
    const ib = batchIndex(bb, idx);
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = bias ? bias.data[j] : 0;
        let abs = Math.abs(s);
        for (let k = 0; k < K; k++) {
          const p = at(a, ia, i, k, transA) * at(b, ib, k, j, transB);
          s += p;
          abs += Math.abs(p);
        }
        out[t * M * N + i * N + j] = act === 'relu' ? Math.max(0, s) : s;
        absScale[t * M * N + i * N + j] = abs;
      }
    }
    for (let d = r - 1; d >= 0; d--) { if (++idx[d] < outBatch[d]) break; idx[d] = 0; }
  }
  return { out: { data: out, shape: [...outBatch, M, N] }, absScale };
}

/**
 * Worst violation of |got − ref| ≤ rel·(Σ|terms| + |ref|) + 1e-6 (≤ 0 means all within).
 * Returns the ratio error/allowed of the worst element, so < 1 passes.
 */
export function worstRatio(got: ArrayLike<number>, ref: ArrayLike<number>, scale: ArrayLike<number> | null, rel = 1e-4): number {
  if (got.length !== ref.length) throw new Error(`length ${got.length} vs ${ref.length}`);
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const allowed = rel * ((scale ? scale[i] : 0) + Math.abs(ref[i])) + 1e-6;
    const ratio = Math.abs(got[i] - ref[i]) / allowed;
    if (!(ratio <= worst)) worst = Number.isNaN(ratio) ? Infinity : Math.max(worst, ratio);
  }
  return worst;
}

/**
 * Gradients of L = Σ W ⊙ act(op(A)·op(B) + bias) by the chain rule written
 * out per multiply-add: with G = W ⊙ act'(Z), every term a_ik·b_kj of output
 * (t, i, j) adds G·b_kj to dA at A's stored position of (i, k) and G·a_ik to
 * dB at B's stored position of (k, j); broadcast batches accumulate.
 */
export function refMatmulGrads(a: Arr, b: Arr, transA: boolean, transB: boolean, w: Arr,
  bias: Arr | null = null, act: 'linear' | 'relu' = 'linear'): { dA: Float64Array; dB: Float64Array; dBias: Float64Array | null } {
  const z = refMatmul(a, b, transA, transB, bias, 'linear').out;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const M = transA ? a.shape[ra - 1] : a.shape[ra - 2];
  const K = transA ? a.shape[ra - 2] : a.shape[ra - 1];
  const N = transB ? b.shape[rb - 2] : b.shape[rb - 1];
  const ba = a.shape.slice(0, -2);
  const bb = b.shape.slice(0, -2);
  const outBatch = z.shape.slice(0, -2);
  const total = outBatch.reduce((p, d) => p * d, 1);
  const dA = new Float64Array(a.data.length);
  const dB = new Float64Array(b.data.length);
  const dBias = bias ? new Float64Array(N) : null;
  const aRows = a.shape[ra - 2], aCols = a.shape[ra - 1];
  const bRows = b.shape[rb - 2], bCols = b.shape[rb - 1];
  const idx = Array(outBatch.length).fill(0);
  for (let t = 0; t < total; t++) {
    const ia = batchIndex(ba, idx);
    const ib = batchIndex(bb, idx);
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        const o = t * M * N + i * N + j;
        const g = w.data[o] * (act === 'relu' && z.data[o] <= 0 ? 0 : 1);
        if (dBias) dBias[j] += g;
        for (let k = 0; k < K; k++) {
          const aPos = ia * aRows * aCols + (transA ? k * aCols + i : i * aCols + k);
          const bPos = ib * bRows * bCols + (transB ? j * bCols + k : k * bCols + j);
          dA[aPos] += g * b.data[bPos];
          dB[bPos] += g * a.data[aPos];
        }
      }
    }
    for (let d = outBatch.length - 1; d >= 0; d--) { if (++idx[d] < outBatch[d]) break; idx[d] = 0; }
  }
  return { dA, dB, dBias };
}
