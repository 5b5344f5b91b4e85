/**
 * Correctness and format rewards: the building blocks most recipes combine
 * with a length term.
 */
import { z } from 'zod';
import { defineShaper } from './define.ts';

/**
 * `correctness`: r = `correct` if the verifier accepted the answer, `wrong`
 * otherwise, `parseFailure` when no final answer could be extracted
 * (`parsed === null`). Defaults 1 / 0 / 0 (DLER's 0/1 reward; set wrong −1
 * for a ±1 reward).
 */
export const correctness = defineShaper({
  summary: 'r = correct ? 1 : wrong (parse failures get their own value)',
  schema: z.strictObject({
    /** Reward of an accepted answer. */
    correct: z.number().default(1).describe('Reward of an accepted answer.'),
    /** Reward of a parsed but wrong answer. */
    wrong: z.number().default(0).describe('Reward of a parsed but wrong answer.'),
    /** Reward when no final answer was found (null `parsed`). */
    parseFailure: z.number().default(0).describe('Reward when no final answer was found (null `parsed`).'),
  }),
  make: (cfg) => (batch) =>
    batch.map((r) => (r.correct ? cfg.correct : r.parsed === null ? cfg.parseFailure : cfg.wrong)),
});

/**
 * `format`: r = `reward` if every listed format flag is true, else `penalty`.
 * `flags: []` (default) checks every flag the rollout carries; a rollout
 * carrying none of the required flags opts out (null).
 */
export const format = defineShaper({
  summary: 'r = reward if all format flags hold, else penalty',
  schema: z.strictObject({
    /** Flags to require (keys of `ScoredRollout.format`); empty = all present flags. */
    flags: z.array(z.string()).default([]).describe('Flags to require (keys of `ScoredRollout.format`); empty = all present flags.'),
    reward: z.number().default(1).describe('Reward when every required flag holds'),
    penalty: z.number().default(0).describe('Reward when a required flag is false or missing'),
  }),
  make: (cfg) => (batch) =>
    batch.map((r) => {
      const keys = cfg.flags.length > 0 ? cfg.flags : Object.keys(r.format);
      if (keys.length === 0) return null;
      return keys.every((k) => r.format[k] === true) ? cfg.reward : cfg.penalty;
    }),
});
