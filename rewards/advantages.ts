/**
 * Advantage estimators: pure functions over plain arrays (one entry per
 * rollout, batch order). Groups are identified by `groupIds` (any key; one
 * group = one prompt's n samples). Formulas (docs/methods.md, "Advantage estimators"):
 *
 *   grpo        A_i = (r_i − mean_G r) / (std_G r + ε)
 *   dr-grpo     A_i = r_i − mean_G r
 *   batch-norm  d_i = r_i − mean_G r;  A_i = (d_i − mean_batch d) / (std_batch d + ε)
 *               (+ boost if correct_i); batch stats weighted by tokens (each
 *               response counts L_i times, as verl) or by sequence
 *   rloo        A_i = r_i − mean_{j≠i} r_j
 *   gfpo        per group keep the k responses S that are shortest (or have
 *               the highest r/L); A_i = m_i·(r_i − mean_S r)/(std_S r + ε),
 *               m_i = [i ∈ S] (GFPO, arXiv 2508.09726)
 *
 * Edge cases: a group of one has advantage 0 under grpo/dr-grpo/rloo (no
 * baseline besides itself); a zero-variance group gives exactly 0 (also with
 * ε = 0); a batch whose centred rewards are all equal gives batch-norm 0 (+ boost).
 */
import { z } from 'zod';
import { defineRegistry } from '../src/util/registry.ts';
import { groupIndices, mean, std } from './util.ts';

export interface AdvantageInput {
  rewards: readonly number[];
  groupIds: readonly (number | string)[];
  /** Generated lengths in tokens (token weighting of `batch-norm`). */
  lengths: readonly number[];
  /** Verifier verdicts (the correct-sample boost of `batch-norm`). */
  correct: readonly boolean[];
  /** Report an estimator metric (`advantage/<name>/<what>`); optional. */
  logMetric?(name: string, value: number): void;
}

export type AdvantageEstimator = (input: AdvantageInput) => number[];

function checkLengths(input: AdvantageInput): void {
  const n = input.rewards.length;
  for (const [k, v] of [['groupIds', input.groupIds], ['lengths', input.lengths], ['correct', input.correct]] as const) {
    if (v.length !== n) throw new Error(`advantages: ${k} has ${v.length} entries, rewards has ${n}`);
  }
}

/** r_i − mean of its group. */
export function groupCentered(rewards: readonly number[], groupIds: readonly (number | string)[]): number[] {
  const out = new Array<number>(rewards.length).fill(0);
  for (const idx of groupIndices(groupIds).values()) {
    const m = mean(idx.map((i) => rewards[i]));
    for (const i of idx) out[i] = rewards[i] - m;
  }
  return out;
}

/** GRPO: (r − mean_G) / (std_G + ε); std unbiased (n−1) by default like TRL/verl. */
export function grpoAdvantages(
  rewards: readonly number[],
  groupIds: readonly (number | string)[],
  opts: { epsilon?: number; unbiasedStd?: boolean } = {},
): number[] {
  const eps = opts.epsilon ?? 1e-6;
  const unbiased = opts.unbiasedStd ?? true;
  const out = new Array<number>(rewards.length).fill(0);
  for (const idx of groupIndices(groupIds).values()) {
    const rs = idx.map((i) => rewards[i]);
    const m = mean(rs);
    const s = std(rs, unbiased);
    if (s === 0) continue; // zero-variance group (incl. a group of one): 0, also when ε = 0
    for (const i of idx) out[i] = (rewards[i] - m) / (s + eps);
  }
  return out;
}

/** Dr. GRPO: r − mean_G (no std division). */
export function drGrpoAdvantages(rewards: readonly number[], groupIds: readonly (number | string)[]): number[] {
  return groupCentered(rewards, groupIds);
}

/**
 * Batch-normalized (DLER, REINFORCE++-baseline): group-centre, then whiten over
 * the batch with weights L_i (`token`) or 1 (`sequence`); variance with
 * Bessel's correction W/(W−1) over the total weight W (verl's masked_whiten)
 * when `unbiased`. Then add `correctBoost` to correct samples (DLER's code:
 * 0.1; 0 = off). If every weight is 0 (all lengths 0), sequence weights are used.
 */
