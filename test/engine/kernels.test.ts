/**
 * The wasm matmul kernels (portable and native) against the plain-JS
 * reference: every transpose combination, odd sizes, batched and broadcast
 * shapes, fused bias/activation, and gradients through tf.grads.
 * Tolerance: |got − ref| ≤ 1e-4·(Σ|terms| + |ref|) + 1e-6 per element.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
// Gradients are registered by the model area's side-effect module (tfjs-core's Node build has none).
import '../../src/model/tf-gradients.ts';
import { initEngine, loadAddon, loadOwnAddon, setMatmulKernel, type BlasAddon, type MatmulKernel } from '../../src/engine/index.ts';
import { randomArr, refMatmul, refMatmulGrads, worstRatio, type Arr } from './reference.ts';

const addon = loadAddon();
if (!addon.addon) console.warn(`[test/engine] native kernel tests SKIPPED: ${addon.reason}`);
/** brevity's own kernel (brevity_gemm), tested through the same 'native' kernel code as OpenBLAS. */
const own = loadOwnAddon();
if (!own.addon) console.warn(`[test/engine] own-kernel tests SKIPPED: ${own.reason}`);

/** Logical shapes: A is [...batchA, M, K], B is [...batchB, K, N]. */
const CASES: Array<{ name: string; a: number[]; b: number[] }> = [
  { name: '1×1·1×1', a: [1, 1], b: [1, 1] },
  { name: '1×7·7×129', a: [1, 7], b: [7, 129] },
  { name: '129×1·1×7', a: [129, 1], b: [1, 7] },
  { name: '7×129·129×1', a: [7, 129], b: [129, 1] },
  { name: '129×129·129×129', a: [129, 129], b: [129, 129] },
  { name: 'batched 3×129×7·3×7×129', a: [3, 129, 7], b: [3, 7, 129] },
  { name: 'batched 2×3 (rank 4)', a: [2, 3, 33, 65], b: [2, 3, 65, 17] },
  { name: 'broadcast rank-2 B', a: [4, 65, 33], b: [33, 17] },
  { name: 'broadcast rank-2 A', a: [65, 33], b: [4, 33, 17] },
  { name: 'general broadcast [2,1]×[1,3]', a: [2, 1, 40, 33], b: [1, 3, 33, 40] },
];
const TRANSPOSES: Array<[boolean, boolean]> = [[false, false], [false, true], [true, false], [true, true]];

/** Stored shape for a logical shape under a transpose flag. */
const stored = (s: number[], t: boolean) => (t ? [...s.slice(0, -2), s[s.length - 1], s[s.length - 2]] : s);
const tensor = (x: Arr) => tf.tensor(Float32Array.from(x.data), x.shape);
const absArr = (x: Arr): Arr => ({ data: x.data.map(Math.abs), shape: x.shape });

let seed = 1;
function operands(c: { a: number[]; b: number[] }, ta: boolean, tb: boolean) {
  return { a: randomArr(stored(c.a, ta), seed++), b: randomArr(stored(c.b, tb), seed++) };
}

/** A counting wrapper, to prove the native kernel (not the stock fallback) ran. */
function counting(inner: BlasAddon) {
  const counter = { calls: 0 };
  const wrapped: BlasAddon = {
    ...inner,
    gemm: (...args: Parameters<BlasAddon['gemm']>) => { counter.calls++; inner.gemm(...args); },
    threads: () => inner.threads(), setThreads: (n) => inner.setThreads(n),
    config: () => inner.config(), corename: () => inner.corename(),
  };
  return { wrapped, counter };
}

beforeAll(async () => { await initEngine(); });

const PATHS: Array<{ name: string; kernel: MatmulKernel; lib: BlasAddon | null; skip: boolean }> = [
  { name: 'portable', kernel: 'portable', lib: null, skip: false },
  { name: 'native (OpenBLAS)', kernel: 'native', lib: addon.kind === 'openblas' ? addon.addon : null, skip: addon.kind !== 'openblas' },
  { name: `native (own ${own.addon?.corename() ?? ''})`, kernel: 'native', lib: own.addon, skip: own.addon == null },
];

