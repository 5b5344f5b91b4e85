'use strict';
/*
 * The OpenBLAS self-test and core probe (plain CommonJS: it runs in a bare
 * `node` child process, before any TypeScript loader).
 *
 * selfTest(addon): the addon's gemm on every transpose pair, a fused bias +
 * relu and a broadcast batch, against a float64 triple loop. Odd sizes
 * (37×45×67) reach the edge paths of the packed micro-kernels. Returns
 * { ok, worst, detail }: worst is max |got − ref| / (Σ|a·b| + 1e-6) over all
 * outputs (float32 sgemm: ~1e-7; a wrong kernel: ~1).
 *
 * As a script: `node core-probe.cjs <addon.node>` loads the addon with the
 * environment it was given (OPENBLAS_CORETYPE or none) and prints one JSON
 * line { corename, config, selfTest }. A core whose kernels the CPU cannot
 * run kills this child (SIGILL) instead of the caller.
 */

function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

/** Row-major op(A)·op(B) (+ bias, relu) in float64, with Σ|terms| per output. */
function reference(h, ta, tb, M, N, K, aOff, bOff, biasOff, relu) {
  const out = new Float64Array(M * N);
  const mag = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = biasOff >= 0 ? h[biasOff + j] : 0;
      let m = biasOff >= 0 ? Math.abs(h[biasOff + j]) : 0;
      for (let k = 0; k < K; k++) {
        const a = h[aOff + (ta ? k * M + i : i * K + k)];
        const b = h[bOff + (tb ? j * K + k : k * N + j)];
        s += a * b;
        m += Math.abs(a * b);
      }
      out[i * N + j] = relu && s < 0 ? 0 : s;
      mag[i * N + j] = m;
    }
  }
  return { out, mag };
}

function selfTest(addon) {
  const M = 37, N = 45, K = 67;
  const aOff = 0, a2Off = M * K, bOff = 2 * M * K, biasOff = bOff + K * N, cOff = biasOff + N;
  const h = new Float32Array(cOff + 2 * M * N);
  const rnd = lcg(12345);
  for (let i = 0; i < cOff; i++) h[i] = rnd();
  let worst = 0;
  let detail = 'ok';
  const check = (label, ref, at) => {
    for (let x = 0; x < ref.out.length; x++) {
      const err = Math.abs(h[at + x] - ref.out[x]) / (ref.mag[x] + 1e-6);
      if (!(err <= worst)) { // also catches NaN
        worst = Number.isNaN(err) ? Infinity : err;
        if (worst > 1e-4) detail = `${label}: C[${x}] = ${h[at + x]}, reference ${ref.out[x]}`;
      }
    }
  };
  for (const [ta, tb] of [[false, false], [false, true], [true, false], [true, true]]) {
    h.fill(0, cOff);
    addon.gemm(h.buffer, ta, tb, M, N, K, 1, aOff, 0, bOff, 0, cOff, -1, 0);
    check(`transA=${ta} transB=${tb}`, reference(h, ta, tb, M, N, K, aOff, bOff, -1, false), cOff);
  }
  h.fill(0, cOff);
  addon.gemm(h.buffer, false, false, M, N, K, 1, aOff, 0, bOff, 0, cOff, biasOff, 1);
  check('bias+relu', reference(h, false, false, M, N, K, aOff, bOff, biasOff, true), cOff);
  h.fill(0, cOff);
  addon.gemm(h.buffer, false, false, M, N, K, 2, aOff, a2Off - aOff, bOff, 0, cOff, -1, 0); // shared B
  check('batch 0', reference(h, false, false, M, N, K, aOff, bOff, -1, false), cOff);
  check('batch 1', reference(h, false, false, M, N, K, a2Off, bOff, -1, false), cOff + M * N);
  return { ok: worst <= 1e-4, worst, detail };
}

module.exports = { selfTest };

if (require.main === module) {
  const addon = require(process.argv[2]);
  const result = { corename: addon.corename(), config: addon.config(), selfTest: selfTest(addon) };
  process.stdout.write(JSON.stringify(result) + '\n');
}
