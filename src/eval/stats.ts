/**
 * Evaluation statistics as pure functions over plain arrays (docs/methods.md,
 * "Evaluation metrics"). Everything here is deterministic given its inputs
 * (bootstrap takes a seed).
 */
import { makeRng } from '../util/rng.ts';

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Quantile q ∈ [0,1] of sorted values, linear interpolation (R type 7 / numpy default). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export interface Interval {
  /** The statistic on the original sample. */
  estimate: number;
  lo: number;
  hi: number;
}

export interface BootstrapOptions {
  /** Resamples; 1000 gives percentile bounds stable to ~±0.5 point for accuracy on 200 problems. */
  resamples?: number;
  seed?: number;
  /** Two-sided confidence level. */
  level?: number;
}

/**
 * Percentile bootstrap over units (problems): draw n indices with replacement
 * `resamples` times, evaluate `stat(indices)`, take the (1−level)/2 and
 * (1+level)/2 quantiles. Resamples where `stat` is NaN (e.g. mean length of
 * correct answers when a resample has none) are dropped.
 */
export function bootstrapIndices(
  n: number,
  stat: (idx: readonly number[]) => number,
  { resamples = 1000, seed = 0, level = 0.95 }: BootstrapOptions = {},
): Interval {
  const all = Array.from({ length: n }, (_, i) => i);
  const estimate = stat(all);
  if (n === 0) return { estimate, lo: NaN, hi: NaN };
  const { next: rng } = makeRng(seed);
  const stats: number[] = [];
  const idx = new Array<number>(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) idx[i] = Math.floor(rng() * n);
    const s = stat(idx);
    if (!Number.isNaN(s)) stats.push(s);
  }
  stats.sort((a, b) => a - b);
  const alpha = (1 - level) / 2;
  return { estimate, lo: quantileSorted(stats, alpha), hi: quantileSorted(stats, 1 - alpha) };
}

/** Bootstrap CI of the mean of per-problem values (e.g. each problem's accuracy over its samples). */
export function bootstrapMeanCI(values: readonly number[], opts?: BootstrapOptions): Interval {
  return bootstrapIndices(values.length, (idx) => mean(idx.map((i) => values[i])), opts);
}

/**
 * Ratio-of-sums bootstrap: Σ num / Σ den over resampled problems (e.g. mean
 * tokens of correct answers = Σ tokens of correct samples / number of correct
 * samples, with problems as the resampling unit).
 */
export function bootstrapRatioCI(num: readonly number[], den: readonly number[], opts?: BootstrapOptions): Interval {
  return bootstrapIndices(num.length, (idx) => {
    let a = 0;
    let b = 0;
    for (const i of idx) {
      a += num[i];
      b += den[i];
    }
    return b === 0 ? NaN : a / b;
  }, opts);
}

export interface PairedDiff extends Interval {
  /** Share of resamples where the difference has the opposite sign to the estimate or is 0, ×2 (two-sided bootstrap p), capped at 1. */
  p: number;
}

/**
 * Paired bootstrap for an A/B difference mean(b) − mean(a): a[i] and b[i] are
 * the same problem (and seed) under each arm, resampled together, so
 * per-problem difficulty cancels out of the interval.
 */
export function pairedBootstrap(a: readonly number[], b: readonly number[], opts: BootstrapOptions = {}): PairedDiff {
  if (a.length !== b.length) throw new Error(`pairedBootstrap: arms have ${a.length} and ${b.length} problems; pair them on the same problems`);
  const d = a.map((x, i) => b[i] - x);
  const ci = bootstrapMeanCI(d, opts);
  // two-sided p from the bootstrap distribution, recomputed with the same seed
  const { resamples = 1000, seed = 0 } = opts;
  const { next: rng } = makeRng(seed);
  let against = 0;
  const n = d.length;
  for (let r = 0; r < resamples && n > 0; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += d[Math.floor(rng() * n)];
    const m = s / n;
    if (ci.estimate > 0 ? m <= 0 : ci.estimate < 0 ? m >= 0 : true) against++;
  }
  return { ...ci, p: n === 0 ? NaN : Math.min(1, (2 * against) / resamples) };
}

/**
 * Unbiased pass@k (Chen et al. 2021): 1 − C(n−c, k)/C(n, k) for n samples of
 * which c are correct, computed as 1 − Π_{i=n−c+1..n} (1 − k/i) to avoid huge
 * binomials. k > n is an error (the estimator needs n ≥ k).
 */
export function passAtK(n: number, c: number, k: number): number {
  if (!(k >= 1 && k <= n)) throw new Error(`pass@k needs 1 ≤ k ≤ n samples per problem (k=${k}, n=${n}); raise eval.samplesPerProblem`);
  if (c < 0 || c > n) throw new Error(`pass@k: correct count ${c} outside 0..${n}`);
  if (n - c < k) return 1;
  let prod = 1;
  for (let i = n - c + 1; i <= n; i++) prod *= 1 - k / i;
  return 1 - prod;
}

