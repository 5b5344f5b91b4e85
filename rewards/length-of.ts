/**
 * `lengthOf: response | thinking` for any length-based shaper, without
 * touching the shaper: the wrapper hands it a batch whose `length` is the
 * chosen measure.
 *
 *   response (default) — every generated token: thinking + answer. The length
 *                        the papers penalise and the one budgets cap.
 *   thinking           — only the tokens inside `<think> … </think>`
 *                        (`ScoredRollout.thinkingLength`): penalise overthinking
 *                        but leave the written answer alone. Rollouts without a
 *                        thinking count (non-thinking tasks) keep `length`.
 *
 * Correctness, finish and tokens are unchanged, so a truncated response with
 * an unclosed think block is still `finish: 'length'` (a truncation).
 */
import { z } from 'zod';
import type { Shaper } from './types.ts';

export const LENGTH_OF = ['response', 'thinking'] as const;
export const LengthOfSchema = z.enum(LENGTH_OF).default('response');
export type LengthOf = (typeof LENGTH_OF)[number];

export function withLengthOf(shaper: Shaper, lengthOf: LengthOf = 'response'): Shaper {
  if (lengthOf === 'response') return shaper;
  return (batch, ctx) => shaper(batch.map((r) => (r.thinkingLength === undefined ? r : { ...r, length: r.thinkingLength })), ctx);
}
