/**
 * Loading the native matmul addon built at install by scripts/build-native.js,
 * and explaining its absence: the OpenBLAS addon (native/brevity_blas.c) when
 * it loads and passes its self-test, else brevity's own kernel
 * (native/brevity_gemm.c, no library; same interface), else none (portable).
 * BREVITY_NO_OPENBLAS=1 skips OpenBLAS, to measure a machine without it.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCpuInfo } from './cpu-info.ts';
import { cachedSelectCore, childProber, dropCoreCache, type CoreSelection } from './openblas-select.ts';

export interface BlasAddon {
  /** C_i = act(op(A_i)·op(B_i) + bias) on the heap; see native/brevity_blas.c. */
  gemm(heap: ArrayBuffer, transA: boolean, transB: boolean, m: number, n: number, k: number, batch: number,
    aOff: number, aStride: number, bOff: number, bStride: number, cOff: number, biasOff: number, act: number): void;
  threads(): number;
  setThreads(n: number): void;
  config(): string;
  corename(): string;
}

export interface AddonStatus {
  addon: BlasAddon | null;
  /** Which library computes the products: OpenBLAS, or brevity's own kernel (brevity_gemm). */
  kind: 'openblas' | 'own' | null;
  /** Path the addon was (or would be) loaded from. */
  path: string;
  /** One line: why it is or is not available, and how to fix it. */
  reason: string;
  /** The OpenBLAS core decision (null when the addon was never loaded). */
  core: (CoreSelection & { active: string | null; selfTest: string }) | null;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ADDON_PATH = join(root, 'native', 'build', 'Release', 'brevity_blas.node');
export const OWN_ADDON_PATH = join(root, 'native', 'build', 'Release', 'brevity_gemm.node');
const STATUS_PATH = join(root, 'native', 'build', 'status.json');
const PROBE_PATH = join(root, 'native', 'core-probe.cjs');

let cached: AddonStatus | undefined;

/** Load once per process; never throws. */
export function loadAddon(): AddonStatus {
  if (cached) return cached;
  const blas: AddonStatus = process.env.BREVITY_NO_OPENBLAS === '1'
    ? { addon: null, kind: null, path: ADDON_PATH, core: null, reason: 'OpenBLAS skipped: BREVITY_NO_OPENBLAS=1' }
    : tryLoad();
  cached = blas.addon ? blas : loadOwnAddon(blas.reason);
  return cached;
}

let ownCached: AddonStatus | undefined;

/** Load an addon and run the self-test product on it; never throws. */
function requireTested(path: string): { addon: BlasAddon; selfTest: string; ok: boolean } | { error: string } {
  try {
    const addon = createRequire(import.meta.url)(path) as BlasAddon;
    const test = (createRequire(import.meta.url)(PROBE_PATH) as { selfTest(a: BlasAddon): { ok: boolean; worst: number; detail: string } }).selfTest(addon);
    const selfTest = test.ok ? `self-test ok (worst relative error ${test.worst.toExponential(1)})` : `self-test FAILED: ${test.detail}`;
    return { addon, selfTest, ok: test.ok };
  } catch (e) {
    return { error: String((e as Error).message).split('\n')[0] };
  }
}

/**
 * brevity's own kernel (loaded once; tests compare it with OpenBLAS in one
 * process). `why`: why OpenBLAS is not used. Without a SIMD micro-kernel for
 * this CPU (plain C, ~5 GFLOP/s) it is not used: the portable wasm path is faster.
 */
export function loadOwnAddon(why = 'OpenBLAS not requested'): AddonStatus {
  ownCached ??= tryLoadOwn();
  if (!ownCached.addon) return { ...ownCached, reason: `${why}; ${ownCached.reason}` };
  return { ...ownCached, reason: `brevity's own ${ownCached.addon.corename()} kernel (no OpenBLAS: ${why}; ${ownCached.reason})` };
}

function tryLoadOwn(): AddonStatus {
  const none = (reason: string): AddonStatus => ({ addon: null, kind: null, path: ADDON_PATH, core: null, reason });
  if (!existsSync(OWN_ADDON_PATH)) return none(`brevity's own kernel not built: ${installReason()}`);
  const r = requireTested(OWN_ADDON_PATH);
  if ('error' in r) return none(`brevity's own kernel failed to load (${r.error}); run \`node scripts/build-native.js\``);
  if (!r.ok) return none(`brevity's own kernel disabled: ${r.selfTest}`);
  if (r.addon.corename() === 'plain-c') return none("brevity's own kernel has no SIMD micro-kernel for this CPU (plain C is slower than the portable path)");
  return { addon: r.addon, kind: 'own', path: OWN_ADDON_PATH, core: null, reason: r.selfTest };
}

/**
 * Set OPENBLAS_CORETYPE (when brevity picks the core; see openblas-select.ts),
 * load the addon (this initialises OpenBLAS), restore the environment, then
 * check that the library runs the core asked for and passes the self-test
 * product against a float64 reference. A failing self-test disables the
 * addon for this process (the portable kernel is used) and drops the cache.
 */
function tryLoad(): AddonStatus {
  if (!existsSync(ADDON_PATH)) return { addon: null, kind: null, path: ADDON_PATH, reason: `native addon not built: ${installReason()}`, core: null };
  const sel = cachedSelectCore(readCpuInfo(), process.env, ADDON_PATH, childProber(ADDON_PATH));
  const setByUs = sel.coretype != null && !process.env.OPENBLAS_CORETYPE;
  let addon: BlasAddon;
  try {
    if (setByUs) process.env.OPENBLAS_CORETYPE = sel.coretype;
    addon = createRequire(import.meta.url)(ADDON_PATH) as BlasAddon;
  } catch (e) {
    const msg = String((e as Error).message).split('\n')[0];
    return {
      addon: null, kind: null, path: ADDON_PATH, core: null,
      reason: `native addon failed to load (${msg}); reinstall OpenBLAS (apt-get install libopenblas-dev) and run \`node scripts/build-native.js\``,
    };
  } finally {
    if (setByUs) delete process.env.OPENBLAS_CORETYPE; // children choose for themselves
  }
  const active = addon.corename();
  const test = (createRequire(import.meta.url)(PROBE_PATH) as { selfTest(a: BlasAddon): { ok: boolean; worst: number; detail: string } }).selfTest(addon);
  const selfTest = test.ok ? `self-test ok (worst relative error ${test.worst.toExponential(1)})` : `self-test FAILED: ${test.detail}`;
  const core = { ...sel, active, selfTest };
  if (sel.coretype && active.toLowerCase() !== sel.coretype.toLowerCase()) {
    core.why += `; but the library runs ${active}, not ${sel.coretype}`;
  }
  if (!test.ok) {
    dropCoreCache(ADDON_PATH);
    return {
      addon: null, kind: null, path: ADDON_PATH, core,
      reason: `native addon disabled: OpenBLAS ${active} ${selfTest}` +
        (sel.source === 'forced' ? ' (the core brevity forced; the next run probes again)' : '; set OPENBLAS_CORETYPE to another core or reinstall OpenBLAS'),
    };
  }
  return { addon, kind: 'openblas', path: ADDON_PATH, reason: `native addon loaded (OpenBLAS ${active}, ${sel.source === 'forced' ? 'forced by brevity' : sel.source === 'user' ? 'OPENBLAS_CORETYPE' : 'its own choice'})`, core };
}

/** What the install script recorded, or a generic hint when it never ran. */
function installReason(): string {
  try {
    const s = JSON.parse(readFileSync(STATUS_PATH, 'utf8')) as { built?: boolean; reason?: string };
    if (s.built) return 'the addon built at install is missing (native/build removed?); run `node scripts/build-native.js`';
    if (s.reason) return s.reason;
  } catch { /* no status: install script not run */ }
  return 'install script has not run (native/build/status.json missing); run `node scripts/build-native.js`';
}