export function batchNormAdvantages(
  input: AdvantageInput,
  opts: { weighting?: 'token' | 'sequence'; epsilon?: number; unbiased?: boolean; correctBoost?: number } = {},
): number[] {
  checkLengths(input);
  const eps = opts.epsilon ?? 1e-6;
  const d = groupCentered(input.rewards, input.groupIds);
  let w = opts.weighting === 'sequence' ? d.map(() => 1) : input.lengths.map((l) => Math.max(0, l));
  let W = w.reduce((a, b) => a + b, 0);
  if (W === 0) {
    w = d.map(() => 1);
    W = d.length;
  }
  if (d.length === 0) return [];
  let m = 0;
  d.forEach((v, i) => (m += w[i] * v));
  m /= W;
  let v2 = 0;
  d.forEach((v, i) => (v2 += w[i] * (v - m) * (v - m)));
  v2 /= W;
  if ((opts.unbiased ?? true) && W > 1) v2 *= W / (W - 1);
  const s = Math.sqrt(v2);
  const boost = opts.correctBoost ?? 0;
  return d.map((v, i) => (s === 0 ? 0 : (v - m) / (s + eps)) + (input.correct[i] ? boost : 0));
}

/** RLOO: r_i − mean of the other samples of its group; 0 for a group of one. */
export function rlooAdvantages(rewards: readonly number[], groupIds: readonly (number | string)[]): number[] {
  const out = new Array<number>(rewards.length).fill(0);
  for (const idx of groupIndices(groupIds).values()) {
    const n = idx.length;
    if (n < 2) continue;
    const total = idx.reduce((a, i) => a + rewards[i], 0);
    for (const i of idx) out[i] = rewards[i] - (total - rewards[i]) / (n - 1);
  }
  return out;
}

/**
 * GFPO (Group Filtered Policy Optimization, arXiv 2508.09726): sample a larger
 * group, keep the k responses with the best `metric` — `length` (shortest
 * first) or `reward-per-token` (highest r/max(L, 1) first); ties keep sample
 * order — and compute GRPO advantages over the kept subset S only:
 *   A_i = (r_i − mean_S r)/(std_S r + ε) for i ∈ S,   A_i = 0 otherwise.
 * A group of at most k responses keeps all of them (plain GRPO). The kept
 * responses' mean length and their groups' mean length are returned for the
 * metric `advantage/gfpo/kept_length_mean` vs `…/group_length_mean`.
 */
export function gfpoAdvantages(
  input: AdvantageInput,
  opts: { keep: number; metric?: 'length' | 'reward-per-token'; epsilon?: number; unbiasedStd?: boolean },
): { advantages: number[]; keptLengthMean: number; groupLengthMean: number } {
  checkLengths(input);
  const { rewards, lengths } = input;
  const score = (i: number) => (opts.metric === 'reward-per-token' ? -rewards[i] / Math.max(lengths[i], 1) : lengths[i]);
  const kept = new Array<boolean>(rewards.length).fill(false);
  for (const idx of groupIndices(input.groupIds).values()) {
    const order = [...idx].sort((a, b) => score(a) - score(b) || a - b);
    for (const i of order.slice(0, opts.keep)) kept[i] = true;
  }
  const keptIdx = rewards.map((_, i) => i).filter((i) => kept[i]);
  const sub = grpoAdvantages(
    keptIdx.map((i) => rewards[i]),
    keptIdx.map((i) => input.groupIds[i]),
    { epsilon: opts.epsilon, unbiasedStd: opts.unbiasedStd },
  );
  const advantages = new Array<number>(rewards.length).fill(0);
  keptIdx.forEach((i, k) => (advantages[i] = sub[k]));
  return {
    advantages,
    keptLengthMean: mean(keptIdx.map((i) => lengths[i])),
    groupLengthMean: mean([...lengths]),
  };
}

// ---- registry ---------------------------------------------------------------

export interface AdvantageEstimatorDef<S extends z.ZodObject = z.ZodObject> {
  readonly schema: S;
  readonly make: (config: z.output<S>) => AdvantageEstimator;
  readonly summary: string;
}
function defineEstimator<S extends z.ZodObject>(d: AdvantageEstimatorDef<S>): AdvantageEstimatorDef<S> {
  return d;
}

