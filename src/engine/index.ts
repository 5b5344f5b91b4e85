/**
 * The tensor engine: pick the tfjs backend and the matmul kernel, once per
 * process. Call `await initEngine()` before creating tensors.
 *
 * Backend preference (option `backend: 'auto'`):
 *   tfjs-node-gpu with a usable GPU → tfjs-node → wasm (always installed).
 * On wasm, the matmul kernel (option `kernel: 'auto'`):
 *   native (OpenBLAS addon, 50–150 GFLOP/s; without OpenBLAS brevity's own
 *   AVX-512/AVX2 kernel, same addon interface) → portable (wasm fast path,
 *   ~20 GFLOP/s) ; 'stock' is tfjs as shipped (1–2 GFLOP/s on transposed and
 *   batched products), kept as the benchmark baseline.
 * BREVITY_BACKEND / BREVITY_KERNEL / BREVITY_BLAS_THREADS override the options.
 */
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { tryTfNode } from './backend-select.ts';
import { activeMatmulKernel, setMatmulKernel, type MatmulKernel } from './kernels.ts';
import { registerMatmulGradient } from './matmul-gradient.ts';
import { loadAddon, type AddonStatus } from './native-addon.ts';
import { resolveOptions, type EngineOptions, type EngineOptionsInput } from './options.ts';

export { setMatmulKernel, activeMatmulKernel, type MatmulKernel } from './kernels.ts';
export { loadAddon, loadOwnAddon, type BlasAddon, type AddonStatus } from './native-addon.ts';
export { EngineOptionsSchema, resolveOptions, type EngineOptions, type EngineOptionsInput } from './options.ts';

export type BackendName = 'wasm' | 'tfjs-node' | 'tfjs-node-gpu';

export interface EngineInfo {
  backend: BackendName;
  /** The matmul kernel in use on wasm; 'tensorflow' on a tfjs-node backend. */
  kernel: MatmulKernel | 'tensorflow';
  options: EngineOptions;
  /** Why this backend and kernel were chosen, one line each. */
  reasons: string[];
  addon: {
    loaded: boolean; path: string; reason: string; blasThreads: number | null; blasConfig: string | null;
    /** 'openblas' or 'own' (brevity_gemm, no library) when loaded. */
    kind: AddonStatus['kind'];
    /** The OpenBLAS core: the library's own choice, the one in use, and why (openblas-select.ts). */
    core: AddonStatus['core'];
  };
  /** Threads of the wasm backend's own (XNNPACK) kernels; 1 in Node (no wasm threads). */
  wasmThreads: number | null;
  wasmSimd: boolean | null;
  gpu: boolean;
}

let info: EngineInfo | null = null;
let pending: Promise<EngineInfo> | null = null;
let warned = false;

/**
 * Select and initialise the backend and kernels. Later calls keep the
 * backend (asking for a different one is an error: tensors already live on
 * it) but switch the wasm matmul kernel when a specific one is requested.
 */
export async function initEngine(options: EngineOptionsInput = {}): Promise<EngineInfo> {
  if (!info) {
    pending ??= init(resolveOptions(options));
    try {
      info = await pending;
      return info;
    } finally {
      pending = null;
    }
  }
  const opts = resolveOptions(options);
  if (opts.backend !== 'auto' && opts.backend !== info.backend) {
    throw new Error(`initEngine: backend "${opts.backend}" requested, but the engine already runs on "${info.backend}" ` +
      '(chosen by the first initEngine call in this process); set it before any tensor work');
  }
  if (info.backend === 'wasm' && opts.kernel !== 'auto' && opts.kernel !== activeMatmulKernel()) {
    const addon = loadAddon();
    if (opts.kernel === 'native' && !addon.addon) {
      throw new Error(`matmul kernel "native" requested (BREVITY_KERNEL or recipe) but ${addon.reason}`);
    }
    setMatmulKernel(opts.kernel, addon.addon);
    info = { ...info, kernel: opts.kernel, reasons: [...info.reasons, `${opts.kernel} kernel requested by a later initEngine call`] };
  }
  return info;
}

