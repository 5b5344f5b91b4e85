/**
 * npm run bench:model — ms per AdamW training step and achieved GFLOP/s of the
 * decoder for two sizes, on every available wasm matmul kernel, in one run:
 *   S: vocab 64, d 128, 4 layers, 4 heads, FFN 512 (~1.1M params)
 *   M: vocab 64, d 256, 6 layers, 8 heads, FFN 1024 (~6.3M params)
 * each on batch 16 × seq 256 (all tokens real). A step = forward + backward of
 * the mean token log-prob (sequenceLogProbs) with micro-batching from
 * microBatchSize, global-norm clipping and an AdamW update (src/train/optimizer.ts).
 * GFLOP/s counts 3× the forward's matmul FLOPs (forward + two backward
 * products): 2·tokens·(linear + head params) + 4·B·L·T²·D for attention.
 * cpu-ms/step is the process's CPU time (all threads): on a machine shared
 * with other jobs, wall time inflates with the load average while CPU time
 * stays roughly the work done, so both are printed, with the 1-min load.
 *
 * Options (environment): BENCH_KERNELS=native,portable,stock (default: all
 * available), BENCH_SIZES=S,M, BENCH_STEPS=n timed steps after one warm-up
 * (default 3), BENCH_STOCK_STEPS (default 1, no warm-up),
 * BENCH_BATCH / BENCH_SEQ to change the shape.
 */
import * as tf from '@tensorflow/tfjs-core';
import { cpus, loadavg } from 'node:os';
import { engineInfo, initEngine, loadAddon, setMatmulKernel, type MatmulKernel } from '../src/engine/index.ts';
import { countParams } from '../src/model/config.ts';
import { B, bench, SIZES, stepFlops, T, wasmHeapBytes } from './bench-step.ts';

await initEngine({ backend: 'wasm' });
const addon = loadAddon().addon;
const info = engineInfo();
const available: MatmulKernel[] = addon ? ['native', 'portable', 'stock'] : ['portable', 'stock'];
const kernels = (process.env.BENCH_KERNELS?.split(',') as MatmulKernel[] | undefined) ?? available;
const sizes = process.env.BENCH_SIZES?.split(',') ?? ['S', 'M'];
console.log(`bench:model — batch ${B} × seq ${T}, AdamW step (fwd + bwd + clip + update), wasm backend`);
console.log(`  cpus ${cpus().length} (${cpus()[0]?.model ?? '?'}), load avg ${loadavg().map((x) => x.toFixed(2)).join(' ')}, OpenBLAS ${addon ? `${info.addon.blasThreads} threads` : 'not loaded'}`);
for (const s of sizes) console.log(`  ${s}: ${countParams(SIZES[s]).toLocaleString()} params, ${(stepFlops(SIZES[s]) / 1e9).toFixed(1)} GFLOP/step`);
console.log('');
console.log('size  kernel     ms/step   GFLOP/s  cpu-ms/step  micro-batch  loss    wasm heap  load');
for (const kernel of kernels) {
  if (!available.includes(kernel)) {
    console.log(`      ${kernel.padEnd(9)}  (not available: ${info.addon.reason})`);
    continue;
  }
  setMatmulKernel(kernel, addon);
  for (const size of sizes) {
    // Stock wasm is 20–60× slower: one timed step (no warm-up) unless BENCH_STOCK_STEPS says otherwise.
    const steps = Number(kernel === 'stock' ? (process.env.BENCH_STOCK_STEPS ?? 1) : (process.env.BENCH_STEPS ?? 3));
    const r = bench(size, kernel, steps);
    const heap = wasmHeapBytes();
    console.log(
      `${size.padEnd(5)} ${kernel.padEnd(9)} ${r.ms.toFixed(0).padStart(8)} ${r.gflops.toFixed(1).padStart(9)} ${r.cpuMs.toFixed(0).padStart(12)} ${String(r.mb).padStart(12)}  ${r.loss.toFixed(3)}  ${heap ? `${(heap / 2 ** 20).toFixed(0)} MiB` : '?'}`.padEnd(88) +
        ` ${loadavg()[0].toFixed(1)}`,
    );
  }
}
console.log(`\ntensors alive at exit: ${tf.memory().numTensors}`);
