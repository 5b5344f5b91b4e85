/**
 * The policy losses over plain arrays, in float64: the readable reference and
 * the test oracle for the tfjs versions in ./losses.ts (same inputs, same
 * outputs, same metric names). Only tests import this file; what the trainer
 * shares with it at run time is in ./loss-normalizers.ts. Formulas:
 * docs/methods.md, "Policy losses".
 *
 * Conventions shared with the tfjs losses:
 * - logProbs[b][t] = log π(token t+1 of row b | prefix); mask[b][t] = 1 where
 *   that token is a completion token the loss sees, 0 elsewhere (prompt, padding).
 * - A truncated row with `maskTruncated` is masked out entirely.
 * - Normalizers (token count, sequence count, group count, Dr. GRPO constant)
 *   may be given for the whole update, so that losses of micro-batches sum to
 *   the loss of the update; by default they are computed from the inputs.
 */
import { drpoPositiveWeights } from '../../rewards/shapers/drpo.ts';
import type { Aggregation, ClippedLossConfig, DrpoLossConfig, KlEstimator } from './loss-config.ts';
import type { LossNormalizers } from './loss-normalizers.ts';
import { rolloutCorrectionPlain } from './rollout-correction.ts';

export interface PlainLossInput {
  logProbs: number[][];
  oldLogProbs: number[][];
  refLogProbs?: number[][];
  /** The rollout engine's log-probs (needed when the loss's rolloutCorrection is on). */
  rolloutLogProbs?: number[][];
  mask: number[][];
  /** Per sequence [B] or per token [B][T]. Unused by DRPO. */
  advantages?: number[] | number[][];
  entropy?: number[][];
  truncated?: boolean[];
  /** DRPO: group id, correctness and (length) reward of each sequence. */
  groups?: number[];
  correct?: boolean[];
  rewards?: number[];
  /** Max completion length, for the default Dr. GRPO constant (default: T). */
  maxCompletionLength?: number;
  norm?: Partial<LossNormalizers>;
}

export interface LossOutput<S = number> {
  loss: S;
  /** Namespaced metrics; see `combineLossMetrics` for how micro-batches combine. */
  metrics: Record<string, number>;
}

/** The mask with truncated rows zeroed when the loss asks for it. */
export function effectiveMaskPlain(mask: number[][], truncated: boolean[] | undefined, maskTruncated: boolean): number[][] {
  return mask.map((row, b) => (maskTruncated && truncated?.[b] ? row.map(() => 0) : row.slice()));
}

export function normalizersPlain(
  mask: number[][],
  opts: { groups?: number[]; maxCompletionLength?: number; normConstant?: number | null } = {},
): LossNormalizers {
  const T = mask[0]?.length ?? 0;
  let tokens = 0;
  let seqs = 0;
  for (const row of mask) {
    const l = row.reduce((a, x) => a + x, 0);
    tokens += l;
    if (l > 0) seqs++;
  }
  const groups = opts.groups ? new Set(opts.groups).size : mask.length;
  const sumNorm = opts.normConstant ?? mask.length * (opts.maxCompletionLength ?? T);
  return { tokens, seqs, groups, sumNorm };
}

/** Per-token KL estimate for samples drawn from p, of KL(p‖q), given log p and log q. */
export function klTokenPlain(est: KlEstimator, logP: number, logQ: number): number {
  const d = logQ - logP;
  if (est === 'k1') return -d;
  if (est === 'k2') return 0.5 * d * d;
  return Math.exp(d) - d - 1;
}

/** Aggregate per-token values x (masked by m) into one number. */
export function aggregatePlain(x: number[][], m: number[][], mode: Aggregation, norm: LossNormalizers): number {
  let total = 0;
  for (let b = 0; b < x.length; b++) {
    let s = 0;
    let l = 0;
    for (let t = 0; t < x[b].length; t++) {
      s += x[b][t] * m[b][t];
      l += m[b][t];
    }
    total += mode === 'seq-mean-token-mean' ? (l > 0 ? s / l : 0) : s;
  }
  const denom = mode === 'token-mean' ? norm.tokens : mode === 'seq-mean-token-mean' ? norm.seqs : norm.sumNorm;
  return denom > 0 ? total / denom : 0;
}

function advAt(adv: number[] | number[][], b: number, t: number): number {
  const a = adv[b];
  return Array.isArray(a) ? a[t] : a;
}