/** The engine's state (after initEngine), for reports and `brevity doctor`. */
export function engineInfo(): EngineInfo {
  if (!info) throw new Error('engineInfo() called before `await initEngine()`');
  return { ...info, kernel: info.backend === 'wasm' ? activeMatmulKernel() : 'tensorflow' };
}

async function init(opts: EngineOptions): Promise<EngineInfo> {
  const reasons: string[] = [];
  registerMatmulGradient(); // broadcast-aware; tfjs-core's throws for x[B,T,K]·W[K,N]
  const addonStatus = loadAddon();
  const addon = addonStatus.addon;
  if (addon && opts.blasThreads) addon.setThreads(opts.blasThreads);
  const addonInfo = {
    loaded: addon != null, path: addonStatus.path, reason: addonStatus.reason,
    blasThreads: addon ? addon.threads() : null, blasConfig: addon ? addon.config() : null,
    core: addonStatus.core,
    kind: addonStatus.kind,
  };
  const base = { options: opts, reasons, addon: addonInfo };

  // 1. Native TensorFlow backends, when installed (auto) or forced.
  if (opts.backend !== 'wasm') {
    const order = opts.backend === 'auto' ? (['tfjs-node-gpu', 'tfjs-node'] as const) : [opts.backend];
    for (const pkg of order) {
      const probe = await tryTfNode(pkg, pkg === 'tfjs-node-gpu' && opts.backend === 'auto');
      reasons.push(probe.reason);
      if (probe.ok) {
        await tf.ready();
        return { ...base, backend: pkg, kernel: 'tensorflow', wasmThreads: null, wasmSimd: null, gpu: probe.gpu };
      }
    }
    if (opts.backend !== 'auto') {
      throw new Error(`backend "${opts.backend}" requested (BREVITY_BACKEND or recipe) but ${reasons.at(-1)}; ` +
        `install it with \`npm install @tensorflow/${opts.backend}\` (needs network) or use backend "auto"/"wasm"`);
    }
  }

  // 2. wasm, with our kernels. The backend must be initialised before the
  //    kernels are swapped: that runs the stock kernels' setup (our fallback).
  if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs wasm backend failed to initialise');
  await tf.ready();
  reasons.push(opts.backend === 'wasm' ? 'wasm backend forced' : 'wasm backend (no tfjs-node package usable)');

  let kernel: MatmulKernel;
  if (opts.kernel === 'auto') {
    kernel = addon ? 'native' : 'portable';
    reasons.push(addon ? `native kernel: ${addonStatus.reason}` : `portable kernel: ${addonStatus.reason}`);
    if (!addon && !warned) {
      warned = true;
      console.warn(`brevity: ${addonStatus.reason}; using the portable wasm matmul path (details: npx brevity doctor)`);
    } else if (addonStatus.kind === 'own' && !warned && process.env.BREVITY_NO_OPENBLAS !== '1') {
      warned = true;
      console.warn(`brevity: OpenBLAS not available; using brevity's own ${addon!.corename()} matmul kernel (apt-get install libopenblas-dev and \`node scripts/build-native.js\` for OpenBLAS; details: npx brevity doctor)`);
    }
  } else {
    if (opts.kernel === 'native' && !addon) {
      throw new Error(`matmul kernel "native" requested (BREVITY_KERNEL or recipe) but ${addonStatus.reason}`);
    }
    kernel = opts.kernel;
    reasons.push(`${kernel} kernel forced${process.env.BREVITY_KERNEL ? ' by BREVITY_KERNEL' : ''}`);
  }
  setMatmulKernel(kernel, addon);
  return {
    ...base, backend: 'wasm', kernel, gpu: false,
    wasmThreads: getThreadsCount(),
    wasmSimd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
  };
}
