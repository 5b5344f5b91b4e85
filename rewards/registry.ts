/**
 * Registries keyed by the names recipes use, and the zod pieces the recipe
 * loader composes. A recipe entry is `{ type: '<name>', weight?, name?, ...config }`
 * validated by a discriminated union over the registry, so a typo fails at
 * load time with the list of valid names; `resolveShaper` / `resolveBudgetPolicy`
 * turn a validated spec into something runnable. Nothing else branches on a
 * method's name.
 */
import { z } from 'zod';
import type { BudgetMakeOptions, BudgetPolicyDef } from './budgets/define.ts';
import { curriculum } from './budgets/curriculum.ts';
import { difficulty } from './budgets/difficulty.ts';
import { fixed } from './budgets/fixed.ts';
import { l1 } from './budgets/l1.ts';
import { palu } from './budgets/palu.ts';
import { thinkprune as thinkpruneBudget } from './budgets/thinkprune.ts';
import type { WeightedShaper } from './combine.ts';
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
import type { BudgetPolicy, Shaper } from './types.ts';

export const shapers = {
  correctness,
  format,
  dler,
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
} as const;
export type ShaperName = keyof typeof shapers;

export const budgetPolicies = {
  fixed,
  curriculum,
  difficulty,
  palu,
  thinkprune: thinkpruneBudget,
  l1,
} as const;
export type BudgetPolicyName = keyof typeof budgetPolicies;

/** "a, b, c" — for error messages. */
export function validNames(registry: object): string {
  return Object.keys(registry).join(', ');
}

function unknownName(kind: string, registry: object) {
  return (iss: { code?: string; input?: unknown }) => {
    if (iss.code !== 'invalid_union') return undefined;
    const got = (iss.input as { type?: unknown } | undefined)?.type;
    return `unknown ${kind} '${String(got)}'; valid ${kind} names: ${validNames(registry)}`;
  };
}

// ---- shaper specs -----------------------------------------------------------

const shaperCommon = {
  /** Weight of this shaper in the combined reward. */
  weight: z.number().default(1).describe('Weight of this shaper in the combined reward.'),
  /** Metric name (`reward/<name>/mean`); defaults to `type`. Needed when one type appears twice. */
  name: z.string().min(1).optional().describe('Metric name (`reward/<name>/mean`); defaults to `type`. Needed when one type appears twice.'),
};

function shaperSpec<N extends string, S extends z.ZodObject>(type: N, def: ShaperDef<S>) {
  return def.schema.extend({ type: z.literal(type), ...shaperCommon });
}

/** One entry of a recipe's `rewards:` list. */
export const ShaperSpecSchema = z.discriminatedUnion(
  'type',
  [
    shaperSpec('correctness', correctness),
    shaperSpec('format', format),
    shaperSpec('dler', dler),
    shaperSpec('dapo-overlong', dapoOverlong),
    shaperSpec('kimi', kimi),
    shaperSpec('l1-exact', l1Exact),
    shaperSpec('l1-max', l1Max),
    shaperSpec('cosine', cosine),
    shaperSpec('arora', arora),
    shaperSpec('shorter-better', shorterBetter),
    shaperSpec('thinkprune', thinkprune),
    shaperSpec('curriculum-length', curriculumLength),
    shaperSpec('grpo-lambda', grpoLambda),
    shaperSpec('drpo-length', drpoLength),
    shaperSpec('surrogate', surrogate),
  ],
  { error: unknownName('shaper', shapers) },
);
export type ShaperSpec = z.infer<typeof ShaperSpecSchema>;
export type ShaperSpecInput = z.input<typeof ShaperSpecSchema>;

/** A recipe's `rewards:` list: at least one shaper, distinct metric names. */
export const ShaperSpecListSchema = z
  .array(ShaperSpecSchema)
  .min(1, { message: 'rewards: list at least one shaper, e.g. [{ type: correctness }]' })
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((s, i) => {
      const n = String((s as { name?: string; type: string }).name ?? (s as { type: string }).type);
      if (seen.has(n)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `two shapers are named '${n}'; give one a distinct 'name'` });
      seen.add(n);
    });
  });

/** Validate and build one shaper by registry name; unknown names list the valid ones. */
export function makeShaper(type: string, config: unknown = {}): Shaper {
  const def = (shapers as Record<string, ShaperDef>)[type];
  if (!def) throw new Error(`unknown shaper '${type}'; valid shaper names: ${validNames(shapers)}`);
  return def.make(def.schema.parse(config));
}

/** Spec (validated or raw) → `{ name, weight, fn }` for `combineRewards`. */
export function resolveShaper(spec: ShaperSpecInput | ShaperSpec): WeightedShaper {
  const s = ShaperSpecSchema.parse(spec);
  const { type, weight, name, ...config } = s as { type: string; weight: number; name?: string };
  return { name: name ?? type, weight, fn: makeShaper(type, config) };
}

// ---- budget policy specs ----------------------------------------------------

function budgetSpec<N extends string, S extends z.ZodObject>(type: N, def: BudgetPolicyDef<S>) {
  return def.schema.extend({ type: z.literal(type) });
}

/** A recipe's `budget:` section. */
export const BudgetSpecSchema = z.discriminatedUnion(
  'type',
  [
    budgetSpec('fixed', fixed),
    budgetSpec('curriculum', curriculum),
    budgetSpec('difficulty', difficulty),
    budgetSpec('palu', palu),
    budgetSpec('thinkprune', thinkpruneBudget),
    budgetSpec('l1', l1),
  ],
  { error: unknownName('budget policy', budgetPolicies) },
);
export type BudgetSpec = z.infer<typeof BudgetSpecSchema>;
export type BudgetSpecInput = z.input<typeof BudgetSpecSchema>;

export function makeBudgetPolicy(type: string, config: unknown = {}, opts?: BudgetMakeOptions): BudgetPolicy {
  const def = (budgetPolicies as Record<string, BudgetPolicyDef>)[type];
  if (!def) throw new Error(`unknown budget policy '${type}'; valid budget policy names: ${validNames(budgetPolicies)}`);
  return def.make(def.schema.parse(config), opts);
}

/** Spec (validated or raw) → a budget policy. `opts.seed` seeds sampling policies without their own seed. */
export function resolveBudgetPolicy(spec: BudgetSpecInput | BudgetSpec, opts?: BudgetMakeOptions): BudgetPolicy {
  const s = BudgetSpecSchema.parse(spec);
  const { type, ...config } = s as { type: string };
  return makeBudgetPolicy(type, config, opts);
}
