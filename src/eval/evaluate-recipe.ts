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
  /** Evaluate on these problems instead of the first eval.testSize of the task's test split (e.g. a validation split). */
  problems?: readonly Problem[];
}

export async function evaluateCheckpoint(recipe: Recipe, checkpointDir: string, o: EvaluateCheckpointOptions): Promise<EvalResult> {
  const e = recipe.eval;
  const { engine, tokenizer } = await openModel(checkpointDir, { engine: o.engine });
  try {
    const r = await evaluate({
      engine, tokenizer, verify, task: taskFromSection(recipe.task), model: o.label, budgets: e.budgets, samplesPerProblem: e.samplesPerProblem,
      temperature: e.temperature, testSize: e.testSize, passK: e.passK.filter((k) => k <= e.samplesPerProblem), seed: e.seed,
      answerTokens: e.answerTokens, bootstrap: { resamples: e.bootstrap, seed: e.seed }, aes: e.aes, base: o.base, onProgress: o.onProgress, problems: o.problems,
    });
    if (o.runDir) writeEvalResult(join(o.runDir, 'evals', o.label.replace(/[^\w.-]+/g, '_')), r);
    return r;
  } finally {
    await engine.dispose();
  }
}
