import { z } from 'zod';

/**
 * PROVISIONAL: `rewards:`, `budget:` and `advantage:` specs until the method
 * library (`rewards/` registries) exports its discriminated-union schemas.
 * Names are strict (a typo fails with the list of names); each method's own
 * settings are passed through unchecked here and validated by the registry.
 */
function spec<const N extends string>(names: readonly [N, ...N[]], extra: z.ZodRawShape = {}) {
  const [first, ...rest] = names.map((n) => z.looseObject({ type: z.literal(n), ...extra }));
  return z.discriminatedUnion('type', [first, ...rest]);
}

export const ShaperSpecSchema = spec(
  [
    'correctness', 'format', 'dler', 'kimi', 'dapo-overlong', 'arora', 'cosine', 'grpo-lambda', 'l1-exact', 'l1-max',
    'shorter-better', 'thinkprune', 'drpo-length', 'curriculum-length',
  ],
  { weight: z.number().default(1) },
);
export const BudgetSpecSchema = spec(['fixed', 'curriculum', 'dler-difficulty', 'palu', 'l1-target', 'thinkprune-stages']);
export const AdvantageSpecSchema = spec(['grpo', 'dr-grpo', 'batch-norm', 'rloo']);
/** PROVISIONAL `loss:` until src/train/loss-config.ts is committed. */
export const LossSpecSchema = spec(['clipped', 'drpo']);
