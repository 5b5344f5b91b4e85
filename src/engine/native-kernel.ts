/**
 * Native kernels: the wasm backend's `BatchMatMul` and `_FusedMatMul` run by
 * OpenBLAS `cblas_sgemm`, reading and writing the wasm heap in place.
 *
 *   BatchMatMul:  C[i] = op(A[i]) · op(B[i])
 *   _FusedMatMul: C[i] = act(op(A[i]) · op(B[i]) + bias),  act ∈ {linear, relu}
 *
 * Anything else (non-float32, prelu/leakyrelu/…, a bias that is not one row of
 * N values) goes to the original wasm kernel, kept in `fallback`.
 */
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';
import type { BlasAddon } from './native-addon.ts';
import { planMatmul } from './matmul-plan.ts';
import { floatOffset, heap, type WasmBackend } from './wasm-heap.ts';

interface KernelArgs {
  inputs: Record<string, TensorInfo | undefined>;
  backend: unknown;
  attrs?: NamedAttrMap;
}

/** Activations done natively, by the code brevity_blas.c takes. */
const NATIVE_ACT: Record<string, number> = { linear: 0, relu: 1 };

export function makeNativeMatmul(addon: BlasAddon, fallback: KernelFunc): KernelFunc {
  return ((args: KernelArgs) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const attrs = args.attrs ?? {};
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return fallback(args as never);
    return run(addon, args.backend as WasmBackend, a, b, !!attrs.transposeA, !!attrs.transposeB, null, 0);
  }) as unknown as KernelFunc;
}

export function makeNativeFusedMatmul(addon: BlasAddon, fallback: KernelFunc): KernelFunc {
  return ((args: KernelArgs) => {
    const { a, b, bias, preluActivationWeights } = args.inputs;
    const attrs = args.attrs ?? {};
    const act = NATIVE_ACT[String(attrs.activation ?? 'linear')];
    if (a == null || b == null || a.dtype !== 'float32' || b.dtype !== 'float32' || act == null ||
      preluActivationWeights != null) {
      return fallback(args as never);
    }
    const n = attrs.transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
    if (bias != null && !isRowBias(bias, n)) return fallback(args as never);
    return run(addon, args.backend as WasmBackend, a, b, !!attrs.transposeA, !!attrs.transposeB, bias ?? null, act);
  }) as unknown as KernelFunc;
}

/** A bias that broadcasts as one row of N values: shape [..., 1, N] (or [N]). */
function isRowBias(bias: TensorInfo, n: number): boolean {
  return bias.dtype === 'float32' && util.sizeFromShape(bias.shape) === n &&
    (bias.shape.length === 0 ? n === 1 : bias.shape[bias.shape.length - 1] === n);
}

function run(addon: BlasAddon, backend: WasmBackend, a: TensorInfo, b: TensorInfo, transposeA: boolean,
  transposeB: boolean, bias: TensorInfo | null, act: number): TensorInfo {
  const plan = planMatmul(a.shape, b.shape, transposeA, transposeB);
  const out = backend.makeOutput(plan.outShape, 'float32'); // may grow memory
  const aBase = floatOffset(backend, a);
  const bBase = floatOffset(backend, b);
  const cBase = floatOffset(backend, out);
  const biasOff = bias ? floatOffset(backend, bias) : -1;
  const buf = heap(backend); // read after the allocation above
  for (const g of plan.groups) {
    addon.gemm(buf, transposeA, transposeB, g.m, plan.n, plan.k, g.batch, aBase + g.aOff, g.aStride,
      bBase + g.bOff, g.bStride, cBase + g.cOff, biasOff, act);
  }
  return out;
}
