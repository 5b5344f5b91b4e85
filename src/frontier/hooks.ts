/** The real frontier hooks: train through the run layer, evaluate a checkpoint with the recipe's eval settings. */
import { evaluateCheckpoint } from '../eval/evaluate-recipe.ts';
import { latestCheckpoint } from '../train/checkpoint.ts';
import { trainRecipe } from '../run/train-recipe.ts';
import type { FrontierHooks } from './run-frontier.ts';

export function realFrontierHooks(): FrontierHooks {
  return {
    train: (recipe, runDir, resume) => trainRecipe(recipe, { runDir, resume, progress: 'lines' }),
    evaluate: (recipe, checkpointDir, label, opts) => evaluateCheckpoint(recipe, checkpointDir, { label, ...opts }),
    latestCheckpoint,
  };
}
