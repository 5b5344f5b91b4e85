/** How a shaper module declares itself to the registry. */
import type { z } from 'zod';
import type { ScoredRollout, Shaper } from '../types.ts';
import { groupIndices } from '../util.ts';

export interface ShaperDef<S extends z.ZodObject = z.ZodObject> {
  /** Strict zod schema of the config, every field with its documented default. */
  readonly schema: S;
  /** Factory: validated config → shaper. */
  readonly make: (config: z.output<S>) => Shaper;
  /** One line for docs and `--help`. */
  readonly summary: string;
}

export function defineShaper<S extends z.ZodObject>(def: ShaperDef<S>): ShaperDef<S> {
  return def;
}

/** Indices of each group of the batch, keyed by `groupIndex`. */
export function batchGroups(batch: readonly ScoredRollout[]): Map<number, number[]> {
  return groupIndices(batch.map((r) => r.groupIndex));
}

/** The length limit a shaper measures against: its config's, else the rollout's cap. */
export function maxLengthOf(r: ScoredRollout, configured: number | undefined): number {
  return configured ?? r.budget.cap;
}
