/**
 * `hapo` — History-Aware Policy Optimization (arXiv 2505.11225). Per problem,
 * h = the shortest correct length seen so far; the length reward is
 *   x = cos(min(L/h, 2) · π/2)            (1 at L→0, 0 at L = h, −1 at L ≥ 2h)
 *   r_len = max(x, floor) if correct      (floor −0.7)
 *   r_len = min(x, 0)     if wrong        (never a bonus for a short wrong answer)
 * and r = C + w·r_len with C = `correct`/`wrong` (1 / 0), w 1. A problem with
 * no correct answer on record has no h: r_len = 0.
 *
 * "So far" is read from the per-prompt history (earlier steps, bounded by the
 * history window of 32 outcomes by default), not an unbounded all-time
 * minimum, and the current group does not update h before it is scored
 * (unverified: the paper updates h after each step). Logs
 * `reward/hapo/no_history_ratio`.
 */
import { z } from 'zod';
import { defineShaper } from './define.ts';

/** HAPO's length reward for one response, given h (undefined = none yet). */
export function hapoLengthReward(length: number, correct: boolean, h: number | undefined, floor: number): number {
  if (h === undefined || h <= 0) return 0;
  const x = Math.cos((Math.min(length / h, 2) * Math.PI) / 2);
  return correct ? Math.max(x, floor) : Math.min(x, 0);
}

export const hapo = defineShaper({
  summary: 'h = shortest correct length in the history; r = C + w·cos(min(L/h, 2)·π/2), ≥ −0.7 if correct, ≤ 0 if wrong',
  schema: z.strictObject({
    correct: z.number().default(1).describe('C for a correct answer'),
    wrong: z.number().default(0).describe('C for a wrong answer'),
    /** w: weight of the length reward (paper 1). */
    lengthWeight: z.number().default(1).describe('w: weight of the length reward (paper 1).'),
    /** Lower bound of a correct answer's length reward (paper −0.7). */
    floor: z.number().max(0).default(-0.7).describe('Lower bound of a correct answer\'s length reward (paper −0.7).'),
  }),
  make: (cfg) => (batch, ctx) => {
    let none = 0;
    const out = batch.map((r) => {
      const ls = ctx.history.correctLengths(r.promptId);
      const h = ls.length > 0 ? Math.min(...ls) : undefined;
      if (h === undefined) none++;
      return (r.correct ? cfg.correct : cfg.wrong) + cfg.lengthWeight * hapoLengthReward(r.length, r.correct, h, cfg.floor);
    });
    if (batch.length > 0) ctx.logMetric('reward/hapo/no_history_ratio', none / batch.length);
    return out;
  },
});
