/**
 * Loading the OpenBLAS N-API addon (native/brevity_blas.c) built at install
 * by scripts/build-native.js, and explaining its absence.
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
  /** Path the addon was (or would be) loaded from. */
  path: string;
  /** One line: why it is or is not available, and how to fix it. */
  reason: string;
  /** The OpenBLAS core decision (null when the addon was never loaded). */
  core: (CoreSelection & { active: string | null; selfTest: string }) | null;
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ADDON_PATH = join(root, 'native', 'build', 'Release', 'brevity_blas.node');
const STATUS_PATH = join(root, 'native', 'build', 'status.json');
const PROBE_PATH = join(root, 'native', 'core-probe.cjs');

let cached: AddonStatus | undefined;

/** Load once per process; never throws. */
export function loadAddon(): AddonStatus {
  if (cached) return cached;
  cached = tryLoad();
  return cached;
}

/**
 * Set OPENBLAS_CORETYPE (when brevity picks the core; see openblas-select.ts),
 * load the addon (this initialises OpenBLAS), restore the environment, then
 * check that the library runs the core asked for and passes the self-test
 * product against a float64 reference. A failing self-test disables the
 * addon for this process (the portable kernel is used) and drops the cache.
 */
function tryLoad(): AddonStatus {
  if (!existsSync(ADDON_PATH)) return { addon: null, path: ADDON_PATH, reason: `native addon not built: ${installReason()}`, core: null };
  const sel = cachedSelectCore(readCpuInfo(), process.env, ADDON_PATH, childProber(ADDON_PATH));
  const setByUs = sel.coretype != null && !process.env.OPENBLAS_CORETYPE;
  let addon: BlasAddon;
  try {
    if (setByUs) process.env.OPENBLAS_CORETYPE = sel.coretype;
    addon = createRequire(import.meta.url)(ADDON_PATH) as BlasAddon;
  } catch (e) {
    const msg = String((e as Error).message).split('\n')[0];
    return {
      addon: null, path: ADDON_PATH, core: null,
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
      addon: null, path: ADDON_PATH, core,
      reason: `native addon disabled: OpenBLAS ${active} ${selfTest}` +
        (sel.source === 'forced' ? ' (the core brevity forced; the next run probes again)' : '; set OPENBLAS_CORETYPE to another core or reinstall OpenBLAS'),
    };
  }
  return { addon, path: ADDON_PATH, reason: `native addon loaded (OpenBLAS ${active}, ${sel.source === 'forced' ? 'forced by brevity' : sel.source === 'user' ? 'OPENBLAS_CORETYPE' : 'its own choice'})`, core };
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
