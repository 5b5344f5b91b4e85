import { z } from 'zod';
import { EvalSchema } from './sections/eval.ts';
import { AdvantageSpecSchema, BudgetSpecSchema, CombineSchema, LossConfigSchema, SamplingFilterSchema, ShaperSpecListSchema } from './sections/methods.ts';
import { ModelSchema } from './sections/model.ts';
import { RolloutSchema } from './sections/rollout.ts';
import { RunSchema } from './sections/run.ts';
import { TaskSchema } from './sections/task.ts';
import { TrainSchema } from './sections/train.ts';


/**
 * The whole recipe. Every section is a strict zod object (unknown keys are
 * errors); method choices are discriminated unions over the registries, so a
 * typo'd name fails at load time with the valid names. Sections with
 * defaults may be omitted: `configs/base.yaml` spells the defaults out anyway.
 */
export const RecipeSchema = z.strictObject({
  model: ModelSchema.prefault({}),
  task: TaskSchema.prefault({ type: 'arith' }),
  rollout: RolloutSchema.prefault({}),
  /** Budget policy: what token cap/target each prompt gets at each step. */
  budget: BudgetSpecSchema.prefault({ type: 'fixed' }),
  /** Reward shapers, summed with their weights. */
  rewards: ShaperSpecListSchema,
  /** How the shapers' values combine into one reward: weighted sum, or GDPO's normalize-then-sum. */
  combine: CombineSchema.prefault({}),
  advantage: AdvantageSpecSchema.prefault({ type: 'grpo' }),
  loss: LossConfigSchema.prefault({ type: 'clipped' }),
  sampling: SamplingFilterSchema.prefault({}),
  train: TrainSchema.prefault({}),
  eval: EvalSchema.prefault({}),
  run: RunSchema,
});
export type Recipe = z.infer<typeof RecipeSchema>;
