/**
 * `lapo` — LAPO's stage-2 budgets (arXiv 2507.15758): each prompt states a
 * per-problem budget n = the median (numpy-linear) of its correct lengths in
 * the history, appended to the prompt (`suffix`, "{n}" replaced), and passed
 * to the `lapo` shaper as the target. A prompt with no correct length on
 * record gets `defaultTarget`. The cap stays `cap` for every prompt. The
 * paper takes n from its stage-1 run's statistics; reading it from the live
 * history, and the suffix wording, are unverified.
 */
import { z } from 'zod';
import { defineBudgetPolicy, statelessPolicy } from './define.ts';

export const lapoBudget = defineBudgetPolicy({
  summary: 'target n = median of the prompt\'s correct lengths (stated in the prompt), fixed cap',
  schema: z.strictObject({
    cap: z.number().int().positive().default(4000).describe('Token cap for every prompt'),
    /** n for a prompt with no correct answer on record. */
    defaultTarget: z.number().int().positive().default(1000).describe('n for a prompt with no correct answer on record.'),
    suffix: z.string().default('Think for {n} tokens.').describe('Text appended to the prompt; {n} is replaced by the target'),
  }),
  make: (cfg) =>
    statelessPolicy((prompt, _step, history) => {
      const median = history.correctLengthQuantile(prompt.id, 0.5);
      const target = median === undefined ? cfg.defaultTarget : Math.max(1, Math.round(median));
      return { cap: cfg.cap, target, promptSuffix: cfg.suffix.replaceAll('{n}', String(target)) };
    }),
});
