/** The method library: reward shapers, budget policies, advantage estimators, per-prompt history, registries. */
export * from './types.ts';
export * from './combine.ts';
export * from './history.ts';
export * from './registry.ts';
export * from './advantages.ts';
export { drpoPositiveWeights } from './shapers/drpo.ts';
export { softOverlongPenalty } from './shapers/dapo-overlong.ts';
export { curriculumBudget, type CurriculumSchedule } from './budgets/curriculum.ts';
export type { BudgetMakeOptions } from './budgets/define.ts';
