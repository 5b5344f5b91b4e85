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
 * Metrics, passed to `ctx.logMetric` here (the trainer must not log them
 * again): `reward/<name>/mean` (unweighted mean of the shaper's non-null
 * values; absent if all null), `reward/mean`, `reward/null_ratio` when > 0.
 */
import type { ScoredRollout, Shaper, ShaperContext } from './types.ts';

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
      rewards[i] += s.weight * v;
      seen[i] = true;
      sum += v;
      n++;
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