/**
 * Clipped surrogate (PPO/GRPO/DAPO), minimised:
 *   ρ = exp(logπ_θ − logπ_old),  obj = min(ρA, clip(ρ, 1−ε_low, 1+ε_high)A),
 *   dual clip (A<0): obj = max(obj, c·A),
 *   GSPO (`importanceLevel: sequence`): ρ_{i,t} = exp((1/|y_i|) Σ_t log(π_θ/π_old)) for every t,
 *   LUSPO (`lengthUnbiased`): obj_{i,t} ← |y_i|·obj_{i,t},
 *   loss = −agg(obj) + β·agg(KL_k(θ‖ref)) − c_ent·agg(entropy).
 * Metrics (token-means over the update): clip/low_frac (ρ < 1−ε_low with A<0:
 * the lower clip is active), clip/high_frac (ρ > 1+ε_high with A>0),
 * clip/dual_frac, kl/ref, kl/old (k3 estimate of KL(old‖θ), how far the
 * updates moved the policy), entropy/mean, ratio/mean|min|max, loss/policy.
 */
export function clippedLossPlain(cfg: ClippedLossConfig, x: PlainLossInput): LossOutput {
  const m = effectiveMaskPlain(x.mask, x.truncated, cfg.maskTruncated);
  const norm = { ...normalizersPlain(m, { maxCompletionLength: x.maxCompletionLength, normConstant: cfg.normConstant }), ...x.norm };
  const adv = x.advantages ?? [];
  const B = m.length;
  const T = m[0]?.length ?? 0;
  const obj: number[][] = [];
  const kl: number[][] = [];
  // Rollout–trainer mismatch correction: detached IS weights on the surrogate (rollout-correction.ts).
  if (cfg.rolloutCorrection.mode !== 'none' && !x.rolloutLogProbs) throw new Error('clipped loss: rolloutCorrection needs rolloutLogProbs');
  const rc = cfg.rolloutCorrection.mode === 'none' ? null : rolloutCorrectionPlain(cfg.rolloutCorrection, x.oldLogProbs, x.rolloutLogProbs!, m, norm.tokens);
  let low = 0;
  let high = 0;
  let dual = 0;
  let rSum = 0;
  let rMin = Infinity;
  let rMax = -Infinity;
  let klOld = 0;
  for (let b = 0; b < B; b++) {
    obj.push([]);
    kl.push([]);
    // Sequence level (GSPO): one ratio per row from the mean log-ratio over its loss tokens.
    let seqLog = 0;
    let len = 0;
    for (let t = 0; t < T; t++) {
      seqLog += (x.logProbs[b][t] - x.oldLogProbs[b][t]) * m[b][t];
      len += m[b][t];
    }
    seqLog = len > 0 ? seqLog / len : 0;
    const scale = cfg.lengthUnbiased ? len : 1;
    for (let t = 0; t < T; t++) {
      const A = advAt(adv, b, t);
      const ratio = Math.exp(cfg.importanceLevel === 'sequence' ? seqLog : x.logProbs[b][t] - x.oldLogProbs[b][t]);
      const clipped = Math.min(Math.max(ratio, 1 - cfg.epsLow), 1 + cfg.epsHigh);
      let o = Math.min(ratio * A, clipped * A);
      const mk = m[b][t];
      if (cfg.dualClip !== null && A < 0 && cfg.dualClip * A > o) {
        o = cfg.dualClip * A;
        dual += mk;
      }
      obj[b].push(rc ? rc.weights[b][t] * o * scale : o * scale);
      kl[b].push(x.refLogProbs && cfg.klCoef > 0 ? klTokenPlain(cfg.klEstimator, x.logProbs[b][t], x.refLogProbs[b][t]) : 0);
      if (ratio < 1 - cfg.epsLow && A < 0) low += mk;
      if (ratio > 1 + cfg.epsHigh && A > 0) high += mk;
      rSum += ratio * mk;
      klOld += klTokenPlain('k3', x.oldLogProbs[b][t], x.logProbs[b][t]) * mk;
      if (mk > 0) {
        rMin = Math.min(rMin, ratio);
        rMax = Math.max(rMax, ratio);
      }
    }
  }
  const pg = -aggregatePlain(obj, m, cfg.aggregation, norm);
  const klAgg = cfg.klCoef > 0 ? aggregatePlain(kl, m, cfg.aggregation, norm) : 0;
  const ent = x.entropy && cfg.entropyCoef > 0 ? aggregatePlain(x.entropy, m, cfg.aggregation, norm) : 0;
  const loss = pg + cfg.klCoef * klAgg - cfg.entropyCoef * ent;
  const tm = (v: number) => (norm.tokens > 0 ? v / norm.tokens : 0);
  const metrics: Record<string, number> = {
    'loss/total': loss,
    'loss/policy': pg,
    'clip/low_frac': tm(low),
    'clip/high_frac': tm(high),
    'clip/dual_frac': tm(dual),
    'ratio/mean': tm(rSum),
    'ratio/min': rMin,
    'ratio/max': rMax,
    'kl/old': tm(klOld),
  };
  if (cfg.klCoef > 0) metrics['kl/ref'] = klAgg;
  if (rc) Object.assign(metrics, rc.metrics);
  if (x.entropy) metrics['entropy/mean'] = aggregatePlain(x.entropy, m, 'token-mean', norm);
  return { loss, metrics };
}

