/** Small numeric helpers shared by shapers, policies and estimators (plain arrays). */

/** Indices of each group, keyed by group id, in order of first appearance. */
export function groupIndices<K>(groupIds: readonly K[]): Map<K, number[]> {
  const groups = new Map<K, number[]>();
  groupIds.forEach((g, i) => {
    const idx = groups.get(g);
    if (idx) idx.push(i);
    else groups.set(g, [i]);
  });
  return groups;
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/**
 * Standard deviation. `unbiased` divides by n−1 (torch's default, used by TRL
 * and verl for group std); a single value (or none) has std 0.
 */
export function std(xs: readonly number[], unbiased = false): number {
  const n = xs.length;
  if (n < 2) return 0;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / (unbiased ? n - 1 : n));
}

export function clip(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/**
 * Quantile `q ∈ [0,1]` with linear interpolation between order statistics
 * (numpy's default "linear"/type 7). NaN for an empty list.
 */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = clip(q, 0, 1) * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** Logistic sigmoid. */
export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** Numerically stable softmax of `xs / temperature`. */
export function softmax(xs: readonly number[], temperature = 1): number[] {
  if (xs.length === 0) return [];
  const z = xs.map((x) => x / temperature);
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** Numerically stable log Σ exp(x). −Infinity for an empty list. */
export function logSumExp(xs: readonly number[]): number {
  if (xs.length === 0) return -Infinity;
  const m = Math.max(...xs);
  if (!Number.isFinite(m)) return m;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}
