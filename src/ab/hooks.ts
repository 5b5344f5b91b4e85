/**
 * The real A/B hooks: train through the run layer's
 * `trainRecipe(recipe, { runDir, resume })`, evaluate the run's newest
 * checkpoint on the recipe's eval settings.
 */
import type { EvalResult } from '../eval/evaluate.ts';
import { evaluateCheckpoint } from '../eval/evaluate-recipe.ts';
import type { Recipe } from '../recipe/schema.ts';
import { latestCheckpoint } from '../train/checkpoint.ts';
import type { AbHooks, AbRun } from './run-ab.ts';

async function trainRecipe(recipe: Recipe, opts: { runDir: string; resume: boolean }) {
  return (await import('../run/train-recipe.ts')).trainRecipe(recipe, opts);
}

/** Evaluate a run's newest checkpoint with its recipe's task and eval settings. */
export async function evaluateRun(recipe: Recipe, runDir: string, label: string): Promise<EvalResult> {
  const ck = latestCheckpoint(runDir);
  if (!ck) throw new Error(`${runDir}: no checkpoint to evaluate (checkpoints/step-*/ is empty)`);
  return evaluateCheckpoint(recipe, ck, { label });
}

export function realHooks(): AbHooks {
  return {
    train: (run: AbRun) => trainRecipe(run.recipe, { runDir: run.runDir, resume: run.resume }),
    evaluate: (run: AbRun) => evaluateRun(run.recipe, run.runDir, `${run.arm}/seed-${run.seed}`),
  };
}