/**
 * DRPO objective, minimised as its negative plus the trust region:
 *   s_i = (1/L_i) Σ_t logπ_θ(o_{i,t}),  per group g with correct P and wrong N
 *   J_g = Σ_{i∈P} w_i s_i − τ·log Σ_{j∈N} exp(s_j/τ)   (0 when P or N is empty),
 *   J = Σ_g J_g / (number of groups, skipped ones included),
 *   loss = −J + stopgrad(max(β(KL − δ), 0))·KL,  KL = token-mean KL(old‖θ).
 * Metrics: drpo/objective, drpo/skipped_groups (count), drpo/tr_kl (the KL of
 * the trust region, configured estimator), kl/old (k3, as every loss), drpo/tr_coef,
 * ratio/*, loss/policy, entropy/mean.
 */
export function drpoLossPlain(cfg: DrpoLossConfig, x: PlainLossInput): LossOutput {
  const m = effectiveMaskPlain(x.mask, x.truncated, cfg.maskTruncated);
  const groupsOf = x.groups ?? m.map((_, b) => b);
  const norm = { ...normalizersPlain(m, { groups: groupsOf }), ...x.norm };
  const B = m.length;
  const T = m[0]?.length ?? 0;
  const s: number[] = [];
  const len: number[] = [];
  let klSum = 0;
  let klOld = 0;
  let rSum = 0;
  let rMin = Infinity;
  let rMax = -Infinity;
  for (let b = 0; b < B; b++) {
    let acc = 0;
    let l = 0;
    for (let t = 0; t < T; t++) {
      const mk = m[b][t];
      acc += x.logProbs[b][t] * mk;
      l += mk;
      klSum += klTokenPlain(cfg.klEstimator, x.oldLogProbs[b][t], x.logProbs[b][t]) * mk;
      klOld += klTokenPlain('k3', x.oldLogProbs[b][t], x.logProbs[b][t]) * mk;
      const ratio = Math.exp(x.logProbs[b][t] - x.oldLogProbs[b][t]);
      rSum += ratio * mk;
      if (mk > 0) {
        rMin = Math.min(rMin, ratio);
        rMax = Math.max(rMax, ratio);
      }
    }
    s.push(l > 0 ? acc / l : 0);
    len.push(l);
  }
  let J = 0;
  let skipped = 0;
  for (const g of [...new Set(groupsOf)]) {
    const members = groupsOf.map((gg, b) => (gg === g && len[b] > 0 ? b : -1)).filter((b) => b >= 0);
    const P = members.filter((b) => x.correct?.[b]);
    const N = members.filter((b) => !x.correct?.[b]);
    if (P.length === 0 || N.length === 0) {
      skipped++;
      continue;
    }
    const w = drpoPositiveWeights(P.map((b) => x.rewards?.[b] ?? 0), cfg.lambda);
    const pos = P.reduce((a, b, k) => a + w[k] * s[b], 0);
    const zs = N.map((b) => s[b] / cfg.tau);
    const mx = Math.max(...zs);
    const lse = mx + Math.log(zs.reduce((a, z) => a + Math.exp(z - mx), 0));
    J += pos - cfg.tau * lse;
  }
  const objective = norm.groups > 0 ? J / norm.groups : 0;
  const kl = norm.tokens > 0 ? klSum / norm.tokens : 0;
  const coef = Math.max(cfg.beta * (kl - cfg.delta), 0);
  const loss = -objective + coef * kl;
  const tm = (v: number) => (norm.tokens > 0 ? v / norm.tokens : 0);
  const metrics: Record<string, number> = {
    'loss/total': loss,
    'loss/policy': -objective,
    'drpo/objective': objective,
    'drpo/skipped_groups': skipped,
    'drpo/tr_coef': coef,
    'drpo/tr_kl': kl,
    'kl/old': tm(klOld),
    'ratio/mean': tm(rSum),
    'ratio/min': rMin,
    'ratio/max': rMax,
  };
  if (x.entropy) metrics['entropy/mean'] = aggregatePlain(x.entropy, m, 'token-mean', norm);
  return { loss, metrics };
}
