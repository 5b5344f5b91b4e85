/**
 * `brevity frontier SUITE`: the frontier study, one arm after another so
 * that finished arms are complete results while the suite is still running.
 * For each arm:
 *   1. grid: train on the grid seed at every learning rate, evaluate each on
 *      the validation split (never the test split);
 *   2. select the learning rate by the suite's declared rule (selection.json);
 *   3. train the other seeds at the selected rate (the grid run is that
 *      seed's final run) and evaluate every final run once on the test split.
 * Then summarise (summary.ts). Every step is skipped when its output exists
 * (done.json, val.json, test.json), and an interrupted run resumes from its
 * newest checkpoint, so a killed suite continues where it stopped.
 *
 * Layout: <runs>/<arm>/lr-<lr>/seed-<s>/ (run directory, checkpoints),
 * <results>/ (committed: base evals, selection.json, per-run eval and
 * metrics summaries, ab.json, report).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { EvalResult } from '../eval/evaluate.ts';
import { readEvalResult, writeEvalResult } from '../eval/write-results.ts';
import type { Recipe } from '../recipe/index.ts';
import type { Problem } from '../tasks/types.ts';
import { isRunDone, markRunDone } from '../ab/run-state.ts';
import { armRecipe, lrLabel, type LoadedSuite, type SuiteArm } from './suite.ts';
import { selectLr, type Selection } from './select.ts';
import { summarizeRunMetrics } from './run-metrics.ts';
import { validationProblems } from './validation.ts';

/** Per (requested target, test problem): the produced length and correctness. */
export interface LengthFollowing {
  suffix: string;
  samples: { target: number; tokens: number; correct: number }[];
}

export interface FrontierHooks {
  train(recipe: Recipe, runDir: string, resume: boolean): Promise<{ step: number; stoppedBy: string }>;
  evaluate(recipe: Recipe, checkpointDir: string, label: string, opts?: { problems?: readonly Problem[]; promptSuffix?: string }): Promise<EvalResult>;
  latestCheckpoint(runDir: string): string | null;
}

export interface FrontierOptions {
  loaded: LoadedSuite;
  hooks: FrontierHooks;
  /** Only these arms (default all). */
  only?: readonly string[];
  log?: (s: string) => void;
}

export class FrontierStopped extends Error {}

const runDirOf = (s: LoadedSuite, arm: string, lr: number, seed: number) => path.join(s.suite.runs, arm, `lr-${lrLabel(lr)}`, `seed-${seed}`);

function cached(file: string, make: () => Promise<EvalResult>): Promise<EvalResult> {
  if (existsSync(file)) return Promise.resolve(readEvalResult(file));
  return make().then((r) => {
    writeEvalResult(file.replace(/\.json$/, ''), r);
    return r;
  });
}

