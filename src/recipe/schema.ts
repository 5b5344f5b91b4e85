import { z } from 'zod';
import { EvalSchema } from './sections/eval.ts';
import { AdvantageSpecSchema, BudgetSpecSchema, LossSpecSchema as LossConfigSchema, ShaperSpecSchema } from './sections/methods.ts';
import { ModelSchema } from './sections/model.ts';
import { RolloutSchema } from './sections/rollout.ts';
import { RunSchema } from './sections/run.ts';
import { SamplingSchema } from './sections/sampling.ts';
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
  task: TaskSchema.default({ type: 'arith', seed: 1234, trainSize: 20000, testSize: 1000, difficultyMix: [1, 1, 1, 1, 1] }),
  rollout: RolloutSchema.prefault({}),
  /** Budget policy: what token cap/target each prompt gets at each step. */
  budget: BudgetSpecSchema.prefault({ type: 'fixed' }),
  /** Reward shapers, summed with their weights. */
  rewards: z.array(ShaperSpecSchema).min(1, 'list at least one reward shaper, e.g. - type: correctness'),
  advantage: AdvantageSpecSchema.prefault({ type: 'grpo' }),
  loss: LossConfigSchema.prefault({ type: 'clipped' }),
  sampling: SamplingSchema.prefault({}),
  train: TrainSchema.prefault({}),
  eval: EvalSchema.prefault({}),
  run: RunSchema,
});
export type Recipe = z.infer<typeof RecipeSchema>;
