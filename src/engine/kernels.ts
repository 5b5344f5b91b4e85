/**
 * Which implementation the wasm backend's `BatchMatMul` and `_FusedMatMul`
 * kernels use, switchable at run time (the benchmark compares all three in
 * one process). The original wasm kernels are captured once and stay the
 * fallback of the other two.
 *
 *   stock    — tfjs-backend-wasm as shipped
 *   portable — the wasm fast path for every product (portable-kernel.ts)
 *   native   — OpenBLAS sgemm through the addon (native-kernel.ts)
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import type { BlasAddon } from './native-addon.ts';
import { makeNativeFusedMatmul, makeNativeMatmul } from './native-kernel.ts';
import { makePortableFusedMatmul, makePortableMatmul } from './portable-kernel.ts';

export type MatmulKernel = 'stock' | 'portable' | 'native';

const NAMES = ['BatchMatMul', '_FusedMatMul'] as const;
type Name = (typeof NAMES)[number];

let originals: Record<Name, KernelConfig> | null = null;
let active: MatmulKernel = 'stock';

function captureOriginals(): Record<Name, KernelConfig> {
  if (originals) return originals;
  const found = {} as Record<Name, KernelConfig>;
  for (const name of NAMES) {
    const k = tf.getKernel(name, 'wasm');
    if (!k) throw new Error(`tfjs-backend-wasm has no ${name} kernel registered; import '@tensorflow/tfjs-backend-wasm' first`);
    found[name] = k;
  }
  originals = found;
  return found;
}

/** Install `kind` as the wasm matmul kernels (needs the addon for 'native'). */
export function setMatmulKernel(kind: MatmulKernel, addon: BlasAddon | null = null): void {
  const orig = captureOriginals();
  const fallback = (n: Name): KernelFunc => orig[n].kernelFunc;
  let funcs: Record<Name, KernelFunc>;
  if (kind === 'stock') {
    funcs = { BatchMatMul: fallback('BatchMatMul'), _FusedMatMul: fallback('_FusedMatMul') };
  } else if (kind === 'portable') {
    funcs = {
      BatchMatMul: makePortableMatmul(fallback('BatchMatMul')),
      _FusedMatMul: makePortableFusedMatmul(fallback('_FusedMatMul')),
    };
  } else {
    if (!addon) throw new Error('setMatmulKernel("native") needs the OpenBLAS addon; run `npx brevity doctor` to see why it is missing');
    funcs = {
      BatchMatMul: makeNativeMatmul(addon, fallback('BatchMatMul')),
      // Activations OpenBLAS does not fuse go to the portable kernel, which
      // (unlike stock) handles a bias with transposes and batches correctly.
      _FusedMatMul: makeNativeFusedMatmul(addon, makePortableFusedMatmul(fallback('_FusedMatMul'))),
    };
  }
  for (const name of NAMES) {
    tf.unregisterKernel(name, 'wasm');
    // The original setupFunc already ran when the backend initialised; the
    // stock kernelFunc keeps working from its captured wasm bindings.
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: funcs[name] });
  }
  active = kind;
}

export function activeMatmulKernel(): MatmulKernel {
  return active;
}
