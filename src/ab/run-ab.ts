/**
 * `brevity ab`: recipes × seeds, trained with bounded concurrency (p-queue),
 * each run resumable and skipped when complete (done.json), then every run's
 * final policy evaluated on the same test problems with the same eval seeds,
 * and the arms compared (compare.ts). Training and evaluation are injected
 * (`AbHooks`) so the orchestration is testable without a model.
 *
 * Layout: <dir>/<arm>/seed-<s>/ (a normal run directory + done.json +
 * eval.json/csv), <dir>/ab.json, <dir>/ab.md.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import PQueue from 'p-queue';
import type { EvalResult } from '../eval/evaluate.ts';
import { readEvalResult, writeEvalResult } from '../eval/write-results.ts';
import type { BootstrapOptions } from '../eval/stats.ts';
import type { Recipe } from '../recipe/schema.ts';
import { compareArms, formatAbTable } from './compare.ts';
import type { AbRow, ArmEvals } from './compare.ts';
import { isRunDone, markRunDone } from './run-state.ts';

export interface AbArm {
  /** Unique, directory-safe (the recipe's run.name by default). */
  name: string;
  recipe: Recipe;
}

export interface AbRun {
  arm: string;
  seed: number;
  /** The arm's recipe with train.seed = seed and run.* pointing at runDir. */
  recipe: Recipe;
  runDir: string;
  /** The directory has an unfinished run: continue from its newest checkpoint. */
  resume: boolean;
}

export interface AbHooks {
  /**
   * Train one run to completion in run.runDir (resuming when run.resume).
   * Returns the last step; `stoppedBy` other than 'done' (a signal) leaves the
   * run unmarked and stops the A/B, so a rerun resumes it.
   */
  train(run: AbRun): Promise<{ step: number; stoppedBy?: string }>;
  /** Evaluate the run's final policy on the shared eval settings. */
  evaluate(run: AbRun): Promise<EvalResult>;
}

export interface AbOptions {
  arms: readonly AbArm[];
  /** Training seeds, e.g. [0, 1]. */
  seeds: readonly number[];
  dir: string;
  hooks: AbHooks;
  /** Runs trained at once. 1 on a 2-core machine: runs are CPU-bound. */
  concurrency?: number;
  bootstrap?: BootstrapOptions;
  log?: (msg: string) => void;
}

export interface AbResult {
  dir: string;
  runs: { arm: string; seed: number; runDir: string; trained: boolean; evaluated: boolean }[];
  budgets: number[];
  rows: AbRow[];
  table: string;
}

/** The recipe a single A/B run trains: the arm's, with its seed and directory. */
export function runRecipe(arm: AbArm, seed: number, dir: string): Recipe {
  return {
    ...arm.recipe,
    train: { ...arm.recipe.train, seed },
    run: { ...arm.recipe.run, name: `${arm.name}-seed-${seed}`, outputDir: join(dir, arm.name) },
  };
}

/** Arms must be compared on one test set: same task and eval settings (budgets may differ; the shared ones are compared). */
export function checkComparable(arms: readonly AbArm[]): void {
  const names = new Set<string>();
  for (const a of arms) {
    if (names.has(a.name)) throw new Error(`A/B: two arms are named "${a.name}"; arms need distinct run.name (use --set run.name=…)`);
    names.add(a.name);
  }
  const [first, ...rest] = arms;
  for (const a of rest) {
    for (const key of ['task', 'eval'] as const) {
      const x = JSON.stringify(key === 'eval' ? { ...first.recipe.eval, budgets: null } : first.recipe[key]);
      const y = JSON.stringify(key === 'eval' ? { ...a.recipe.eval, budgets: null } : a.recipe[key]);
      if (x !== y) throw new Error(`A/B: arms ${first.name} and ${a.name} differ in "${key}:"; a paired comparison needs the same test problems and eval settings`);
    }
  }
}

export async function runAb(o: AbOptions): Promise<AbResult> {
  if (o.arms.length === 0) throw new Error('A/B: give at least one recipe');
  checkComparable(o.arms);
  const log = o.log ?? (() => {});
  mkdirSync(o.dir, { recursive: true });
  const queue = new PQueue({ concurrency: o.concurrency ?? 1 });
  const runs: AbResult['runs'] = [];
  const evals = new Map<string, ArmEvals>(o.arms.map((a) => [a.name, { arm: a.name, bySeed: [] }]));
  const jobs = o.arms.flatMap((arm) =>
    o.seeds.map((seed) =>
      queue.add(async () => {
        const runDir = join(o.dir, arm.name, `seed-${seed}`);
        const run: AbRun = { arm: arm.name, seed, recipe: runRecipe(arm, seed, o.dir), runDir, resume: existsSync(runDir) };
        const entry = { arm: arm.name, seed, runDir, trained: false, evaluated: false };
        runs.push(entry);
        if (isRunDone(runDir)) log(`${arm.name} seed ${seed}: complete, skipped`);
        else {
          log(`${arm.name} seed ${seed}: ${run.resume ? 'resuming' : 'training'} in ${runDir}`);
          mkdirSync(runDir, { recursive: true });
          const { step, stoppedBy } = await o.hooks.train(run);
          if (stoppedBy !== undefined && stoppedBy !== 'done') {
            throw new Error(`${arm.name} seed ${seed}: training stopped (${stoppedBy}) at step ${step}; rerun the A/B to resume it`);
          }
          markRunDone(runDir, { step, arm: arm.name, seed });
          entry.trained = true;
        }
        const evalFile = join(runDir, 'eval.json');
        let result: EvalResult;
        if (existsSync(evalFile) && !entry.trained) result = readEvalResult(evalFile);
        else {
          result = await o.hooks.evaluate(run);
          writeEvalResult(join(runDir, 'eval'), result);
          entry.evaluated = true;
        }
        evals.get(arm.name)!.bySeed.push({ seed, result });
      }),
    ),
  );
  await Promise.all(jobs);
  for (const e of evals.values()) e.bySeed.sort((a, b) => a.seed - b.seed);
  runs.sort((a, b) => o.arms.findIndex((x) => x.name === a.arm) - o.arms.findIndex((x) => x.name === b.arm) || a.seed - b.seed);
  const armEvals = o.arms.map((a) => evals.get(a.name)!);
  const budgets = armEvals[0].bySeed[0].result.budgets
    .map((b) => b.budget)
    .filter((b) => armEvals.every((a) => a.bySeed.every((s) => s.result.budgets.some((x) => x.budget === b))));
  const rows = compareArms(armEvals, budgets, o.bootstrap);
  const table = formatAbTable(rows);
  writeFileSync(join(o.dir, 'ab.json'), `${JSON.stringify({ arms: o.arms.map((a) => a.name), seeds: o.seeds, budgets, runs, rows }, null, 1)}\n`);
  writeFileSync(join(o.dir, 'ab.md'), `${table}\n`);
  return { dir: o.dir, runs, budgets, rows, table };
}
