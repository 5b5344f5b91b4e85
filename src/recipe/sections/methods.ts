/**
 * Method sections, straight from the registries that run them: a typo'd
 * `type:` fails at load time with the registry's names.
 */
export { BudgetSpecSchema, ShaperSpecListSchema } from '../../../rewards/registry.ts';
export { CombineSchema } from '../../../rewards/combine.ts';
export { AdvantageSpecSchema } from '../../../rewards/advantages.ts';
export { LossConfigSchema } from '../../train/losses.ts';
export { SamplingFilterSchema } from '../../train/sampling-filter.ts';
