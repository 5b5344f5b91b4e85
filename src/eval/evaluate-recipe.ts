/**
 * Evaluate a checkpoint directory with a recipe's task and eval settings —
 * what the quickstart (before/after) and A/B arms use. Results for a run go
 * to `<runDir>/evals/<label>.json|csv`, where `brevity report` finds them.
 */
import { join } from 'node:path';
import type { Recipe } from '../recipe/schema.ts';
import type { Problem } from '../tasks/types.ts';
import { verify } from '../verify/index.ts';
import { evaluate } from './evaluate.ts';
import type { EvalResult } from './evaluate.ts';
import { openModel } from './open-model.ts';
import { RecordLog } from './record-log.ts';
import { taskFromSection } from './open-task.ts';
import { writeEvalResult } from './write-results.ts';

export interface EvaluateCheckpointOptions {
  /** Label stored in the result and used as the file name under evals/. */
  label: string;
  /** Compare against this result (length reduction, Δacc, AES per budget). */
  base?: EvalResult;
  /** When given, write `<runDir>/evals/<label>.json` and `.csv`. */
  runDir?: string;
  engine?: 'auto' | 'llama-cpp' | 'tfjs';
  onProgress?: (done: number, total: number) => void;
  log?: (s: string) => void;
  /** Evaluate on these problems instead of the first eval.testSize of the task's test split (e.g. a validation split). */
  problems?: readonly Problem[];
  /** Appended to every prompt (e.g. L1's requested length). */
  promptSuffix?: string;
}

/**
 * What identifies an evaluation for resuming it from its records: everything
 * that changes a record (records are also matched by problem id one by one).
 */
export function evalFingerprint(model: string, taskName: string, e: Recipe['eval'], problems?: readonly Problem[]): Record<string, unknown> {
  return {
    model, task: taskName, testSize: e.testSize, samplesPerProblem: e.samplesPerProblem, temperature: e.temperature, seed: e.seed, answerTokens: e.answerTokens,
    ...(problems ? { problems: problems.map((p) => p.id) } : {}),
  };
}

export async function evaluateCheckpoint(recipe: Recipe, checkpointDir: string, o: EvaluateCheckpointOptions): Promise<EvalResult> {
  const e = recipe.eval;
  const { engine, tokenizer, fingerprint } = await openModel(checkpointDir, { engine: o.engine });
  const task = taskFromSection(recipe.task);
  const stem = o.runDir ? join(o.runDir, 'evals', o.label.replace(/[^\w.-]+/g, '_')) : null;
  const records = stem ? RecordLog.open(`${stem}.records.jsonl`, evalFingerprint(fingerprint, task.name, e, o.problems), o.log) : undefined;
  try {
    const r = await evaluate({
      records,
      engine, tokenizer, verify, task, model: o.label, budgets: e.budgets, samplesPerProblem: e.samplesPerProblem,
      temperature: e.temperature, testSize: e.testSize, passK: e.passK.filter((k) => k <= e.samplesPerProblem), seed: e.seed,
      answerTokens: e.answerTokens, bootstrap: { resamples: e.bootstrap, seed: e.seed }, aes: e.aes, base: o.base, onProgress: o.onProgress, problems: o.problems, promptSuffix: o.promptSuffix,
    });
    if (stem) writeEvalResult(stem, r);
    return r;
  } finally {
    await engine.dispose();
  }
}
