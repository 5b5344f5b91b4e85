/**
 * Portable kernels (no addon): route every matmul through the wasm backend's
 * own fast path (XNNPACK), which it only takes for a single product with no
 * transposes. Stock tfjs sends the gradient products (dA = dC·Bᵀ,
 * dB = Aᵀ·dC) and batched attention products to a naive loop (1–2 GFLOP/s).
 *
 *   1. transposes are materialised once with the backend's Transpose kernel
 *      (memory-bound, O(size)) so that the product becomes op-free;
 *   2. a batch times a shared rank-2 B is folded into one [batch·M, K]×[K, N];
 *   3. other batches are split into batch-1 products on zero-copy views of the
 *      operands, each written straight into its slice of the output.
 *
 * Products too small for the split to pay (per-call overhead dominates) keep
 * the stock kernel, as do non-float32 inputs and prelu (per-batch weights);
 * biased fused products never do (the stock fused kernel adds the bias wrongly
 * off its fast path).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { planMatmul } from './matmul-plan.ts';
import { makeView, releaseView, wasmId, type WasmBackend } from './wasm-heap.ts';

interface KernelArgs {
  inputs: Record<string, TensorInfo | undefined>;
  backend: unknown;
  attrs?: NamedAttrMap;
}

/** Matches FusableActivation in tfjs-backend-wasm (cc/fusable_activations.h). */
const WASM_ACT: Record<string, number> = { linear: 0, relu: 1, relu6: 2, leakyrelu: 4, sigmoid: 5, elu: 6 };

/**
 * Below this many multiply-adds per product the stock loop is as fast as a
 * split (each split call creates an XNNPACK operator and packs its weights).
 * Measured on the 2-core dev machine, batch 64: 16×16×16 loses (0.35 vs 0.56
 * GFLOP/s), 32×32×16 is even, 32×16×32 wins (2.9 vs 1.0), 64×64×64 wins 6×.
 */
export const MIN_SPLIT_MACS = 32 * 32 * 16;

type WasmMatmulFn = (aId: number, aShape: Uint8Array, aRank: number, bId: number, bShape: Uint8Array, bRank: number,
  transA: boolean, transB: boolean, ...rest: number[]) => void;

const fns = new WeakMap<object, { mm: WasmMatmulFn; fused: WasmMatmulFn }>();

function wasmFns(backend: WasmBackend): { mm: WasmMatmulFn; fused: WasmMatmulFn } {
  let f = fns.get(backend);
  if (!f) {
    const n = 'number';
    f = {
      mm: backend.wasm.cwrap('BatchMatMul', null, [n, 'array', n, n, 'array', n, n, n, n]) as WasmMatmulFn,
      fused: backend.wasm.cwrap('_FusedMatMul', null, [n, 'array', n, n, 'array', n, n, n, n, n, n, n, n]) as WasmMatmulFn,
    };
    fns.set(backend, f);
  }
  return f;
}

export function makePortableMatmul(fallback: KernelFunc): KernelFunc {
  return ((args: KernelArgs) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const attrs = args.attrs ?? {};
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(args as never);
    return runPortable(args.backend as WasmBackend, a, b, !!attrs.transposeA, !!attrs.transposeB, null, null,
      fallback, args);
  }) as unknown as KernelFunc;
}

export function makePortableFusedMatmul(fallback: KernelFunc): KernelFunc {
  return ((args: KernelArgs) => {
    const { a, b, bias, preluActivationWeights } = args.inputs;
    const attrs = args.attrs ?? {};
    const act = WASM_ACT[String(attrs.activation ?? 'linear')];
    if (a == null || b == null || a.dtype !== 'float32' || b.dtype !== 'float32' || act == null ||
      preluActivationWeights != null || (bias != null && bias.shape.length !== 1)) {
      return fallback(args as never); // the stock kernel also only takes a rank-1 bias
    }
    const fused = { act, biasId: bias ? wasmId(args.backend as WasmBackend, bias) : 0, alpha: Number(attrs.leakyreluAlpha ?? 0) };
    return runPortable(args.backend as WasmBackend, a, b, !!attrs.transposeA, !!attrs.transposeB, fused, bias ?? null,
      fallback, args);
  }) as unknown as KernelFunc;
}

interface Fused { act: number; biasId: number; alpha: number }

function runPortable(backend: WasmBackend, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean,
  fused: Fused | null, _bias: TensorInfo | null, fallback: KernelFunc, args: KernelArgs): TensorInfo {
  const plan0 = planMatmul(a.shape, b.shape, transposeA, transposeB);
  const stockFast = !transposeA && !transposeB && plan0.batch === 1 &&
    a.shape.slice(0, -2).every((d) => d === 1) && b.shape.slice(0, -2).every((d) => d === 1);
  // The stock fused kernel adds the bias wrongly off its fast path (any
  // transpose or batch > 1; tfjs-backend-wasm 4.22), so a biased product
  // always takes the split path, however small.
  const tiny = plan0.m * plan0.n * plan0.k < MIN_SPLIT_MACS && !(fused && fused.biasId !== 0);
  if (stockFast || tiny || plan0.batch === 0) {
    return fallback(args as never) as TensorInfo;
  }
  const temps: TensorInfo[] = [];
  const at = transposeA ? transposeLast2(backend, a) : a;
  const bt = transposeB ? transposeLast2(backend, b) : b;
  if (at !== a) temps.push(at);
  if (bt !== b) temps.push(bt);
  try {
    const plan = planMatmul(at.shape, bt.shape, false, false);
    const out = backend.makeOutput(plan.outShape, 'float32');
    const { mm, fused: fusedFn } = wasmFns(backend);
    const { n, k } = plan;
    for (const g of plan.groups) {
      for (let j = 0; j < g.batch; j++) {
        const av = makeView(backend, at, g.aOff + j * g.aStride, [1, g.m, k]);
        const bv = makeView(backend, bt, g.bOff + j * g.bStride, [1, k, n]);
        const cv = makeView(backend, out, g.cOff + j * g.m * n, [1, g.m, n]);
        const aShape = shapeBytes(av.shape);
        const bShape = shapeBytes(bv.shape);
        const ids = [wasmId(backend, av), wasmId(backend, bv), wasmId(backend, cv)] as const;
        if (fused) {
          fusedFn(ids[0], aShape, 3, ids[1], bShape, 3, false, false, fused.act, fused.biasId, 0, fused.alpha, ids[2]);
        } else {
          mm(ids[0], aShape, 3, ids[1], bShape, 3, false, false, ids[2]);
        }
        releaseView(backend, av);
        releaseView(backend, bv);
        releaseView(backend, cv);
      }
    }
    return out;
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

function shapeBytes(shape: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(shape).buffer);
}

/** Materialise X with its last two dims swapped, via the backend's Transpose kernel. */
function transposeLast2(backend: WasmBackend, x: TensorInfo): TensorInfo {
  const r = x.shape.length;
  const perm = [...Array(r).keys()];
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  const kernel = tf.getKernel('Transpose', 'wasm');
  if (!kernel) throw new Error('wasm backend has no Transpose kernel (tfjs-backend-wasm not registered?)');
  return kernel.kernelFunc({ inputs: { x }, backend: backend as never, attrs: { perm } }) as TensorInfo;
}