/** Wraps an estimator with the input-length check. */
const checked = (f: AdvantageEstimator): AdvantageEstimator => (x) => {
  checkLengths(x);
  return f(x);
};

export const advantageEstimators = defineRegistry('advantage estimator', {
  grpo: defineEstimator({
    summary: 'A = (r − mean_G) / (std_G + ε)',
    schema: z.strictObject({
      /** ε in the denominator (verl 1e-6). */
      epsilon: z.number().min(0).default(1e-6).describe('ε in the denominator (verl 1e-6).'),
      /** n−1 group std (torch default, TRL/verl); false = population std. */
      unbiasedStd: z.boolean().default(true).describe('n−1 group std (torch default, TRL/verl); false = population std.'),
    }),
    make: (cfg) => checked((x) => grpoAdvantages(x.rewards, x.groupIds, cfg)),
  }),
  'dr-grpo': defineEstimator({
    summary: 'A = r − mean_G',
    schema: z.strictObject({}),
    make: () => checked((x) => drGrpoAdvantages(x.rewards, x.groupIds)),
  }),
  'batch-norm': defineEstimator({
    summary: 'd = r − mean_G, whitened over the batch (token|sequence weights), + boost if correct',
    schema: z.strictObject({
      weighting: z.enum(['token', 'sequence']).default('token').describe('Batch statistics weighted by tokens (verl) or by sequences'),
      epsilon: z.number().min(0).default(1e-6).describe('ε in the denominator'),
      unbiased: z.boolean().default(true).describe('Bessel correction W/(W−1) on the batch variance (verl masked_whiten)'),
      /** Added to correct samples' advantages after whitening; DLER's code uses 0.1. */
      correctBoost: z.number().default(0).describe('Added to correct samples\' advantages after whitening; DLER\'s code uses 0.1.'),
    }),
    make: (cfg) => (x) => batchNormAdvantages(x, cfg),
  }),
  rloo: defineEstimator({
    summary: 'A = r − mean of the other samples of the group',
    schema: z.strictObject({}),
    make: () => checked((x) => rlooAdvantages(x.rewards, x.groupIds)),
  }),
  gfpo: defineEstimator({
    summary: 'keep the k shortest (or best r/L) of each group; GRPO advantages over the kept ones, 0 for the rest',
    schema: z.strictObject({
      /** k: responses kept per group (the paper samples G = 16–24 and keeps 8; scale with rollout.n, unverified). */
      keep: z.number().int().positive().default(4).describe('k: responses kept per group (the paper samples G = 16–24 and keeps 8; scale with rollout.n, unverified).'),
      metric: z.enum(['length', 'reward-per-token']).default('length').describe('Which responses are kept: the shortest, or the highest reward per token'),
      epsilon: z.number().min(0).default(1e-6).describe('ε in the denominator'),
      unbiasedStd: z.boolean().default(true).describe('n−1 std over the kept subset'),
    }),
    make: (cfg) => (x) => {
      const out = gfpoAdvantages(x, cfg);
      if (x.rewards.length > 0) {
        x.logMetric?.('advantage/gfpo/kept_length_mean', out.keptLengthMean);
        x.logMetric?.('advantage/gfpo/group_length_mean', out.groupLengthMean);
      }
      return out.advantages;
    },
  }),
});
export type AdvantageEstimatorName = (typeof advantageEstimators.names)[number];

/** A recipe's `advantage:` section. */
export const AdvantageSpecSchema = advantageEstimators.union();
export type AdvantageSpec = z.output<typeof AdvantageSpecSchema>;
export type AdvantageSpecInput = z.input<typeof AdvantageSpecSchema>;

/** Build an estimator from a raw config (validated here). */
export function makeAdvantageEstimator(type: string, config: unknown = {}): AdvantageEstimator {
  const def = advantageEstimators.get(type) as AdvantageEstimatorDef;
  return def.make(def.schema.parse(config));
}

/** A validated spec → an estimator (no second validation). */
export function resolveAdvantageEstimator(spec: AdvantageSpec): AdvantageEstimator {
  const { type, config } = advantageEstimators.split(spec);
  return (advantageEstimators.get(type) as AdvantageEstimatorDef).make(config);
}
