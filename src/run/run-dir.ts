/**
 * Opening a run directory for training, before anything is evaluated or
 * written, with the rules that keep a run's results its own:
 *
 * - A fresh start into a directory that holds a run (metrics, checkpoints or
 *   done.json) is refused (exit 2) without touching it; `overwrite` moves the
 *   old run aside to `<runDir>.replaced-<time>` first. (Starting over used to
 *   clear metrics.jsonl but not checkpoints/, and pruning then deleted the
 *   new run's checkpoints and reported the old model.)
 * - `resume` needs a valid checkpoint, checked here, not after the base eval.
 * - Resuming with a recipe that differs from `<runDir>/recipe.yaml` is
 *   refused with the changed keys, unless `allowRecipeChange` (the change is
 *   then returned, for metrics.jsonl and the report).
 * - An exclusive lock (run-lock.ts) is held until `release()`.
 *
 * `resume: 'if-checkpoint'` is for callers that own their run directories
 * (`brevity ab`, frontier): resume when the directory has checkpoints, start
 * fresh when it has none (a run killed before its first checkpoint).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../model/atomic.ts';
import { diffRecipes, formatChange, type RecipeChange } from '../recipe/diff.ts';
import { UsageError } from '../recipe/errors.ts';
import { latestCheckpoint, stepDirs } from '../train/checkpoint.ts';
import { acquireRunLock, assertUnlocked } from './run-lock.ts';

export const RECIPE_FILE = 'recipe.yaml';

export interface OpenRunOptions {
  resume: boolean | 'if-checkpoint';
  overwrite?: boolean;
  allowRecipeChange?: boolean;
  /** The resolved recipe as YAML (written on a fresh start, compared on resume). */
  recipeText: string;
  log?: (s: string) => void;
  /** Shown in the lock file. */
  command?: string;
}

export interface OpenRun {
  runDir: string;
  /** Continue from the newest valid checkpoint. */
  resume: boolean;
  /** The checkpoint a resume will start from (null on a fresh start). */
  checkpoint: string | null;
  /** Settings changed since the run started (only with allowRecipeChange). */
  recipeChanges: RecipeChange[];
  release(): void;
}

/** What makes a directory "hold a run": anything a fresh start would lose or confuse. */
export function runContents(runDir: string): string[] {
  const found: string[] = [];
  const metrics = path.join(runDir, 'metrics.jsonl');
  if (existsSync(metrics) && statSync(metrics).size > 0) found.push('metrics.jsonl');
  const steps = stepDirs(runDir);
  if (steps.length) found.push(`${steps.length} checkpoint${steps.length > 1 ? 's' : ''} (newest ${steps[steps.length - 1].name})`);
  if (existsSync(path.join(runDir, 'done.json'))) found.push('done.json');
  return found;
}

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-');

export function openRunDir(runDir: string, o: OpenRunOptions): OpenRun {
  const log = o.log ?? ((s: string) => process.stderr.write(`${s}\n`));
  assertUnlocked(runDir);
  const held = runContents(runDir);
  const hasSteps = stepDirs(runDir).length > 0;
  const resume = o.resume === 'if-checkpoint' ? hasSteps : o.resume;
  let checkpoint: string | null = null;
  let recipeChanges: RecipeChange[] = [];

  if (!resume) {
    if (held.length && o.resume !== 'if-checkpoint') {
      if (!o.overwrite) {
        throw new UsageError(
          `${runDir} already holds a run (${held.join(', ')}); a fresh start would mix the two.\n` +
            `  Continue it:          --resume\n` +
            `  Keep it, train anew:  --set run.name=<another name>\n` +
            `  Replace it:           --overwrite (moves it aside to ${path.basename(runDir)}.replaced-<time>/)`,
        );
      }
      const aside = `${runDir}.replaced-${stamp()}`;
      renameSync(runDir, aside);
      log(`--overwrite: moved the earlier run to ${aside}`);
    }
  } else {
    const skipped: string[] = [];
    checkpoint = latestCheckpoint(runDir, (d, why) => skipped.push(`${path.basename(d)} (${why})`));
    if (!checkpoint) {
      throw new UsageError(
        `--resume: no valid checkpoint under ${path.join(runDir, 'checkpoints')}` +
          (skipped.length ? ` (damaged: ${skipped.join('; ')})` : ' (nothing to resume)') +
          `; start without --resume${held.length ? ' and with --overwrite' : ''}`,
      );
    }
    const recipeFile = path.join(runDir, RECIPE_FILE);
    if (existsSync(recipeFile)) {
      recipeChanges = diffRecipes(readFileSync(recipeFile, 'utf8'), o.recipeText);
      if (recipeChanges.length && !o.allowRecipeChange) {
        throw new UsageError(
          `--resume: the recipe differs from ${recipeFile}, the one the run started with:\n` +
            recipeChanges.map((c) => `    ${formatChange(c)}`).join('\n') +
            `\n  An exact resume needs the same settings: undo the change, train a new run (--set run.name=…),\n` +
            `  or pass --allow-recipe-change (the change is recorded in metrics.jsonl and the report).`,
        );
      }
    }
  }

  mkdirSync(runDir, { recursive: true });
  const lock = acquireRunLock(runDir, { log, command: o.command });
  if (!resume || recipeChanges.length || !existsSync(path.join(runDir, RECIPE_FILE))) {
    writeFileAtomic(path.join(runDir, RECIPE_FILE), o.recipeText);
  }
  if (recipeChanges.length) log(`--allow-recipe-change: resuming with ${recipeChanges.length} changed setting(s): ${recipeChanges.map(formatChange).join('; ')}`);
  return { runDir, resume, checkpoint, recipeChanges, release: lock.release };
}
