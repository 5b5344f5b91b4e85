/**
 * The real A/B hooks: train through the `train` command's exported
 * `trainRecipe(recipe, { runDir, resume })`, evaluate the run's newest
 * checkpoint on the recipe's eval settings.
 */
import type { EvalResult } from '../eval/evaluate.ts';
import { evaluateCheckpoint } from '../eval/evaluate-recipe.ts';
import type { Recipe } from '../recipe/schema.ts';
import { latestCheckpoint } from '../train/checkpoint.ts';
import type { AbHooks, AbRun } from './run-ab.ts';

/** What src/commands/train.ts must export for `brevity ab` (and `npm start`) to train. */
export type TrainRecipeFn = (recipe: Recipe, opts: { runDir: string; resume: boolean }) => Promise<{ step: number; stoppedBy?: string }>;

async function trainFn(): Promise<TrainRecipeFn> {
  return (await import('../commands/train.ts')).trainRecipe;
}

/** Evaluate a run's newest checkpoint with its recipe's task and eval settings. */
export async function evaluateRun(recipe: Recipe, runDir: string, label: string): Promise<EvalResult> {
  const ck = latestCheckpoint(runDir);
  if (!ck) throw new Error(`${runDir}: no checkpoint to evaluate (checkpoints/step-*/ is empty)`);
  return evaluateCheckpoint(recipe, ck, { label });
}

export function realHooks(): AbHooks {
  return {
    train: async (run: AbRun) => (await trainFn())(run.recipe, { runDir: run.runDir, resume: run.resume }),
    evaluate: (run: AbRun) => evaluateRun(run.recipe, run.runDir, `${run.arm}/seed-${run.seed}`),
  };
}
