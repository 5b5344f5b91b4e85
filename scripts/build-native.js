#!/usr/bin/env node
// npm `install` script: build brevity's own matmul kernel (native/brevity_gemm.c,
// no library needed) and, when the OpenBLAS headers are found, the OpenBLAS
// addon (native/brevity_blas.c). Installation must never fail: on any problem
// print one clear line, record why in native/build/status.json (read by
// `brevity doctor`), and exit 0 so the engine uses the next path down
// (OpenBLAS → own kernel → portable wasm).
//
// Environment:
//   BREVITY_SKIP_NATIVE=1        do not build (records "skipped")
//   BREVITY_BLAS_SEARCH=a:b:c    folders to look for cblas.h in (replaces the
//                                default list; point it at an empty folder to
//                                simulate a machine without OpenBLAS)
//   BREVITY_BLAS_INCLUDE / BREVITY_BLAS_LIBDIR  use this header/library folder
// (At run time, BREVITY_NO_OPENBLAS=1 skips a built OpenBLAS addon, so the own
// kernel's figures can be measured on a machine that has OpenBLAS.)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');
const statusFile = join(nativeDir, 'build', 'status.json');
const logFile = join(nativeDir, 'build', 'build.log');

// Debian/Ubuntu multiarch, plain /usr, Fedora/Arch (openblas/), Homebrew.
const DEFAULT_SEARCH = [
  `/usr/include/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`,
  '/usr/include',
  '/usr/include/openblas',
  '/usr/local/include',
  '/usr/local/opt/openblas/include',
  '/opt/homebrew/opt/openblas/include',
];

function record(status) {
  mkdirSync(dirname(statusFile), { recursive: true });
  writeFileSync(statusFile, JSON.stringify({ ...status, at: new Date().toISOString() }, null, 2) + '\n');
}

/**
 * `built`: the OpenBLAS addon; `gemm`: brevity's own kernel. A stale addon
 * from an earlier build must not outlive the reason it was not rebuilt.
 */
function done(built, reason, extra = {}) {
  const gemm = extra.gemm === true;
  if (!built) rmSync(join(nativeDir, 'build', 'Release', 'brevity_blas.node'), { force: true });
  if (!gemm) rmSync(join(nativeDir, 'build', 'Release', 'brevity_gemm.node'), { force: true });
  record({ built, reason, ...extra, gemm });
  if (built) console.log(`brevity: ${reason}`);
  else if (gemm) console.log(`brevity: OpenBLAS kernel not built (${reason}); brevity's own native matmul kernel will be used (${extra.gemmIsa})`);
  else console.log(`brevity: native matmul kernels not built (${reason}); the portable wasm path will be used`);
  process.exit(0);
}

/** Find cblas.h that belongs to OpenBLAS (it declares openblas_get_config). */
function findHeader() {
  if (process.env.BREVITY_BLAS_INCLUDE) return process.env.BREVITY_BLAS_INCLUDE;
  const search = process.env.BREVITY_BLAS_SEARCH != null
    ? process.env.BREVITY_BLAS_SEARCH.split(':').filter(Boolean)
    : DEFAULT_SEARCH;
  for (const dir of search) {
    const header = join(dir, 'cblas.h');
    if (existsSync(header) && readFileSync(header, 'utf8').includes('openblas_get_config')) return dir;
  }
  return null;
}

/** node-gyp: npm's (set while npm runs scripts), then PATH, then the one bundled with npm. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].filter(Boolean);
  for (const c of candidates) if (existsSync(c)) return [process.execPath, c];
  const which = spawnSync('sh', ['-c', 'command -v node-gyp'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) return [which.stdout.trim()];
  return null;
}

/** Local Node headers so the build works offline (no headers download). */
function findNodeDir() {
  const fromNpm = process.env.npm_config_nodedir;
  if (fromNpm && existsSync(join(fromNpm, 'include', 'node', 'node_api.h'))) return fromNpm;
  const prefix = resolve(dirname(process.execPath), '..');
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) return prefix;
  return null;
}

if (process.env.BREVITY_SKIP_NATIVE === '1') done(false, 'skipped: BREVITY_SKIP_NATIVE=1', { code: 'skipped' });

const gyp = findNodeGyp();
if (!gyp) done(false, 'node-gyp not found (it ships with npm); run `npm install` or `node scripts/build-native.js` from npm', { code: 'no-node-gyp' });
const include = findHeader();

/** node-gyp rebuild; OpenBLAS too when its header was found. Returns the log and whether it worked. */
function build(withBlas) {
  const args = [...gyp.slice(1), 'rebuild', '--directory', nativeDir];
  const nodedir = findNodeDir();
  if (nodedir) args.push(`--nodedir=${nodedir}`);
  const env = { ...process.env, BREVITY_BLAS_INCLUDE: include ?? '', BREVITY_GEMM_ONLY: withBlas ? '0' : '1' };
  const result = spawnSync(gyp[0], args, { cwd: root, env, encoding: 'utf8' });
  return { ok: result.status === 0, log: `${result.stdout ?? ''}\n${result.stderr ?? ''}` };
}

/** Load an addon in a child (a broken link, e.g. a missing libopenblas.so, shows at install) and print corename + threads. */
function smoke(name) {
  try {
    return execFileSync(process.execPath, ['-e',
      `const m=require(${JSON.stringify(join(nativeDir, 'build', 'Release', `${name}.node`))});console.log(m.corename()+' '+m.threads())`],
    { encoding: 'utf8' }).trim().split(' ');
  } catch (e) {
    return String(e.message).split('\n')[0];
  }
}

let first = build(include != null);
let log = first.log;
let blasFailed = null;
if (!first.ok && include != null) {
  blasFailed = 'node-gyp build of the OpenBLAS addon failed; see native/build/build.log';
  const second = build(false); // our own kernel needs no library: try it alone
  log += `\n--- retry without OpenBLAS ---\n${second.log}`;
  first = second;
}
mkdirSync(dirname(logFile), { recursive: true });
writeFileSync(logFile, log);
if (!first.ok) {
  const hint = /command not found|not found: make|gyp ERR! find Python/.test(log) ? ' (needs python3, make and a C compiler)' : '';
  done(false, `node-gyp build failed${hint}; see native/build/build.log`, { code: 'build-failed', include });
}
const own = smoke('brevity_gemm');
const gemm = Array.isArray(own);
const extra = { include, gemm, gemmIsa: gemm ? own[0] : `failed to load: ${own}` };
if (include == null) {
  done(false, 'cblas.h not found at install; for the faster OpenBLAS kernel apt-get install libopenblas-dev and run `node scripts/build-native.js`', { ...extra, code: 'no-header' });
}
if (blasFailed) done(false, blasFailed, { ...extra, code: 'build-failed' });
const blas = smoke('brevity_blas');
if (!Array.isArray(blas)) done(false, `addon built but failed to load: ${blas}`, { ...extra, code: 'load-failed' });
done(true, `native OpenBLAS matmul kernel built (core ${blas[0]}, ${blas[1]} threads, cblas.h from ${include}); own kernel ${extra.gemmIsa}`, { ...extra, code: 'built' });
