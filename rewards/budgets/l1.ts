/**
 * `l1` — L1/LCPO targets (Aggarwal & Welleck 2025): each time a prompt is
 * used, draw a target n_target uniformly from the integers
 * [minTarget, maxTarget] (paper: 100..4000), or uniformly from `levels` when
 * given (TLDR's short/medium/long targets — unverified reading: TLDR's
 * formula is implemented as L1-style targets), and state it in the prompt
 * (`suffix`, "{n}" replaced: "Think for 512 tokens."). The cap is `cap` if
 * given, else the largest possible target.
 *
 * Draws come from a seeded RNG (`seed`, else the run's seed) whose state is
 * part of `state()`; a second call for the same prompt in the same step
 * returns the same target without drawing again.
 */
import { z } from 'zod';
import { Rng } from '../../src/util/rng.ts';
import type { BudgetDecision } from '../types.ts';
import { defineBudgetPolicy } from './define.ts';

const DecisionSchema = z.strictObject({
  cap: z.number(),
  target: z.number().optional(),
  promptSuffix: z.string().optional(),
});
const L1StateSchema = z.strictObject({
  version: z.literal(1),
  rng: z.array(z.number()).length(4),
  step: z.number().nullable(),
  decisions: z.array(z.tuple([z.string(), DecisionSchema])),
});

export const l1 = defineBudgetPolicy({
  summary: 'target ~ U[minTarget, maxTarget] per prompt, stated in the prompt',
  schema: z.strictObject({
    minTarget: z.number().int().positive().default(100).describe('Smallest target drawn (paper 100)'),
    maxTarget: z.number().int().positive().default(4000).describe('Largest target drawn (paper 4000)'),
    /** Discrete targets to draw from instead of the range (TLDR-style levels). */
    levels: z.array(z.number().int().positive()).min(1).optional().describe('Discrete targets to draw from instead of the range (TLDR-style levels).'),
    cap: z.number().int().positive().optional().describe('Generation cap; default = the largest possible target'),
    suffix: z.string().default('Think for {n} tokens.').describe('Text appended to the prompt; {n} is replaced by the target'),
    seed: z.number().int().optional().describe('RNG seed for the targets; default = the run seed'),
  }),
  make: (cfg, opts) => {
    if (cfg.minTarget > cfg.maxTarget) throw new Error(`l1: minTarget (${cfg.minTarget}) > maxTarget (${cfg.maxTarget})`);
    const rng = new Rng(cfg.seed ?? opts?.seed ?? 0);
    const cap = cfg.cap ?? (cfg.levels ? Math.max(...cfg.levels) : cfg.maxTarget);
    let step: number | null = null;
    let decisions = new Map<string, BudgetDecision>();
    return {
      budgetFor(prompt, s): BudgetDecision {
        if (s !== step) {
          step = s;
          decisions = new Map();
        }
        const prev = decisions.get(prompt.id);
        if (prev) return { ...prev };
        const target = cfg.levels ? cfg.levels[rng.int(cfg.levels.length)] : cfg.minTarget + rng.int(cfg.maxTarget - cfg.minTarget + 1);
        const d: BudgetDecision = { cap, target, promptSuffix: cfg.suffix.replaceAll('{n}', String(target)) };
        decisions.set(prompt.id, d);
        return { ...d };
      },
      state: () => ({ version: 1, rng: rng.state(), step, decisions: [...decisions.entries()].map(([k, d]) => [k, { ...d }]) }),
      loadState(raw) {
        const data = L1StateSchema.parse(raw);
        rng.setState(data.rng);
        step = data.step;
        decisions = new Map(data.decisions.map(([k, d]) => [k, { ...d }]));
      },
    };
  },
});
