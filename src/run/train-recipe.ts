/**
 * Training a recipe as a run: `trainRecipe` (train only, for `brevity ab` and
 * the frontier suite) and `trainWithEvals` (what `brevity train` does).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { EvalResult } from '../eval/evaluate.ts';
import type { Recipe } from '../recipe/index.ts';
import { toYaml } from '../recipe/to-yaml.ts';

export const PROGRESS_MODES = ['auto', 'bar', 'lines', 'silent'] as const;
export type Progress = (typeof PROGRESS_MODES)[number];

/**
 * Train a loaded recipe into `runDir` (for `brevity ab` and the quickstart).
 * `resume` continues from the newest checkpoint when there is one (a fresh
 * start otherwise). Resolves with the last completed step.
 */
export async function trainRecipe(recipe: Recipe, opts: { runDir: string; resume: boolean; progress?: Progress }): Promise<{ step: number; stoppedBy: string }> {
  const { buildTrainer } = await import('./build-trainer.ts');
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
export async function trainWithEvals(recipe: Recipe, o: { resume: boolean; progress: Progress; evaluate: boolean }): Promise<number> {
  const { buildTrainer } = await import('./build-trainer.ts');
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

