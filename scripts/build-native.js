#!/usr/bin/env node
// npm `install` script: build the OpenBLAS matmul addon (native/) when the
// OpenBLAS headers are found. Installation must never fail: on any problem
// print one clear line, record why in native/build/status.json (read by
// `brevity doctor`), and exit 0 so the engine uses its portable path.
//
// Environment:
//   BREVITY_SKIP_NATIVE=1        do not build (records "skipped")
//   BREVITY_BLAS_SEARCH=a:b:c    folders to look for cblas.h in (replaces the
//                                default list; point it at an empty folder to
//                                simulate a machine without OpenBLAS)
//   BREVITY_BLAS_INCLUDE / BREVITY_BLAS_LIBDIR  use this header/library folder
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

function done(built, reason, extra = {}) {
  // A stale addon from an earlier build must not outlive the reason it was not rebuilt.
  if (!built) rmSync(join(nativeDir, 'build', 'Release'), { recursive: true, force: true });
  record({ built, reason, ...extra });
  console.log(built ? `brevity: ${reason}` : `brevity: native matmul kernel not built (${reason}); the portable wasm path will be used`);
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

const include = findHeader();
if (!include) {
  done(false, 'cblas.h not found at install; apt-get install libopenblas-dev and run `node scripts/build-native.js`', { code: 'no-header' });
}
const gyp = findNodeGyp();
if (!gyp) done(false, 'node-gyp not found (it ships with npm); run `npm install` or `node scripts/build-native.js` from npm', { code: 'no-node-gyp' });

const args = [...gyp.slice(1), 'rebuild', '--directory', nativeDir];
const nodedir = findNodeDir();
if (nodedir) args.push(`--nodedir=${nodedir}`);
const env = { ...process.env, BREVITY_BLAS_INCLUDE: include };
const result = spawnSync(gyp[0], args, { cwd: root, env, encoding: 'utf8' });
const log = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
mkdirSync(dirname(logFile), { recursive: true });
writeFileSync(logFile, log);
if (result.status !== 0) {
  const hint = /command not found|not found: make|gyp ERR! find Python/.test(log)
    ? ' (needs python3, make and a C compiler)' : '';
  done(false, `node-gyp build failed${hint}; see native/build/build.log`, { code: 'build-failed', include });
}
// Smoke-load it now, so a broken link (e.g. missing libopenblas.so) shows at install.
try {
  const out = execFileSync(process.execPath, ['-e',
    `const m=require(${JSON.stringify(join(nativeDir, 'build', 'Release', 'brevity_blas.node'))});console.log(m.corename()+' '+m.threads())`],
  { encoding: 'utf8' }).trim();
  done(true, `native OpenBLAS matmul kernel built (core ${out.split(' ')[0]}, ${out.split(' ')[1]} threads, cblas.h from ${include})`, { code: 'built', include });
} catch (e) {
  done(false, `addon built but failed to load: ${String(e.message).split('\n')[0]}`, { code: 'load-failed', include });
}
