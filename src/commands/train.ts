import type { Command } from 'commander';
import { loadBrevityRecipe } from '../recipe/index.ts';
import { collectSet, RecipeError, withRecipeErrors } from '../recipe/errors.ts';
import { PROGRESS_MODES, trainWithEvals, type Progress } from '../run/train-recipe.ts';

export function register(program: Command): void {
  program
    .command('train <recipe>')
    .description('evaluate the starting model, run the RL loop of a recipe, evaluate the result and write a report under runs/<name>/')
    .option('--resume', 'continue from the newest checkpoint in runs/<name>/checkpoints (identical to an uninterrupted run)')
    .option('--no-eval', 'skip the before/after evaluations, eval.every and the report: train only')
    .option('--set <key=value>', 'override a setting, YAML value (repeatable): --set train.steps=10', collectSet, [])
    .option('--progress <mode>', 'auto (bar on a terminal, lines otherwise), bar, lines or silent', 'auto')
    .addHelpText(
      'after',
      '\nCtrl-C (SIGINT) or SIGTERM finishes the current step, saves a checkpoint and exits 130; a second signal exits at once.\n' +
        'Exit codes: 0 done, 1 stopped on repeated NaN/Inf, 2 invalid recipe, 130 interrupted.',
    )
    .action((file: string, opts: { resume?: boolean; eval: boolean; set: string[]; progress: string }) =>
      withRecipeErrors(async () => {
        const { recipe } = loadBrevityRecipe(file, { set: opts.set });
        if (!PROGRESS_MODES.includes(opts.progress as Progress)) {
          throw new RecipeError([`--progress ${opts.progress}: expected one of ${PROGRESS_MODES.join(', ')}`]);
        }
        const progress = opts.progress as Progress;
        process.exitCode = await trainWithEvals(recipe, { resume: opts.resume === true, progress, evaluate: opts.eval });
      }),
    );
}
