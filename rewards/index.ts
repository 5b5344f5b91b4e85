/** The method library: reward shapers, budget policies, per-prompt history, registries. */
export * from './types.ts';
export * from './combine.ts';
export * from './history.ts';
export * from './registry.ts';
export { drpoGroupWeights, drpoPositiveWeights, DRPO_DEFAULTS, type DrpoWeights } from './shapers/drpo.ts';
export { softOverlongPenalty } from './shapers/dapo-overlong.ts';
export { curriculumBudget, type CurriculumSchedule } from './budgets/curriculum.ts';
export type { BudgetMakeOptions } from './budgets/define.ts';
export {
  advantageEstimators,
  AdvantageSpecSchema,
  resolveAdvantageEstimator,
  makeAdvantageEstimator,
  type AdvantageSpec,
  type AdvantageInput,
  type AdvantageEstimator,
} from '../src/train/advantages.ts';
