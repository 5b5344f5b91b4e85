/**
 * The real A/B hooks: train through the `train` command's exported
 * `trainRecipe(recipe, { runDir, resume })`, evaluate the run's newest
 * checkpoint on the recipe's eval settings.
 */
import { evaluate } from '../eval/evaluate.ts';
import type { EvalResult } from '../eval/evaluate.ts';
import { openModel } from '../eval/open-model.ts';
import { taskFromSection } from '../eval/open-task.ts';
import type { Recipe } from '../recipe/schema.ts';
import { latestCheckpoint } from '../train/checkpoint.ts';
import { verify } from '../verify/index.ts';
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
  const e = recipe.eval;
  const { engine, tokenizer } = await openModel(ck);
  try {
    return await evaluate({
      engine, tokenizer, verify, task: taskFromSection(recipe.task), model: label, budgets: e.budgets, samplesPerProblem: e.samplesPerProblem,
      temperature: e.temperature, testSize: e.testSize, passK: e.passK.filter((k) => k <= e.samplesPerProblem), seed: e.seed,
      answerTokens: e.answerTokens, bootstrap: { resamples: e.bootstrap, seed: e.seed }, aes: e.aes,
    });
  } finally {
    await engine.dispose();
  }
}

export function realHooks(): AbHooks {
  return {
    train: async (run: AbRun) => (await trainFn())(run.recipe, { runDir: run.runDir, resume: run.resume }),
    evaluate: (run: AbRun) => evaluateRun(run.recipe, run.runDir, `${run.arm}/seed-${run.seed}`),
  };
}