describe.each(PATHS)('$name matmul kernel', ({ kernel, lib, skip }) => {
  let counter = { calls: 0 };
  beforeAll(() => {
    if (skip) return;
    if (kernel === 'native') {
      const c = counting(lib!);
      counter = c.counter;
      setMatmulKernel('native', c.wrapped);
    } else {
      setMatmulKernel(kernel);
    }
  });

  for (const c of CASES) {
    it.skipIf(skip)(`forward ${c.name}, all transposes`, () => {
      for (const [ta, tb] of TRANSPOSES) {
        const { a, b } = operands(c, ta, tb);
        const ref = refMatmul(a, b, ta, tb);
        const got = tf.tidy(() => tf.matMul(tensor(a), tensor(b), ta, tb));
        expect(got.shape, `${c.name} ta=${ta} tb=${tb}`).toEqual(ref.out.shape);
        const ratio = worstRatio(got.dataSync(), ref.out.data, ref.absScale);
        got.dispose();
        expect(ratio, `${c.name} ta=${ta} tb=${tb}`).toBeLessThan(1);
      }
    });
  }

  // Broadcast shapes rely on the engine's BatchMatMul gradient (tfjs-core's
  // throws a shape error for them).
  it.skipIf(skip)('gradients through tf.grads, all transposes, odd, batched and broadcast shapes', () => {
    for (const c of [CASES[5], CASES[6], CASES[7], CASES[8], CASES[9], CASES[1], CASES[4]]) {
      for (const [ta, tb] of TRANSPOSES) {
        const { a, b } = operands(c, ta, tb);
        const outShape = refMatmul(a, b, ta, tb).out.shape;
        const w = randomArr(outShape, seed++);
        const ref = refMatmulGrads(a, b, ta, tb, w);
        const scale = refMatmulGrads(absArr(a), absArr(b), ta, tb, absArr(w));
        const [da, db] = tf.tidy(() => tf.grads((x: tf.Tensor, y: tf.Tensor) =>
          tf.sum(tf.mul(tf.matMul(x, y, ta, tb), tensor(w))))([tensor(a), tensor(b)]));
        const label = `${c.name} ta=${ta} tb=${tb}`;
        expect(worstRatio(da.dataSync(), ref.dA, scale.dA), `dA ${label}`).toBeLessThan(1);
        expect(worstRatio(db.dataSync(), ref.dB, scale.dB), `dB ${label}`).toBeLessThan(1);
        tf.dispose([da, db]);
      }
    }
  });

  it.skipIf(skip)('fused bias + relu/linear forward and gradients, all transposes', () => {
    for (const c of [CASES[3], CASES[5], CASES[2]]) {
      for (const [ta, tb] of TRANSPOSES) {
        for (const act of ['relu', 'linear'] as const) {
          const { a, b } = operands(c, ta, tb);
          const n = c.b[c.b.length - 1];
          const bias = randomArr([n], seed++);
          const ref = refMatmul(a, b, ta, tb, bias, act);
          const label = `${c.name} ta=${ta} tb=${tb} ${act}`;
          const fwd = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
            tf.fused.matMul({ a: x, b: y, transposeA: ta, transposeB: tb, bias: z, activation: act });
          const got = tf.tidy(() => fwd(tensor(a), tensor(b), tensor(bias)));
          expect(worstRatio(got.dataSync(), ref.out.data, ref.absScale), label).toBeLessThan(1);
          got.dispose();
          const w = randomArr(ref.out.shape, seed++);
          const g = refMatmulGrads(a, b, ta, tb, w, bias, act);
          const s = refMatmulGrads(absArr(a), absArr(b), ta, tb, absArr(w), absArr(bias), 'linear');
          const [da, db, dbias] = tf.tidy(() => tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
            tf.sum(tf.mul(fwd(x, y, z), tensor(w))))([tensor(a), tensor(b), tensor(bias)]));
          expect(worstRatio(da.dataSync(), g.dA, s.dA), `dA ${label}`).toBeLessThan(1);
          expect(worstRatio(db.dataSync(), g.dB, s.dB), `dB ${label}`).toBeLessThan(1);
          expect(worstRatio(dbias.dataSync(), g.dBias!, s.dBias), `dBias ${label}`).toBeLessThan(1);
          tf.dispose([da, db, dbias]);
        }
      }
    }
  });

  it.skipIf(skip)('leakyrelu with bias (not fused natively) matches the reference, batched and transposed', () => {
    const { a, b } = operands({ a: [2, 33, 65], b: [2, 65, 17] }, false, true);
    const bias = randomArr([17], seed++);
    const ref = refMatmul(a, b, false, true, bias);
    const got = tf.tidy(() => tf.fused.matMul({
      a: tensor(a), b: tensor(b), transposeB: true, bias: tensor(bias), activation: 'leakyrelu', leakyreluAlpha: 0.2,
    }));
    const want = ref.out.data.map((v) => (v > 0 ? v : 0.2 * v));
    expect(worstRatio(got.dataSync(), want, ref.absScale)).toBeLessThan(1);
    got.dispose();
  });

  it.skipIf(skip || kernel !== 'native')('runs OpenBLAS (not the stock fallback) for plain products', () => {
    const before = counter.calls;
    tf.tidy(() => tf.matMul(tf.ones([8, 5]), tf.ones([3, 5]), false, true).dataSync());
    expect(counter.calls).toBeGreaterThan(before);
  });

  it.skipIf(skip)('leaves no tensors or wasm buffers behind', () => {
    const before = tf.memory().numTensors;
    const beforeBytes = tf.memory().numBytes;
    tf.tidy(() => {
      tf.matMul(tf.ones([3, 40, 33]), tf.ones([3, 40, 33]), true, false).dataSync();
      tf.fused.matMul({ a: tf.ones([3, 40, 33]), b: tf.ones([33, 20]), bias: tf.ones([20]), activation: 'relu' }).dataSync();
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numBytes).toBe(beforeBytes);
  });
});
