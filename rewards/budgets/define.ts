/** How a budget policy module declares itself to the registry. */
import type { z } from 'zod';
import type { BudgetPolicy } from '../types.ts';

/** Extra context a policy may use at construction (the run's seed for sampling policies). */
export interface BudgetMakeOptions {
  /** Used when the policy's config has no `seed` of its own. */
  seed?: number;
}

export interface BudgetPolicyDef<S extends z.ZodObject = z.ZodObject> {
  readonly schema: S;
  readonly make: (config: z.output<S>, opts?: BudgetMakeOptions) => BudgetPolicy;
  readonly summary: string;
}

export function defineBudgetPolicy<S extends z.ZodObject>(def: BudgetPolicyDef<S>): BudgetPolicyDef<S> {
  return def;
}

/** A policy whose decision is a pure function of (prompt, step, history): nothing to save. */
export function statelessPolicy(budgetFor: BudgetPolicy['budgetFor']): BudgetPolicy {
  return {
    budgetFor,
    state: () => null,
    loadState: () => {},
  };
}
