import type { Command } from 'commander';
import { loadBrevityRecipe } from '../recipe/index.ts';
import { collectSet, withRecipeErrors } from '../recipe/errors.ts';
import type { Recipe } from '../recipe/index.ts';
import { toYaml } from './recipe.ts';

/**
 * Train a loaded recipe into `runDir` (for `brevity ab` and the quickstart).
 * `resume` continues from the newest checkpoint when there is one (a fresh
 * start otherwise). Resolves with the last completed step.
 */
export async function trainRecipe(recipe: Recipe, opts: { runDir: string; resume: boolean; progress?: 'auto' | 'bar' | 'lines' | 'silent' }): Promise<{ step: number; stoppedBy: string }> {
  const { buildTrainer } = await import('../train/from-recipe.ts');
  const { latestCheckpoint } = await import('../train/checkpoint.ts');
  const resume = opts.resume && latestCheckpoint(opts.runDir) !== null;
  const built = await buildTrainer(recipe, { runDir: opts.runDir, resume, progress: opts.progress, recipeText: toYaml(recipe) });
  try {
    const res = await built.trainer.run();
    if (res.stoppedBy === 'non-finite') throw new Error(`training ${opts.runDir} stopped on repeated NaN/Inf at step ${res.step}`);
    return res;
  } finally {
    await built.dispose();
  }
}

export function register(program: Command): void {
  program
    .command('train <recipe>')
    .description('run the RL loop of a recipe: rollouts, rewards, updates; metrics and checkpoints under runs/<name>/')
    .option('--resume', 'continue from the newest checkpoint in runs/<name>/checkpoints (identical to an uninterrupted run)')
    .option('--set <key=value>', 'override a setting, YAML value (repeatable): --set train.steps=10', collectSet, [])
    .option('--progress <mode>', 'auto (bar on a terminal, lines otherwise), bar, lines or silent', 'auto')
    .addHelpText(
      'after',
      '\nCtrl-C (SIGINT) or SIGTERM finishes the current step, saves a checkpoint and exits 130; a second signal exits at once.\n' +
        'Exit codes: 0 done, 1 stopped on repeated NaN/Inf, 2 invalid recipe, 130 interrupted.',
    )
    .action((file: string, opts: { resume?: boolean; set: string[]; progress: string }) =>
      withRecipeErrors(async () => {
        const { recipe } = loadBrevityRecipe(file, { set: opts.set });
        const progress = ['auto', 'bar', 'lines', 'silent'].includes(opts.progress) ? (opts.progress as 'auto') : 'auto';
        // Imported here so `brevity --help` stays fast (tfjs, llama.cpp load lazily).
        const { buildTrainer } = await import('../train/from-recipe.ts');
        const built = await buildTrainer(recipe, { resume: opts.resume, progress, recipeText: toYaml(recipe) });
        let code = 0;
        try {
          const res = await built.trainer.run();
          process.stderr.write(`train: ${res.stoppedBy} at step ${res.step}; checkpoint ${res.checkpoint ?? '(none)'}; metrics ${built.runDir}/metrics.jsonl\n`);
          code = res.stoppedBy === 'signal' ? 130 : res.stoppedBy === 'non-finite' ? 1 : 0;
        } finally {
          await built.dispose();
        }
        process.exitCode = code;
      }),
    );
}
