/**
 * Combining several shapers into one reward per rollout, with recipe weights.
 *
 *   r_i = Σ_k w_k · s_k(i)   over the shapers k whose value for rollout i is not null
 *
 * A null means "this shaper has no opinion on this rollout" (e.g. DRPO's
 * length reward for a wrong answer, L1 without a target): it contributes
 * nothing — weights are *not* renormalized over the remaining shapers, so a
 * rollout's reward never jumps because another shaper opted out. A rollout for
 * which every shaper returns null gets 0 and is counted in `reward/null_ratio`.
 *
 * `normalize-then-sum` (GDPO; TRL's `multi_objective_aggregation=
 * "normalize_then_sum"`): each shaper's values are first standardised within
 * each group, over the group's non-null values,
 *   ŝ_k(i) = (s_k(i) − mean_G s_k)/(std_G s_k + ε)   (n−1 std; 0 when std = 0)
 * and then summed with the weights, so a shaper with a large scale cannot
 * drown the others and each contributes its within-group ranking.
 *
 * Metrics, passed to `ctx.logMetric` here (the trainer must not log them
 * again): `reward/<name>/mean` (unweighted mean of the shaper's raw non-null
 * values; absent if all null), `reward/mean` (of the combined reward),
 * `reward/null_ratio` when > 0.
 */
import { z } from 'zod';
import type { ScoredRollout, Shaper, ShaperContext } from './types.ts';
import { groupIndices, mean, std } from './util.ts';

/** A recipe's `combine:` section: how the shapers' values become one reward. */
export const CombineSchema = z.strictObject({
  /** `sum`: Σ_k w_k·s_k. `normalize-then-sum`: each shaper standardised per group first (GDPO). */
  mode: z.enum(['sum', 'normalize-then-sum']).default('sum').describe('sum: Σ w·s; normalize-then-sum: each shaper standardised per group first (GDPO)'),
  /** ε of the per-group standardisation. */
  epsilon: z.number().min(0).default(1e-6).describe('ε of the per-group standardisation'),
});
export type CombineConfig = z.infer<typeof CombineSchema>;

/** One shaper's values standardised within each group over its non-null entries (nulls stay null). */
export function normalizePerGroup(values: readonly (number | null)[], groupIds: readonly number[], epsilon: number): (number | null)[] {
  const out = [...values];
  for (const idx of groupIndices(groupIds).values()) {
    const live = idx.filter((i) => values[i] !== null);
    const vs = live.map((i) => values[i]!);
    const m = mean(vs);
    const s = std(vs, true);
    for (const i of live) out[i] = s === 0 ? 0 : (values[i]! - m) / (s + epsilon);
  }
  return out;
}

export interface WeightedShaper {
  /** Metric name: the spec's `name`, else its `type`. */
  name: string;
  weight: number;
  fn: Shaper;
}

export interface CombinedRewards {
  /** Final reward per rollout, batch order. */
  rewards: number[];
  /** Each shaper's raw (unweighted) values, keyed by name. */
  perShaper: Record<string, (number | null)[]>;
  /** The metrics that were logged. */
  metrics: Record<string, number>;
}

export function combineRewards(
  batch: readonly ScoredRollout[],
  shapers: readonly WeightedShaper[],
  ctx: ShaperContext,
  combine: CombineConfig = { mode: 'sum', epsilon: 1e-6 },
): CombinedRewards {
  const names = new Set<string>();
  for (const s of shapers) {
    if (names.has(s.name)) throw new Error(`combineRewards: two shapers are named '${s.name}'; give one a distinct 'name'`);
    names.add(s.name);
  }
  const rewards = new Array<number>(batch.length).fill(0);
  const seen = new Array<boolean>(batch.length).fill(false);
  const perShaper: Record<string, (number | null)[]> = {};
  const metrics: Record<string, number> = {};
  for (const s of shapers) {
    const vals = s.fn(batch, ctx);
    if (vals.length !== batch.length) {
      throw new Error(`shaper '${s.name}' returned ${vals.length} values for a batch of ${batch.length}`);
    }
    let sum = 0;
    let n = 0;
    vals.forEach((v, i) => {
      if (v === null) return;
      if (!Number.isFinite(v)) throw new Error(`shaper '${s.name}' returned ${v} for rollout ${i} (prompt ${batch[i].promptId})`);
      seen[i] = true;
      sum += v;
      n++;
    });
    const used = combine.mode === 'normalize-then-sum' ? normalizePerGroup(vals, batch.map((r) => r.groupIndex), combine.epsilon) : vals;
    used.forEach((v, i) => {
      if (v !== null) rewards[i] += s.weight * v;
    });
    perShaper[s.name] = vals;
    if (n > 0) metrics[`reward/${s.name}/mean`] = sum / n;
  }
  if (batch.length > 0) {
    metrics['reward/mean'] = rewards.reduce((a, b) => a + b, 0) / batch.length;
    const nulls = seen.filter((x) => !x).length;
    if (nulls > 0) metrics['reward/null_ratio'] = nulls / batch.length;
  }
  for (const [k, v] of Object.entries(metrics)) ctx.logMetric(k, v);
  return { rewards, perShaper, metrics };
}
