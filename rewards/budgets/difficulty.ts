/**
 * `difficulty` — difficulty-aware DLER budgets. Unverified rule (docs/methods.md):
 * estimate each prompt's pass rate from its recent outcomes in the history
 * store; when at least `minSamples` are recorded and the pass rate is
 * ≥ `threshold` (an easy prompt), tighten its cap:
 *   mode `fixed`:    cap = easyCap (default ⌊cap/2⌋)
 *   mode `quantile`: cap = clamp(⌈quantile_q(correct lengths)⌉, minCap, cap)
 * otherwise cap = `cap`. Threshold 0.9, minSamples 8, q 0.5 are unverified.
 */
import { z } from 'zod';
import { defineBudgetPolicy, statelessPolicy } from './define.ts';

export const difficulty = defineBudgetPolicy({
  summary: 'easy prompts (recent pass rate ≥ threshold) get a lower cap',
  schema: z.strictObject({
    cap: z.number().int().positive().default(4000).describe('Cap of prompts not (yet) judged easy'),
    easyCap: z.number().int().positive().optional().describe('Cap of easy prompts in fixed mode; default ⌊cap/2⌋'),
    threshold: z.number().min(0).max(1).default(0.9).describe('Recent pass rate at or above which a prompt is easy (unverified)'),
    minSamples: z.number().int().min(1).default(8).describe('Recorded outcomes needed before a prompt can be judged easy'),
    mode: z.enum(['fixed', 'quantile']).default('fixed').describe('fixed: easyCap; quantile: a quantile of the prompt’s correct lengths'),
    quantile: z.number().min(0).max(1).default(0.5).describe('q for quantile mode'),
    minCap: z.number().int().positive().default(1).describe('Lowest cap quantile mode may set'),
  }),
  make: (cfg) =>
    statelessPolicy((prompt, _step, history) => {
      const p = history.passRate(prompt.id);
      if (p === undefined || history.count(prompt.id) < cfg.minSamples || p < cfg.threshold) return { cap: cfg.cap };
      if (cfg.mode === 'fixed') return { cap: cfg.easyCap ?? Math.max(cfg.minCap, Math.floor(cfg.cap / 2)) };
      const q = history.correctLengthQuantile(prompt.id, cfg.quantile);
      if (q === undefined) return { cap: cfg.cap };
      return { cap: Math.min(cfg.cap, Math.max(cfg.minCap, Math.ceil(q))) };
    }),
});
