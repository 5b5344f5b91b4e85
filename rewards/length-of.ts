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
import { defineShaper, type ShaperDef } from './shapers/define.ts';
import type { Shaper } from './types.ts';

export const LENGTH_OF = ['response', 'thinking'] as const;
export const LengthOfSchema = z
  .enum(LENGTH_OF)
  .default('response')
  .describe('Length this shaper measures: response (all generated tokens, default) or thinking (tokens inside <think>…</think>; rollouts without a think count keep their length).');
export type LengthOf = (typeof LENGTH_OF)[number];

export function withLengthOf(shaper: Shaper, lengthOf: LengthOf = 'response'): Shaper {
  if (lengthOf === 'response') return shaper;
  return (batch, ctx) => shaper(batch.map((r) => (r.thinkingLength === undefined ? r : { ...r, length: r.thinkingLength })), ctx);
}

/**
 * A length-based shaper's definition with `lengthOf` added to its config
 * (strict, default `response`): its factory gets the config without the key
 * and its shaper is wrapped by `withLengthOf`. Only the length measure moves;
 * limits (`cap`, `maxLength`, targets) keep their meaning in tokens.
 */
export function lengthOfKey<S extends z.ZodObject>(def: ShaperDef<S>): ShaperDef<WithLengthOfKey<S>> {
  const schema = def.schema.extend({ lengthOf: LengthOfSchema }) as unknown as WithLengthOfKey<S>;
  return defineShaper({
    summary: def.summary,
    schema,
    make: (config) => {
      const { lengthOf, ...rest } = config as { lengthOf: LengthOf } & Record<string, unknown>;
      return withLengthOf(def.make(rest as z.output<S>), lengthOf);
    },
  });
}
type WithLengthOfKey<S extends z.ZodObject> = z.ZodObject<S['shape'] & { lengthOf: typeof LengthOfSchema }, S['_zod']['config']>;

/** `lengthOfKey` over every definition of an object (the registry's length-based shapers). */
export function lengthOfKeys<D extends Record<string, ShaperDef>>(defs: D): { [K in keyof D]: D[K] extends ShaperDef<infer S> ? ShaperDef<WithLengthOfKey<S>> : never } {
  return Object.fromEntries(Object.entries(defs).map(([k, d]) => [k, lengthOfKey(d)])) as never;
}
