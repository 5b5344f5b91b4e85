/**
 * npm run bench:peer — brevity's training step (bench:model's: batch 16 ×
 * seq 256, forward + backward + clip + AdamW) against the same step in
 * PyTorch CPU (scripts/bench-peer.py), S and M models, in one run, with
 * brevity/PyTorch ratios against PyTorch's best thread count.
 *
 * PyTorch is optional: with no python that imports torch (Debian:
 * apt-get install -y python3-torch; BENCH_PYTHON picks the interpreter) the
 * peer rows say so and only brevity's figures are printed. Never needed by
 * brevity or its tests.
 *
 * For each size the runs alternate brevity, PyTorch (1 thread, 2 threads, …),
 * then repeat (BENCH_ROUNDS, default 2), so load changes hit both sides; the
 * ratio uses each side's median. Wall and process-CPU time are both shown:
 * on a shared machine CPU ms is the steadier measure of work.
 *
 * Options (environment): BENCH_SIZES=S,M, BENCH_STEPS (timed steps per run,
 * default 2), BENCH_ROUNDS, BENCH_PEER_THREADS (default 1,<cores>),
 * BENCH_KERNEL (brevity's wasm kernel; default: auto).
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineInfo, initEngine } from '../src/engine/index.ts';
import { bench } from './bench-step.ts';

const sizes = (process.env.BENCH_SIZES ?? 'S,M').split(',');
const steps = Number(process.env.BENCH_STEPS ?? 2);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const threads = process.env.BENCH_PEER_THREADS ?? `1,${cpus().length}`;
const script = join(dirname(fileURLToPath(import.meta.url)), 'bench-peer.py');

interface Peer { size: string; threads: number; ms: number; cpu_ms: number; loss: number }

/**
 * The first python with torch: BENCH_PYTHON, then `python3` on PATH, then
 * /usr/bin/python3 (Debian's python3-torch lives there even when a pyenv or
 * venv python3 comes first on PATH).
 */
function findPython(): string | null {
  const candidates = [process.env.BENCH_PYTHON, 'python3', '/usr/bin/python3'].filter((x): x is string => !!x);
  for (const py of candidates) {
    if (spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0) return py;
  }
  return null;
}
const python = findPython();

function runPeer(size: string): Peer[] | string {
  if (!python) return 'PyTorch not found (no python3 that imports torch; Debian: apt-get install -y python3-torch; or set BENCH_PYTHON)';
  const r = spawnSync(python, [script, '--sizes', size, '--threads', threads, '--steps', String(steps)], { encoding: 'utf8' });
  if (r.error) return `python3 not runnable (${r.error.message})`;
  if (r.status !== 0) {
    const last = (r.stderr ?? '').trim().split('\n').at(-1) ?? '';
    return `bench-peer.py failed: ${last}`;
  }
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Peer);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

await initEngine({ backend: 'wasm', ...(process.env.BENCH_KERNEL ? { kernel: process.env.BENCH_KERNEL as never } : {}) });
const info = engineInfo();
console.log(`bench:peer — batch 16 × seq 256 AdamW step, brevity (wasm, ${info.kernel} kernel${info.addon.core ? `, OpenBLAS ${info.addon.core.active}` : ''}) vs PyTorch CPU; ${rounds} alternating round(s) of ${steps} timed step(s)`);
console.log(`  cpus ${cpus().length} (${cpus()[0]?.model ?? '?'}), load avg at start ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
console.log('size  side                 ms/step  cpu-ms/step   brevity/peer (wall, cpu)');
for (const size of sizes) {
  const ours: { ms: number; cpu: number }[] = [];
  const peers = new Map<number, Peer[]>();
  let peerError: string | null = null;
  for (let r = 0; r < rounds; r++) {
    const b = bench(size, info.kernel === 'tensorflow' ? 'native' : info.kernel, steps);
    ours.push({ ms: b.ms, cpu: b.cpuMs });
    if (peerError) continue;
    const p = runPeer(size);
    if (typeof p === 'string') { peerError = p; continue; }
    for (const x of p) peers.set(x.threads, [...(peers.get(x.threads) ?? []), x]);
  }
  const oMs = median(ours.map((o) => o.ms)), oCpu = median(ours.map((o) => o.cpu));
  console.log(`${size.padEnd(5)} ${'brevity'.padEnd(18)} ${oMs.toFixed(0).padStart(9)} ${oCpu.toFixed(0).padStart(12)}   (runs: ${ours.map((o) => o.ms.toFixed(0)).join(', ')} ms)`);
  if (peerError) { console.log(`${size.padEnd(5)} PyTorch: ${peerError}`); continue; }
  let best: { t: number; ms: number; cpu: number } | null = null;
  for (const [t, xs] of peers) {
    const ms = median(xs.map((x) => x.ms)), cpu = median(xs.map((x) => x.cpu_ms));
    if (!best || ms < best.ms) best = { t, ms, cpu };
    console.log(`${size.padEnd(5)} ${`PyTorch ${t} thread(s)`.padEnd(18)} ${ms.toFixed(0).padStart(9)} ${cpu.toFixed(0).padStart(12)}   ${(oMs / ms).toFixed(2)}, ${(oCpu / cpu).toFixed(2)}`);
  }
  if (best) console.log(`${size.padEnd(5)} brevity / PyTorch best (${best.t} thread(s)): ${(oMs / best.ms).toFixed(2)} wall, ${(oCpu / best.cpu).toFixed(2)} CPU  (issue 15 goal ≤ 0.6)`);
}
console.log(`\nload avg at end ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
