/**
 * brevity's own matmul kernel (native/brevity_gemm.c, no BLAS library): each
 * micro-kernel (avx512, avx2, plain C) against the float64 self-test, then
 * against OpenBLAS on random shapes that cross every blocking edge (M > MC,
 * K > KC, N > NC), with transposes, bias, relu, batches and a broadcast
 * operand; and the "no OpenBLAS" switch as doctor reports it. The kernel's
 * tfjs-level tests (forward and gradients of every case) are in kernels.test.ts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ADDON_PATH, loadAddon, loadOwnAddon, OWN_ADDON_PATH } from '../../src/engine/native-addon.ts';
import { readCpuInfo } from '../../src/engine/cpu-info.ts';

const own = loadOwnAddon();
const blas = loadAddon();
const cpu = readCpuInfo();
const ISAS = [
  { isa: 'plain-c', ok: true },
  { isa: 'avx2', ok: cpu.flags.has('avx2') && cpu.flags.has('fma') },
  { isa: 'avx512', ok: cpu.flags.has('avx512f') },
];

describe.skipIf(!own.addon)('brevity_gemm', () => {
  it.each(ISAS)('$isa micro-kernel passes the float64 self-test', ({ isa, ok }) => {
    if (!ok) return;
    const r = spawnSync(process.execPath, ['native/core-probe.cjs', OWN_ADDON_PATH], { env: { ...process.env, BREVITY_GEMM_ISA: isa }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.corename).toBe(isa);
    expect(out.selfTest.ok, out.selfTest.detail).toBe(true);
  });

  it.skipIf(blas.kind !== 'openblas')('equals OpenBLAS across blocking edges, transposes, bias, relu, batches, broadcast', () => {
    let seed = 3;
    const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296) - 0.5;
    const shapes: [number, number, number][] = [[1, 1, 1], [7, 33, 300], [97, 31, 257], [130, 2100, 5], [5, 17, 600], [200, 40, 64]];
    let worst = 0;
    let i = 0;
    for (const [M, N, K] of shapes) {
      for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]] as const) {
        const batch = 1 + (i % 3);
        const bStride = i % 2 ? 0 : K * N; // odd cases broadcast B over the batch
        const bias = i % 4 < 2 ? batch * M * K + batch * K * N : -1;
        const act = i % 3 === 0 ? 1 : 0;
        i++;
        const cOff = batch * M * K + batch * K * N + N;
        const h1 = new Float32Array(cOff + batch * M * N).map(rnd);
        const h2 = h1.slice();
        blas.addon!.gemm(h1.buffer, ta, tb, M, N, K, batch, 0, M * K, batch * M * K, bStride, cOff, bias, act);
        own.addon!.gemm(h2.buffer, ta, tb, M, N, K, batch, 0, M * K, batch * M * K, bStride, cOff, bias, act);
        for (let x = cOff; x < h1.length; x++) worst = Math.max(worst, Math.abs(h1[x] - h2[x]) / (1 + Math.abs(h1[x])));
        expect(Array.from(h2.subarray(0, cOff))).toEqual(Array.from(h1.subarray(0, cOff))); // inputs untouched
      }
    }
    expect(worst).toBeLessThan(2e-5); // float32 sums of ≤ 600 terms in another order
  });

  it('refuses operands outside the heap', () => {
    const h = new Float32Array(16);
    expect(() => own.addon!.gemm(h.buffer, false, false, 2, 2, 2, 1, 0, 0, 4, 0, 14, -1, 0)).toThrow(/outside the heap/);
  });

  it('BREVITY_NO_OPENBLAS=1 makes the engine use it, and doctor says so', () => {
    const out = execFileSync(process.execPath, ['bin/brevity.js', 'doctor', '--json'], {
      encoding: 'utf8', env: { ...process.env, BREVITY_NO_OPENBLAS: '1', BREVITY_KERNEL: '' },
    });
    const info = JSON.parse(out);
    expect(info.kernel).toBe('native');
    expect(info.addon.kind).toBe('own');
    expect(info.addon.reason).toMatch(/BREVITY_NO_OPENBLAS=1/);
    expect(ADDON_PATH).not.toBe(info.addon.path);
  }, 60_000);
});
