/**
 * DAPO dynamic sampling: drop groups whose rewards all equal (zero variance —
 * every advantage would be 0, so they add nothing but noise to the token
 * mean), and keep sampling fresh prompts until the batch has enough groups or
 * a cap on generation rounds is hit. A group of one sample has zero variance
 * and is dropped. Metric: `groups/zero_std_ratio` = dropped / seen over every
 * round of the step (reported even when filtering is disabled).
 *
 * Trainer usage:
 *   const acc = new GroupAccumulator<G>(cfg, promptsPerStep);
 *   while (!acc.done) { const groups = await sampleAndScore(); acc.add(groups, (g) => g.rewards); }
 *   const batch = acc.take();            // ≤ target groups, in arrival order
 *   log(acc.metrics());
 */
import { z } from 'zod';

export const SamplingFilterSchema = z.strictObject({
  /** Drop zero-variance groups and resample (DAPO/DLER). Off = keep every group. */
  dynamic: z.boolean().default(false).describe('Drop zero-variance groups and resample (DAPO/DLER). Off = keep every group.'),
  /** Generation rounds per step at most (the first round included). */
  maxRounds: z.number().int().min(1).default(3).describe('Generation rounds per step at most (the first round included).'),
  /** Rewards within this range count as equal (float noise). */
  tolerance: z.number().min(0).default(0).describe('Rewards within this range count as equal (float noise).'),
});
export type SamplingFilterConfig = z.infer<typeof SamplingFilterSchema>;

/** Whether a group carries signal: its rewards are not all equal (max − min > tolerance). */
export function keepGroup(rewards: readonly number[], tolerance = 0): boolean {
  if (rewards.length < 2) return false;
  let lo = Infinity;
  let hi = -Infinity;
  for (const r of rewards) {
    lo = Math.min(lo, r);
    hi = Math.max(hi, r);
  }
  return hi - lo > tolerance;
}

/** Stateless: which of these groups to keep, and the zero-std ratio among them. */
export function filterGroups(
  groups: readonly (readonly number[])[],
  tolerance = 0,
): { keep: boolean[]; zeroStdRatio: number } {
  const keep = groups.map((g) => keepGroup(g, tolerance));
  const dropped = keep.filter((k) => !k).length;
  return { keep, zeroStdRatio: groups.length === 0 ? 0 : dropped / groups.length };
}

/** Collects groups over generation rounds until the batch is full or rounds run out. */
export class GroupAccumulator<G> {
  private readonly kept: G[] = [];
  private seen = 0;
  private dropped = 0;
  private roundsDone = 0;

  constructor(
    readonly config: SamplingFilterConfig,
    /** Groups wanted in the batch (prompts per step). */
    readonly target: number,
  ) {}

  /** Offer one round's groups; returns which were kept. */
  add(groups: readonly G[], rewardsOf: (g: G) => readonly number[]): boolean[] {
    this.roundsDone++;
    const keepFlags = groups.map((g) => {
      const signal = keepGroup(rewardsOf(g), this.config.tolerance);
      this.seen++;
      if (!signal) this.dropped++;
      return signal || !this.config.dynamic;
    });
    groups.forEach((g, i) => keepFlags[i] && this.kept.push(g));
    return keepFlags;
  }

  get rounds(): number {
    return this.roundsDone;
  }

  /** Groups still needed to fill the batch. */
  get missing(): number {
    return Math.max(0, this.target - this.kept.length);
  }

  get full(): boolean {
    return this.kept.length >= this.target;
  }

  /** Stop sampling: full, or the round cap is hit (without dynamic sampling: after one round). */
  get done(): boolean {
    return this.full || this.roundsDone >= (this.config.dynamic ? this.config.maxRounds : 1);
  }

  get zeroStdRatio(): number {
    return this.seen === 0 ? 0 : this.dropped / this.seen;
  }

  /** The batch: the first `target` kept groups in arrival order (surplus discarded, as DAPO). */
  take(): G[] {
    return this.kept.slice(0, this.target);
  }

  metrics(): Record<string, number> {
    return {
      'groups/zero_std_ratio': this.zeroStdRatio,
      'groups/kept': Math.min(this.kept.length, this.target),
      'sampling/rounds': this.roundsDone,
    };
  }
}
