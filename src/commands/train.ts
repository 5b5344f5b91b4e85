import type { Command } from 'commander';
import { loadBrevityRecipe } from '../recipe/index.ts';
import { collectSet, RecipeError, UsageError, withRecipeErrors } from '../recipe/errors.ts';
import { PROGRESS_MODES, trainWithEvals, type Progress } from '../run/train-recipe.ts';

export function register(program: Command): void {
  program
    .command('train <recipe>')
    .description('evaluate the starting model, run the RL loop of a recipe, evaluate the result and write a report under runs/<name>/')
    .option('--resume', 'continue from the newest checkpoint in runs/<name>/checkpoints (identical to an uninterrupted run)')
    .option('--overwrite', 'the run directory holds an earlier run: move it aside (runs/<name>.replaced-<time>/) and start afresh')
    .option('--allow-recipe-change', 'with --resume: continue although the recipe differs from the run\'s (recorded in metrics.jsonl and the report)')
    .option('--no-eval', 'skip the before/after evaluations, eval.every and the report: train only')
    .option('--set <key=value>', 'override a setting, YAML value (repeatable): --set train.steps=10', collectSet, [])
    .option('--progress <mode>', 'auto (bar on a terminal, lines otherwise), bar, lines or silent', 'auto')
    .addHelpText(
      'after',
      '\nCtrl-C (SIGINT) or SIGTERM finishes the current step, saves a checkpoint and exits 130; a second signal exits at once.\n' +
        'A fresh start into a directory holding a run, a --resume without a valid checkpoint or with a changed recipe,\n' +
        'and a run directory locked by another training are refused before anything runs.\n' +
        'Exit codes: 0 done, 1 stopped on repeated NaN/Inf, 2 invalid recipe or refused run directory, 130 interrupted.',
    )
    .action((file: string, opts: { resume?: boolean; overwrite?: boolean; allowRecipeChange?: boolean; eval: boolean; set: string[]; progress: string }) =>
      withRecipeErrors(async () => {
        const { recipe } = loadBrevityRecipe(file, { set: opts.set });
        if (!PROGRESS_MODES.includes(opts.progress as Progress)) {
          throw new RecipeError([`--progress ${opts.progress}: expected one of ${PROGRESS_MODES.join(', ')}`]);
        }
        const progress = opts.progress as Progress;
        if (opts.resume && opts.overwrite) throw new UsageError('--resume and --overwrite exclude each other: continue the run, or replace it');
        if (opts.allowRecipeChange && !opts.resume) throw new UsageError('--allow-recipe-change only applies with --resume');
        process.exitCode = await trainWithEvals(recipe, {
          resume: opts.resume === true, overwrite: opts.overwrite === true, allowRecipeChange: opts.allowRecipeChange === true, progress, evaluate: opts.eval,
        });
      }),
    );
}
