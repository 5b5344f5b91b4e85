/**
 * npm run bench:engine — GFLOP/s of the wasm matmul kernels (stock, portable,
 * native) on the matmul shapes of a small decoder, in one process:
 *   linear layers [4096×128]·[128×512] and [4096×512]·[512×128], the two
 *   gradient products of each (dX = dY·Wᵀ, dW = Xᵀ·dY), a fused bias+relu
 *   layer, and batched attention [64,256,32]·[64,32,256] (q·kᵀ and p·v).
 * GFLOP/s = 2·batch·M·N·K / seconds (median of timed runs, after a warm-up).
 * Each kernel's output is checked against the stock kernel's (max relative
 * difference), so a fast wrong kernel cannot hide.
 *
 * Options: BREVITY_BLAS_THREADS=n sets OpenBLAS threads; BENCH_SECONDS=s the
 * minimum time per cell (default 0.6 s).
 */
import * as tf from '@tensorflow/tfjs-core';
import { cpus, loadavg } from 'node:os';
// tfjs-core's Node build registers no gradients; the model area's module does.
import '../src/model/tf-gradients.ts';
import { engineInfo, initEngine, loadAddon, setMatmulKernel, type MatmulKernel } from '../src/engine/index.ts';

interface Case { name: string; a: number[]; b: number[]; ta: boolean; tb: boolean; fused?: boolean }

const CASES: Case[] = [
  { name: 'X·W    [4096×128]·[128×512]', a: [4096, 128], b: [128, 512], ta: false, tb: false },
  { name: 'dY·Wᵀ  [4096×512]·[128×512]ᵀ', a: [4096, 512], b: [128, 512], ta: false, tb: true },
  { name: 'Xᵀ·dY  [4096×128]ᵀ·[4096×512]', a: [4096, 128], b: [4096, 512], ta: true, tb: false },
  { name: 'X·W    [4096×512]·[512×128]', a: [4096, 512], b: [512, 128], ta: false, tb: false },
  { name: 'dY·Wᵀ  [4096×128]·[512×128]ᵀ', a: [4096, 128], b: [512, 128], ta: false, tb: true },
  { name: 'Xᵀ·dY  [4096×512]ᵀ·[4096×128]', a: [4096, 512], b: [4096, 128], ta: true, tb: false },
  { name: 'relu(X·W+b) fused [4096×128]·[128×512]', a: [4096, 128], b: [128, 512], ta: false, tb: false, fused: true },
  { name: 'q·kᵀ   [64,256,32]·[64,32,256]', a: [64, 256, 32], b: [64, 32, 256], ta: false, tb: false },
  { name: 'q·kᵀ   [64,256,32]·[64,256,32]ᵀ', a: [64, 256, 32], b: [64, 256, 32], ta: false, tb: true },
  { name: 'p·v    [64,256,256]·[64,256,32]', a: [64, 256, 256], b: [64, 256, 32], ta: false, tb: false },
];

const minSeconds = Number(process.env.BENCH_SECONDS ?? 0.6);

function flops(c: Case): number {
  const ra = c.a.length;
  const m = c.ta ? c.a[ra - 1] : c.a[ra - 2];
  const k = c.ta ? c.a[ra - 2] : c.a[ra - 1];
  const n = c.tb ? c.b[c.b.length - 2] : c.b[c.b.length - 1];
  const batch = ra > 2 ? c.a[0] : 1;
  return 2 * batch * m * n * k;
}

function run(c: Case, a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  return c.fused
    ? tf.fused.matMul({ a, b, transposeA: c.ta, transposeB: c.tb, bias, activation: 'relu' })
    : tf.matMul(a, b, c.ta, c.tb);
}

/** Median seconds per product; dataSync forces completion. */
function time(c: Case, a: tf.Tensor, b: tf.Tensor, bias: tf.Tensor): { seconds: number; out: Float32Array } {
  const warm = run(c, a, b, bias);
  const out = warm.dataSync() as Float32Array;
  warm.dispose();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < 2 || (performance.now() - start) / 1000 < minSeconds) {
    const t0 = performance.now();
    const y = run(c, a, b, bias);
    y.dataSync();
    times.push((performance.now() - t0) / 1000);
    y.dispose();
  }
  times.sort((x, y) => x - y);
  return { seconds: times[Math.floor(times.length / 2)], out };
}

