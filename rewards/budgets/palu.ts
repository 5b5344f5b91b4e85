/**
 * `palu` — PALU (Concise Reasoning via Lagrangian optimization, 2025):
 * minimize each prompt's budget subject to accuracy ≥ C. Practical rule
 * (unverified reading, docs/methods.md): from the prompt's outcomes recorded
 * *since its current cap was set* (history steps ≥ that step, so the estimate
 * is about the budget in force), once there are ≥ `minSamples`:
 *   accuracy ≥ C → cap = clamp(⌈quantile_q(correct lengths)⌉, minCap, maxCap)
 *   accuracy < C → relax: `previous` = back to the cap before the last
 *                  tightening (a per-prompt stack; maxCap when empty),
 *                  `max` = back to maxCap
 * fewer samples → keep the current cap. Starts at `initialCap` (= maxCap).
 * C 0.8, q 0.5, minSamples 4 are unverified defaults.
 *
 * State per prompt (saved by `state()`): current cap, the step it was set,
 * the stack of earlier caps, and this step's decision (so a second call in the
 * same step returns the same cap).
 */
import { z } from 'zod';
import type { BudgetDecision } from '../types.ts';
import { defineBudgetPolicy } from './define.ts';
import { quantile } from '../util.ts';

const PromptStateSchema = z.strictObject({
  cap: z.number(),
  since: z.number(),
  stack: z.array(z.number()),
  lastStep: z.number(),
});
type PromptState = z.infer<typeof PromptStateSchema>;
const PaluStateSchema = z.strictObject({
  version: z.literal(1),
  prompts: z.array(z.tuple([z.string(), PromptStateSchema])),
});

/** Earlier caps remembered per prompt for `relax: previous`. */
const MAX_STACK = 16;

export const palu = defineBudgetPolicy({
  summary: 'per-prompt cap = quantile of correct lengths while accuracy ≥ C, relax otherwise',
  schema: z.strictObject({
    maxCap: z.number().int().positive().default(4000).describe('Largest cap, and where relax: max returns'),
    initialCap: z.number().int().positive().optional().describe('Cap of a prompt seen for the first time; default maxCap'),
    minCap: z.number().int().positive().default(1).describe('Lowest cap PALU may set'),
    /** C: the accuracy the prompt must keep. */
    accuracy: z.number().min(0).max(1).default(0.8).describe('C: the accuracy the prompt must keep.'),
    quantile: z.number().min(0).max(1).default(0.5).describe('q: the new cap is this quantile of recent correct lengths'),
    minSamples: z.number().int().min(1).default(4).describe('Outcomes under the current cap needed before changing it'),
    relax: z.enum(['previous', 'max']).default('previous').describe('When accuracy drops: back to the previous cap or to maxCap'),
  }),
  make: (cfg) => {
    let prompts = new Map<string, PromptState>();
    const initial = Math.min(cfg.maxCap, cfg.initialCap ?? cfg.maxCap);
    return {
      budgetFor(prompt, step, history): BudgetDecision {
        let s = prompts.get(prompt.id);
        if (!s) {
          s = { cap: initial, since: step, stack: [], lastStep: step };
          prompts.set(prompt.id, s);
          return { cap: s.cap };
        }
        if (s.lastStep === step) return { cap: s.cap };
        s.lastStep = step;
        const recent = history.outcomes(prompt.id).filter((o) => o.step >= s.since && o.step < step);
        if (recent.length < cfg.minSamples) return { cap: s.cap };
        const acc = recent.filter((o) => o.correct).length / recent.length;
        let next: number;
        if (acc >= cfg.accuracy) {
          const q = quantile(recent.filter((o) => o.correct).map((o) => o.length), cfg.quantile);
          next = Math.min(cfg.maxCap, Math.max(cfg.minCap, Math.ceil(q)));
          if (next !== s.cap) {
            s.stack.push(s.cap);
            if (s.stack.length > MAX_STACK) s.stack.shift();
          }
        } else {
          next = cfg.relax === 'max' ? cfg.maxCap : (s.stack.pop() ?? cfg.maxCap);
          if (cfg.relax === 'max') s.stack = [];
        }
        if (next !== s.cap) {
          s.cap = next;
          s.since = step;
        }
        return { cap: s.cap };
      },
      state: () => ({
        version: 1,
        prompts: [...prompts.entries()].map(([id, s]) => [id, { ...s, stack: [...s.stack] }]),
      }),
      loadState(raw) {
        const data = PaluStateSchema.parse(raw);
        prompts = new Map(data.prompts.map(([id, s]) => [id, { ...s, stack: [...s.stack] }]));
      },
    };
  },
});
