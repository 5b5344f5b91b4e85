import type { Command } from 'commander';
import { loadBrevityRecipe } from '../recipe/index.ts';
import { collectSet, withRecipeErrors } from '../recipe/errors.ts';
import type { Recipe } from '../recipe/index.ts';
import { toYaml } from './recipe.ts';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { EvalResult } from '../eval/evaluate.ts';

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

/**
 * What `brevity train` (and so `npm start`) does: evaluate the starting model
 * (`evals/base`, reused on --resume), train with `eval.every` evaluations on
 * the live engine, evaluate the final checkpoint against the base, mark the
 * run done, write the HTML report and print the before/after table.
 * Returns the process exit code.
 */
async function trainWithEvals(recipe: Recipe, o: { resume: boolean; progress: Progress; evaluate: boolean }): Promise<number> {
  const { buildTrainer } = await import('../train/from-recipe.ts');
  const { evaluateCheckpoint } = await import('../eval/evaluate-recipe.ts');
  const { makeStepEvaluator } = await import('../eval/step-evaluator.ts');
  const { readEvalResult } = await import('../eval/write-results.ts');
  const { formatBeforeAfter, formatEvalTable } = await import('../eval/print.ts');
  const { markRunDone } = await import('../ab/run-state.ts');
  const { writeRunReport } = await import('../report/run-report.ts');
  const { verify } = await import('../verify/index.ts');
  const say = (s: string) => process.stderr.write(`${s}\n`);
  const runDir = path.join(recipe.run.outputDir, recipe.run.name);
  const t0 = performance.now();

  let base: EvalResult | undefined;
  if (o.evaluate) {
    const baseFile = path.join(runDir, 'evals', 'base.json');
    if (o.resume && existsSync(baseFile)) base = readEvalResult(baseFile);
    else {
      say(`eval: starting model ${recipe.model.checkpoint} on ${recipe.eval.testSize} test problems, budgets ${recipe.eval.budgets.join(', ')}`);
      base = await evaluateCheckpoint(recipe, recipe.model.checkpoint, { label: 'base', runDir });
      say(formatEvalTable(base));
    }
  }

  let stepEval: ((step: number) => Promise<unknown>) | undefined;
  const built = await buildTrainer(recipe, { runDir, resume: o.resume, progress: o.progress, recipeText: toYaml(recipe), onStep: async (step) => { await stepEval?.(step); } });
  if (o.evaluate) stepEval = makeStepEvaluator({ eval: recipe.eval, engine: built.engine, tokenizer: built.tokenizer, task: built.task, verify, runDir, base });
  let res;
  try {
    res = await built.trainer.run();
  } finally {
    await built.dispose();
  }
  say(`train: ${res.stoppedBy} at step ${res.step}; checkpoint ${res.checkpoint ?? '(none)'}; metrics ${runDir}/metrics.jsonl`);
  if (res.stoppedBy !== 'done') return res.stoppedBy === 'signal' ? 130 : 1;

  markRunDone(runDir, { step: res.step, recipe: recipe.run.name });
  if (base && res.checkpoint) {
    say('eval: final checkpoint');
    const final = await evaluateCheckpoint(recipe, res.checkpoint, { label: 'final', base, runDir });
    const report = await writeRunReport(runDir);
    console.log(`\n${recipe.run.name}: before → after (${((performance.now() - t0) / 60_000).toFixed(1)} min in all)\n`);
    console.log(formatBeforeAfter(base, final));
    console.log(`\nreport: ${report}\nrun:    ${runDir}`);
  }
  return 0;
}

type Progress = 'auto' | 'bar' | 'lines' | 'silent';

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
        const progress = ['auto', 'bar', 'lines', 'silent'].includes(opts.progress) ? (opts.progress as Progress) : 'auto';
        process.exitCode = await trainWithEvals(recipe, { resume: opts.resume === true, progress, evaluate: opts.eval });
      }),
    );
}