function maxRelDiff(x: Float32Array, ref: Float32Array): number {
  let scale = 0;
  for (const v of ref) scale = Math.max(scale, Math.abs(v));
  let d = 0;
  for (let i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - ref[i]));
  return d / (scale || 1);
}

await initEngine({ backend: 'wasm' });
const addon = loadAddon().addon;
const kernels: MatmulKernel[] = addon ? ['stock', 'portable', 'native'] : ['stock', 'portable'];
const info = engineInfo();
console.log(`brevity bench:engine — ${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`wasm threads ${info.wasmThreads}, simd ${info.wasmSimd}; OpenBLAS ${addon ? `${addon.threads()} threads (${addon.corename()})` : `absent: ${info.addon.reason}`}`);
console.log('');
const header = ['product', ...kernels.map((k) => `${k} GFLOP/s`), 'portable/stock', ...(addon ? ['native/stock'] : []), 'max rel diff vs stock'];
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
for (const c of CASES) {
  const a = tf.randomNormal(c.a);
  const b = tf.randomNormal(c.b);
  const n = c.tb ? c.b[c.b.length - 2] : c.b[c.b.length - 1];
  const bias = tf.randomNormal([n]);
  const gflops: Record<string, number> = {};
  let ref: Float32Array | null = null;
  let diff = 0;
  for (const k of kernels) {
    setMatmulKernel(k, addon);
    const { seconds, out } = time(c, a, b, bias);
    gflops[k] = flops(c) / seconds / 1e9;
    if (!ref) ref = out;
    else diff = Math.max(diff, maxRelDiff(out, ref));
  }
  const cells = [c.name, ...kernels.map((k) => gflops[k].toFixed(1)), `${(gflops.portable / gflops.stock).toFixed(1)}×`,
    ...(addon ? [`${(gflops.native / gflops.stock).toFixed(1)}×`] : []), diff.toExponential(1)];
  console.log(`| ${cells.join(' | ')} |`);
  tf.dispose([a, b, bias]);
}
// A whole training-style step: forward and backward of a two-layer MLP block
// y = relu(X·W1 + b1)·W2 on X[4096×128], W1[128×512], W2[512×128] (six
// products, four of them transposed), loss = mean(y²).
console.log('');
console.log(`| MLP block fwd+bwd, ms per step | ${kernels.join(' | ')} |`);
console.log(`|---|${kernels.map(() => '---').join('|')}|`);
{
  const x = tf.randomNormal([4096, 128]);
  const w1 = tf.variable(tf.randomNormal([128, 512], 0, 0.05));
  const b1 = tf.variable(tf.zeros([512]));
  const w2 = tf.variable(tf.randomNormal([512, 128], 0, 0.05));
  const loss = () => tf.mean(tf.square(tf.matMul(
    tf.fused.matMul({ a: x, b: w1, bias: b1, activation: 'relu' }), w2))) as tf.Scalar;
  const cells: string[] = [];
  for (const k of kernels) {
    setMatmulKernel(k, addon);
    const step = () => { const { value, grads } = tf.variableGrads(loss); value.dataSync(); tf.dispose([value, ...Object.values(grads)]); };
    step();
    const times: number[] = [];
    const start = performance.now();
    while (times.length < 2 || (performance.now() - start) / 1000 < minSeconds) {
      const t0 = performance.now();
      step();
      times.push(performance.now() - t0);
    }
    times.sort((p, q) => p - q);
    cells.push(times[Math.floor(times.length / 2)].toFixed(0));
  }
  console.log(`| relu(X·W1+b1)·W2 | ${cells.join(' | ')} |`);
  tf.dispose([x, w1, b1, w2]);
}
setMatmulKernel(info.kernel === 'tensorflow' ? 'stock' : info.kernel, addon);
