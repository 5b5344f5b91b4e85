/**
 * Training a recipe as a run: `trainRecipe` (train only, for `brevity ab` and
 * the frontier suite) and `trainWithEvals` (what `brevity train` does).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { EvalResult } from '../eval/evaluate.ts';
import type { Recipe } from '../recipe/index.ts';
import { formatChange, type RecipeChange } from '../recipe/diff.ts';
import { toYaml } from '../recipe/to-yaml.ts';
import { MetricsWriter } from '../train/metrics.ts';

export const PROGRESS_MODES = ['auto', 'bar', 'lines', 'silent'] as const;
export type Progress = (typeof PROGRESS_MODES)[number];

/**
 * Train a loaded recipe into `runDir` (for `brevity ab` and the frontier
 * suite). Those callers own their run directories (one per arm and seed under
 * the suite's folder; a finished run is skipped by its done.json), so a
 * directory with checkpoints is always resumed from its newest valid one and
 * one without is started afresh — `resume` is what the caller expects, and is
 * not needed to decide. A directory whose checkpoints are all damaged, a
 * changed recipe (unless `allowRecipeChange`) and a directory locked by
 * another training are refused (UsageError). Resolves with the last completed
 * step.
 */
export async function trainRecipe(
  recipe: Recipe,
  opts: { runDir: string; resume: boolean; progress?: Progress; allowRecipeChange?: boolean },
): Promise<{ step: number; stoppedBy: string }> {
  const { buildTrainer } = await import('./build-trainer.ts');
  const { openRunDir } = await import('./run-dir.ts');
  const run = openRunDir(opts.runDir, {
    resume: 'if-checkpoint', allowRecipeChange: opts.allowRecipeChange, recipeText: toYaml(recipe), command: `train ${recipe.run.name}`,
  });
  try {
    const built = await buildTrainer(recipe, { runDir: opts.runDir, resume: run.resume, progress: opts.progress, onResume: (step) => recordRecipeChanges(opts.runDir, step, run.recipeChanges) });
    try {
      const res = await built.trainer.run();
      if (res.stoppedBy === 'non-finite') throw new Error(`training ${opts.runDir} stopped on repeated NaN/Inf at step ${res.step}`);
      return res;
    } finally {
      await built.dispose();
    }
  } finally {
    run.release();
  }
}

/** An accepted recipe change goes into metrics.jsonl as an event line at the step it applies from (the report lists it). */
function recordRecipeChanges(runDir: string, step: number, changes: RecipeChange[]): void {
  if (changes.length) MetricsWriter.appendEvent(runDir, { step, event: 'recipe-change', changes: changes.map(formatChange) });
}

export interface TrainOptions {
  resume: boolean;
  progress: Progress;
  evaluate: boolean;
  /** Move an earlier run in the directory aside instead of refusing. */
  overwrite?: boolean;
  allowRecipeChange?: boolean;
}

/**
 * What `brevity train` (and so `npm start`) does: open the run directory
 * (lock, refusal rules, resume check — before any evaluation), evaluate the
 * starting model (`evals/base`, reused on --resume; a killed evaluation
 * resumes from its records), train with `eval.every` evaluations on the live
 * engine, evaluate the final checkpoint against the base, mark the run done,
 * write the HTML report and print the before/after table. Returns the process
 * exit code.
 */
export async function trainWithEvals(recipe: Recipe, o: TrainOptions): Promise<number> {
  const { openRunDir } = await import('./run-dir.ts');
  const say = (s: string) => process.stderr.write(`${s}\n`);
  const runDir = path.join(recipe.run.outputDir, recipe.run.name);
  const t0 = performance.now();
  // First, before the heavy modules load: a refused directory answers at once.
  const run = openRunDir(runDir, {
    resume: o.resume, overwrite: o.overwrite, allowRecipeChange: o.allowRecipeChange, recipeText: toYaml(recipe), log: say, command: `brevity train ${recipe.run.name}`,
  });
  try {
    const { buildTrainer } = await import('./build-trainer.ts');
    const { evaluateCheckpoint } = await import('../eval/evaluate-recipe.ts');
    const { makeStepEvaluator, stepLabel } = await import('../eval/step-evaluator.ts');
    const { readEvalResult } = await import('../eval/write-results.ts');
    const { formatBeforeAfter, formatEvalTable } = await import('../eval/print.ts');
    const { markRunDone } = await import('../ab/run-state.ts');
    const { writeRunReport } = await import('../report/run-report.ts');
    const { verify } = await import('../verify/index.ts');
    let base: EvalResult | undefined;
    if (o.evaluate) {
      const baseFile = path.join(runDir, 'evals', 'base.json');
      if (run.resume && existsSync(baseFile)) base = readEvalResult(baseFile);
      else {
        say(`eval: starting model ${recipe.model.checkpoint} on ${recipe.eval.testSize} test problems, budgets ${recipe.eval.budgets.join(', ')}`);
        base = await evaluateCheckpoint(recipe, recipe.model.checkpoint, { label: 'base', runDir, log: say });
        say(formatEvalTable(base));
      }
    }

    let stepEval: ((step: number) => Promise<unknown>) | undefined;
    const onResume = async (step: number) => {
      recordRecipeChanges(runDir, step, run.recipeChanges);
      // A kill during the evaluation after step N's checkpoint: redo it (its records make this cheap).
      if (stepEval && !existsSync(path.join(runDir, 'evals', `${stepLabel(step)}.json`))) await stepEval(step);
    };
    const built = await buildTrainer(recipe, { runDir, resume: run.resume, progress: o.progress, onStep: async (step) => { await stepEval?.(step); }, onResume });
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
      const final = await evaluateCheckpoint(recipe, res.checkpoint, { label: 'final', base, runDir, log: say });
      const report = await writeRunReport(runDir);
      console.log(`\n${recipe.run.name}: before → after (${((performance.now() - t0) / 60_000).toFixed(1)} min in all)\n`);
      console.log(formatBeforeAfter(base, final));
      console.log(`\nreport: ${report}\nrun:    ${runDir}`);
    }
    return 0;
  } finally {
    run.release();
  }
}
