/**
 * Seeds and plain-JS token sampling shared by the rollout engines.
 *
 * Reproducibility contract: sample j of a request with seed s uses the seed
 * `sampleSeed(s, j)`, and its token at step t is drawn with
 * `stepSeed(sampleSeed(s, j), t)`. Nothing depends on which other sequences
 * are in the batch, so the same seed gives the same sample batched or alone.
 */

/** 32-bit avalanche mix (murmur3 fmix32). */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of two integers to [0, 2^31): non-negative so every engine accepts it as a seed. */
export function mixSeed(a: number, b: number): number {
  const h = fmix32((fmix32(a >>> 0) ^ Math.imul((b >>> 0) + 0x9e3779b9, 0x27d4eb2f)) >>> 0);
  return h & 0x7fffffff;
}

export const sampleSeed = (requestSeed: number, j: number): number => mixSeed(requestSeed, j);
export const stepSeed = (seed: number, step: number): number => mixSeed(seed ^ 0x5bd1e995, step);

/** Uniform in [0, 1) from a seed (one mulberry32 draw after mixing). */
export function uniformFromSeed(seed: number): number {
  let t = (seed + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

export interface Drawn {
  token: number;
  /**
   * log μ(token), μ = the distribution the token was drawn from: softmax(logits / T)
   * renormalised over the top-p nucleus (the full vocabulary at topP = 1); greedy:
   * softmax(logits) at T = 1. The trainer's mismatch correction relies on this
   * convention (src/train/rollout-correction.ts); llama.cpp's reports the same.
   */
  logprob: number;
}

/**
 * Draw one token from `logits` (one row).
 *  - temperature 0: argmax (lowest id on ties).
 *  - else p_i = exp(l_i/T) / Σ_j exp(l_j/T); with top-p < 1 keep the smallest
 *    most-probable set whose mass ≥ topP and renormalise; then inverse-CDF
 *    with the uniform `u` over token ids in a fixed order.
 */
export function drawToken(logits: ArrayLike<number>, temperature: number, topP: number, u: number): Drawn {
  const V = logits.length;
  const T = temperature > 0 ? temperature : 1;
  let max = -Infinity;
  let arg = 0;
  for (let i = 0; i < V; i++) if (logits[i] > max) { max = logits[i]; arg = i; }
  const p = new Float64Array(V);
  let z = 0;
  for (let i = 0; i < V; i++) z += p[i] = Math.exp((logits[i] - max) / T);
  const logZ = Math.log(z);
  const lp = (i: number) => (logits[i] - max) / T - logZ;
  if (temperature <= 0) return { token: arg, logprob: lp(arg) };
  let order: number[] | null = null;
  let mass = z;
  let logMass = 0; // log(nucleus mass / z): renormalises the log-prob to the nucleus
  if (topP < 1) {
    order = Array.from({ length: V }, (_, i) => i).sort((a, b) => p[b] - p[a] || a - b);
    let acc = 0;
    let k = 0;
    while (k < V && acc < topP * z) acc += p[order[k++]];
    order = order.slice(0, k).sort((a, b) => a - b);
    mass = acc;
    logMass = Math.log(acc / z);
  }
  const ids = order ?? null;
  const n = ids ? ids.length : V;
  let target = u * mass;
  let last = ids ? ids[0] : 0;
  for (let k = 0; k < n; k++) {
    const i = ids ? ids[k] : k;
    if (p[i] === 0) continue;
    last = i;
    target -= p[i];
    if (target < 0) return { token: i, logprob: lp(i) - logMass };
  }
  return { token: last, logprob: lp(last) - logMass }; // rounding tail
}