export async function runFrontier(o: FrontierOptions): Promise<void> {
  const { loaded, hooks } = o;
  const { suite } = loaded;
  const log = o.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  const arms = suite.arms.filter((a) => !o.only || o.only.includes(a.name));
  const res = suite.results;
  mkdirSync(path.join(res, 'runs'), { recursive: true });

  // The committed results are the record of what is finished (run directories may be gone, e.g. in a
  // fresh clone): a grid run is finished when its validation result is there, a final run when its
  // test evaluation and metrics are. Progress counts the runs still to train.
  const valFile = (arm: string, lr: number) => path.join(res, 'runs', `${arm}.lr-${lrLabel(lr)}.val.json`);
  const finalStem = (arm: string, seed: number) => path.join(res, 'runs', `${arm}.seed-${seed}`);
  const isL1 = (arm: SuiteArm) => armRecipe(loaded, arm, suite.grid.lr[0], suite.grid.seed).budget.type === 'l1';
  const finalFiles = (arm: SuiteArm, seed: number) => ['eval', 'metrics', ...(isL1(arm) ? ['l1'] : [])].map((k) => `${finalStem(arm.name, seed)}.${k}.json`);
  const finalDone = (arm: SuiteArm, seed: number) => finalFiles(arm, seed).every((f) => existsSync(f));
  const pending = arms.flatMap((a) => [
    ...suite.grid.lr.filter((lr) => !existsSync(valFile(a.name, lr))),
    ...suite.seeds.filter((s) => s !== suite.grid.seed && !finalDone(a, s)),
  ]);
  let left = pending.length;
  const times: number[] = [];
  const eta = () => {
    if (times.length === 0) return 'ETA after the first run';
    const per = times.reduce((x, y) => x + y, 0) / times.length;
    return `~${(per / 60).toFixed(1)} min a run, ETA ${((per * left) / 3600).toFixed(1)} h (${left} runs left)`;
  };

  const control = suite.arms.find((a) => a.name === suite.control)!;
  const baseRecipe = armRecipe(loaded, control, suite.grid.lr[0], suite.grid.seed);
  const valProblems = validationProblems(baseRecipe, suite.validation);
  const valRecipe = (r: Recipe): Recipe => ({ ...r, eval: { ...r.eval, budgets: [suite.validation.budget] } });
  log(`frontier: ${arms.length} arms × ${suite.seeds.length} seeds, lr grid [${suite.grid.lr.map(lrLabel).join(', ')}] on seed ${suite.grid.seed}, ${pending.length} runs to train`);
  await cached(path.join(res, 'base', 'test.json'), () => hooks.evaluate(baseRecipe, baseRecipe.model.checkpoint, 'base'));
  await cached(path.join(res, 'base', 'val.json'), () => hooks.evaluate(valRecipe(baseRecipe), baseRecipe.model.checkpoint, 'base/val', { problems: valProblems }));

  const trainRun = async (arm: SuiteArm, lr: number, seed: number): Promise<string> => {
    const runDir = runDirOf(loaded, arm.name, lr, seed);
    if (isRunDone(runDir)) return runDir;
    const recipe = armRecipe(loaded, arm, lr, seed);
    const resume = hooks.latestCheckpoint(runDir) !== null;
    if (!resume && existsSync(runDir)) {
      // Started but without a valid checkpoint (killed before its first save, or damaged): nothing to
      // resume. Kept aside for inspection; the run starts over (training is deterministic in its seed).
      const aside = `${runDir}.unusable-${Date.now()}`;
      renameSync(runDir, aside);
      log(`frontier: ${runDir} has no valid checkpoint to resume; moved to ${aside}, starting over`);
    }
    log(`frontier: ${arm.name} lr ${lrLabel(lr)} seed ${seed}: ${resume ? 'resuming' : 'training'} (${eta()})`);
    const t0 = performance.now();
    mkdirSync(runDir, { recursive: true });
    const { step, stoppedBy } = await hooks.train(recipe, runDir, resume);
    if (stoppedBy !== 'done') throw new FrontierStopped(`${arm.name} lr ${lrLabel(lr)} seed ${seed}: training stopped (${stoppedBy}) at step ${step}; rerun the suite to resume it`);
    markRunDone(runDir, { step, arm: arm.name, lr, seed });
    times.push((performance.now() - t0) / 1000);
    left--;
    return runDir;
  };
  const checkpointOf = (runDir: string) => {
    const ck = hooks.latestCheckpoint(runDir);
    if (!ck) throw new Error(`${runDir}: done but no checkpoint to evaluate`);
    return ck;
  };

  /**
   * L1's claim: the length follows the budget stated in the prompt. The final policy answers the
   * first l1.problems test problems once per requested target (uncapped), prompted as in training.
   */
  const lengthFollowing = async (recipe: Recipe, ck: string, label: string): Promise<LengthFollowing> => {
    const budget = Math.max(...recipe.eval.budgets);
    const suffix = (recipe.budget as { suffix: string }).suffix;
    const samples: LengthFollowing['samples'] = [];
    for (const target of suite.l1.targets) {
      const r = await hooks.evaluate({ ...recipe, eval: { ...recipe.eval, budgets: [budget], testSize: suite.l1.problems } }, ck, `${label}/target-${target}`, { promptSuffix: suffix.replaceAll('{n}', String(target)) });
      for (const rec of r.budgets[0].records) samples.push({ target, tokens: rec.tokens / rec.samples, correct: rec.correct / rec.samples });
    }
    return { suffix, samples };
  };

  for (const arm of arms) {
    const vals: { lr: number; result: EvalResult }[] = [];
    for (const lr of suite.grid.lr) {
      if (!existsSync(valFile(arm.name, lr))) {
        const runDir = await trainRun(arm, lr, suite.grid.seed);
        const recipe = valRecipe(armRecipe(loaded, arm, lr, suite.grid.seed));
        await cached(path.join(runDir, 'val.json'), () => hooks.evaluate(recipe, checkpointOf(runDir), `${arm.name}/lr-${lrLabel(lr)}/val`, { problems: valProblems }));
        writeAtomic(valFile(arm.name, lr), readFileSync(path.join(runDir, 'val.json'), 'utf8'));
      }
      vals.push({ lr, result: readEvalResult(valFile(arm.name, lr)) });
    }
    const sel = selectLr(suite.selection, vals, suite.validation.budget);
    recordSelection(res, arm.name, sel);
    log(`frontier: ${arm.name}: selected lr ${lrLabel(sel.lr)} (${sel.scores.map((s) => `${lrLabel(s.lr)}: ${s.score.toFixed(4)}`).join(', ')})`);
    for (const seed of suite.seeds) {
      if (finalDone(arm, seed)) continue;
      // seed = grid seed: the grid run at the selected lr (retrained, identically, if its directory is gone)
      const runDir = await trainRun(arm, sel.lr, seed);
      const recipe = armRecipe(loaded, arm, sel.lr, seed);
      await cached(path.join(runDir, 'test.json'), () => hooks.evaluate(recipe, checkpointOf(runDir), `${arm.name}/seed-${seed}`));
      const stem = finalStem(arm.name, seed);
      writeAtomic(`${stem}.eval.json`, readFileSync(path.join(runDir, 'test.json'), 'utf8'));
      writeAtomic(`${stem}.metrics.json`, `${JSON.stringify(summarizeRunMetrics(path.join(runDir, 'metrics.jsonl')))}\n`);
      if (isL1(arm)) writeAtomic(`${stem}.l1.json`, `${JSON.stringify(await lengthFollowing(recipe, checkpointOf(runDir), `${arm.name}/seed-${seed}`))}\n`);
    }
    log(`frontier: ${arm.name}: complete`);
  }
}

/** Results files mark work as finished, so each appears whole or not at all (tmp + rename). */
function writeAtomic(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

function recordSelection(res: string, arm: string, sel: Selection): void {
  const file = path.join(res, 'selection.json');
  const all = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, Selection>) : {};
  all[arm] = sel;
  writeAtomic(file, `${JSON.stringify(all, null, 1)}\n`);
}
