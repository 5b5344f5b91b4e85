/**
 * Loading the OpenBLAS N-API addon (native/brevity_blas.c) built at install
 * by scripts/build-native.js, and explaining its absence.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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
}

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ADDON_PATH = join(root, 'native', 'build', 'Release', 'brevity_blas.node');
const STATUS_PATH = join(root, 'native', 'build', 'status.json');

let cached: AddonStatus | undefined;

/** Load once per process; never throws. */
export function loadAddon(): AddonStatus {
  if (cached) return cached;
  cached = tryLoad();
  return cached;
}

function tryLoad(): AddonStatus {
  if (!existsSync(ADDON_PATH)) return { addon: null, path: ADDON_PATH, reason: `native addon not built: ${installReason()}` };
  try {
    const addon = createRequire(import.meta.url)(ADDON_PATH) as BlasAddon;
    return { addon, path: ADDON_PATH, reason: `native addon loaded (OpenBLAS ${addon.corename()})` };
  } catch (e) {
    const msg = String((e as Error).message).split('\n')[0];
    return {
      addon: null, path: ADDON_PATH,
      reason: `native addon failed to load (${msg}); reinstall OpenBLAS (apt-get install libopenblas-dev) and run \`node scripts/build-native.js\``,
    };
  }
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
