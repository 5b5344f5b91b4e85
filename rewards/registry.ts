/**
 * The method library's registries, keyed by the names recipes use. Each is a
 * `defineRegistry` over plain definitions: adding a shaper or a budget policy
 * is one new file plus one line in the object below. A recipe entry is
 * `{ type: '<name>', ...config }` (shapers also take `weight` and `name`),
 * validated once by the discriminated union the registry derives; `resolve*`
 * turn the validated spec into something runnable without parsing it again.
 * Nothing else branches on a method's name.
 */
import { z } from 'zod';
import { defineRegistry } from '../src/util/registry.ts';
import type { BudgetMakeOptions } from './budgets/define.ts';
import { curriculum } from './budgets/curriculum.ts';
import { difficulty } from './budgets/difficulty.ts';
import { fixed } from './budgets/fixed.ts';
import { l1 } from './budgets/l1.ts';
import { palu } from './budgets/palu.ts';
import { thinkprune as thinkpruneBudget } from './budgets/thinkprune.ts';
import { lapoBudget } from './budgets/lapo.ts';
import type { WeightedShaper } from './combine.ts';
import { lengthOfKeys } from './length-of.ts';
import { arora } from './shapers/arora.ts';
import { correctness, format } from './shapers/correctness.ts';
import { cosine } from './shapers/cosine.ts';
import { curriculumLength } from './shapers/curriculum-length.ts';
import { dapoOverlong } from './shapers/dapo-overlong.ts';
import type { ShaperDef } from './shapers/define.ts';
import { dler } from './shapers/dler.ts';
import { drpoLength } from './shapers/drpo.ts';
import { grpoLambda } from './shapers/grpo-lambda.ts';
import { kimi } from './shapers/kimi.ts';
import { l1Exact, l1Max } from './shapers/l1.ts';
import { shorterBetter } from './shapers/shorter-better.ts';
import { surrogate } from './shapers/surrogate.ts';
import { thinkprune } from './shapers/thinkprune.ts';
import { laser, laserD } from './shapers/laser.ts';
import { hapo } from './shapers/hapo.ts';
import { lapo } from './shapers/lapo.ts';
import { alp } from './shapers/alp.ts';
import { lazyLength } from './shapers/lazy-length.ts';
import type { BudgetPolicy, Shaper } from './types.ts';
import type { BudgetPolicyDef } from './budgets/define.ts';

export const shapers = defineRegistry('reward shaper', {
  // Length-free: they read correctness, format flags or `finish`, never `length`.
  correctness,
  format,
  dler,
  // Length-based: each also takes `lengthOf: response | thinking` (rewards/length-of.ts).
  ...lengthOfKeys({
    'dapo-overlong': dapoOverlong,
    kimi,
    'l1-exact': l1Exact,
    'l1-max': l1Max,
    cosine,
    arora,
    'shorter-better': shorterBetter,
    thinkprune,
    'curriculum-length': curriculumLength,
    'grpo-lambda': grpoLambda,
    'drpo-length': drpoLength,
    surrogate,
    laser,
    'laser-d': laserD,
    hapo,
    lapo,
    alp,
    'lazy-length': lazyLength,
  }),
});
export type ShaperName = (typeof shapers.names)[number];

export const budgetPolicies = defineRegistry('budget policy', {
  fixed,
  curriculum,
  difficulty,
  palu,
  thinkprune: thinkpruneBudget,
  l1,
  lapo: lapoBudget,
});
export type BudgetPolicyName = (typeof budgetPolicies.names)[number];

// ---- shaper specs -----------------------------------------------------------

/** Fields every `rewards:` entry has besides its shaper's own config. */
const shaperCommon = {
  weight: z.number().default(1).describe('Weight of this shaper in the combined reward.'),
  name: z.string().min(1).optional().describe('Metric name (`reward/<name>/mean`); defaults to `type`. Needed when one type appears twice.'),
};

/** One entry of a recipe's `rewards:` list. */
export const ShaperSpecSchema = shapers.union(shaperCommon);
export type ShaperSpec = z.output<typeof ShaperSpecSchema>;
export type ShaperSpecInput = z.input<typeof ShaperSpecSchema>;

/** A recipe's `rewards:` list: at least one shaper, distinct metric names. */
export const ShaperSpecListSchema = z
  .array(ShaperSpecSchema)
  .min(1, { message: 'rewards: list at least one shaper, e.g. [{ type: correctness }]' })
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((s, i) => {
      const n = s.name ?? s.type;
      if (seen.has(n)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `two shapers are named '${n}'; give one a distinct 'name'` });
      seen.add(n);
    });
  });

/** Build one shaper from a raw config (validated here): the entry point for code that has no recipe. */
export function makeShaper(type: string, config: unknown = {}): Shaper {
  const def = shapers.get(type) as ShaperDef;
  return def.make(def.schema.parse(config));
}

/** A validated spec → `{ name, weight, fn }` for `combineRewards` (no second validation). */
export function resolveShaper(spec: ShaperSpec): WeightedShaper {
  const { type, config } = shapers.split(spec, Object.keys(shaperCommon));
  return { name: spec.name ?? type, weight: spec.weight, fn: (shapers.get(type) as ShaperDef).make(config) };
}

// ---- budget policy specs ----------------------------------------------------

/** A recipe's `budget:` section. */
export const BudgetSpecSchema = budgetPolicies.union();
export type BudgetSpec = z.output<typeof BudgetSpecSchema>;
export type BudgetSpecInput = z.input<typeof BudgetSpecSchema>;

/** Build one budget policy from a raw config (validated here). */
export function makeBudgetPolicy(type: string, config: unknown = {}, opts?: BudgetMakeOptions): BudgetPolicy {
  const def = budgetPolicies.get(type) as BudgetPolicyDef;
  return def.make(def.schema.parse(config), opts);
}

/** A validated spec → a budget policy. `opts.seed` seeds sampling policies without their own seed. */
export function resolveBudgetPolicy(spec: BudgetSpec, opts?: BudgetMakeOptions): BudgetPolicy {
  const { type, config } = budgetPolicies.split(spec);
  return (budgetPolicies.get(type) as BudgetPolicyDef).make(config, opts);
}