/** Accuracy per 1,000 tokens: accuracy / mean tokens × 1000 (accuracy in [0,1]). */
export function accuracyPer1k(accuracy: number, meanTokens: number): number {
  return meanTokens > 0 ? (accuracy / meanTokens) * 1000 : NaN;
}

/** Length reduction vs a base: ΔL = (L_base − L) / L_base (0.6 = 60% shorter). */
export function lengthReduction(baseTokens: number, tokens: number): number {
  return (baseTokens - tokens) / baseTokens;
}

export interface AesWeights {
  alpha: number;
  beta: number;
  gamma: number;
}

/** O1-Pruner defaults: α 1 on length, β 3 rewards accuracy gains, γ 5 punishes losses harder. */
export const DEFAULT_AES: AesWeights = { alpha: 1, beta: 3, gamma: 5 };

/**
 * Accuracy-Efficiency Score (O1-Pruner):
 *   ΔL = (L_base − L)/L_base,  ΔAcc = (Acc − Acc_base)/Acc_base
 *   AES = α·ΔL + β·|ΔAcc|  if ΔAcc ≥ 0,  else  α·ΔL − γ·|ΔAcc|.
 * ΔAcc is relative to the base's accuracy as in O1-Pruner.
 */
export function aes(
  run: { accuracy: number; meanTokens: number },
  base: { accuracy: number; meanTokens: number },
  w: AesWeights = DEFAULT_AES,
): number {
  const dL = lengthReduction(base.meanTokens, run.meanTokens);
  const dAcc = (run.accuracy - base.accuracy) / base.accuracy;
  return dAcc >= 0 ? w.alpha * dL + w.beta * Math.abs(dAcc) : w.alpha * dL - w.gamma * Math.abs(dAcc);
}

/**
 * Pareto frontier over (mean tokens ↓, accuracy ↑): point i is on it when no
 * other point uses ≤ tokens with ≥ accuracy and is strictly better in one.
 * Returns one flag per point (duplicates are both kept).
 */
export function paretoFrontier(points: readonly { tokens: number; accuracy: number }[]): boolean[] {
  return points.map((p, i) =>
    !points.some(
      (q, j) => j !== i && q.tokens <= p.tokens && q.accuracy >= p.accuracy && (q.tokens < p.tokens || q.accuracy > p.accuracy),
    ),
  );
}

/**
 * OptimalThinkingBench's accuracy under a token threshold (arXiv 2508.13141):
 *   OAA_t = mean_i c_i·[tokens_i < t]
 * and its area over t ∈ [0, t_max], normalised:
 *   AUC_OAA = (1/t_max) ∫₀^{t_max} OAA_t dt = mean_i c_i·max(0, 1 − tokens_i/t_max).
 * One value per sample: a correct answer scores by how much of the budget it
 * left unused, a wrong one 0 — accuracy and brevity in one number.
 */
export function oaaAuc(samples: readonly { correct: boolean; tokens: number }[], tMax: number): number {
  if (!(tMax > 0)) throw new Error(`oaaAuc: t_max must be positive, got ${tMax}`);
  return mean(samples.map((s) => (s.correct ? Math.max(0, 1 - s.tokens / tMax) : 0)));
}

/** OAA_t itself: the fraction of samples correct with fewer than t tokens. */
export function oaaAt(samples: readonly { correct: boolean; tokens: number }[], t: number): number {
  return mean(samples.map((s) => (s.correct && s.tokens < t ? 1 : 0)));
}

/**
 * Two-level percentile bootstrap over training seeds and problems: each
 * resample draws S seeds with replacement, then P problem indices with
 * replacement (the same indices for every drawn seed, so problems stay
 * paired across seeds), and takes the mean of values[seed][problem] over the
 * draw. The interval so covers both the run-to-run variance of training and
 * the sampling of test problems. `values[s]` must all have length P.
 */
export function seedProblemBootstrap(values: readonly (readonly number[])[], { resamples = 1000, seed = 0, level = 0.95 }: BootstrapOptions = {}): Interval {
  const S = values.length;
  const P = S === 0 ? 0 : values[0].length;
  if (values.some((v) => v.length !== P)) throw new Error(`seedProblemBootstrap: every seed needs the same ${P} problems (got ${values.map((v) => v.length).join(', ')})`);
  const estimate = mean(values.flat());
  if (S === 0 || P === 0) return { estimate, lo: NaN, hi: NaN };
  const { next: rng } = makeRng(seed);
  const stats: number[] = [];
  const seeds = new Array<number>(S);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < S; i++) seeds[i] = Math.floor(rng() * S);
    let sum = 0;
    for (let j = 0; j < P; j++) {
      const p = Math.floor(rng() * P);
      for (const s of seeds) sum += values[s][p];
    }
    stats.push(sum / (S * P));
  }
  stats.sort((a, b) => a - b);
  const alpha = (1 - level) / 2;
  return { estimate, lo: quantileSorted(stats, alpha), hi: quantileSorted(stats, 1 - alpha) };
}
