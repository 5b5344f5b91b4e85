/**
 * Evaluation every `eval.every` training steps, on the live rollout engine
 * (its weights are refreshed at the end of each step), written to
 * `<runDir>/evals/step-NNNNNN.json|csv` where `brevity report` draws one
 * accuracy–tokens curve per checkpoint. Hook it into the trainer's `onStep`.
 */
import { join } from 'node:path';
import type { Tokenizer } from '../model/tokenizer.ts';
import type { Recipe } from '../recipe/schema.ts';
import type { RolloutEngine } from '../rollout/types.ts';
import type { Task } from '../tasks/types.ts';
import { evaluate } from './evaluate.ts';
import type { EvalResult, VerifyFn } from './evaluate.ts';
import { writeEvalResult } from './write-results.ts';
import { evalFingerprint } from './evaluate-recipe.ts';
import { RecordLog } from './record-log.ts';

export interface StepEvaluatorOptions {
  eval: Recipe['eval'];
  engine: RolloutEngine;
  tokenizer: Tokenizer;
  task: Task;
  verify: VerifyFn;
  runDir: string;
  /** Compare each step's curve with this (e.g. the base model's evaluation). */
  base?: EvalResult;
}

export const stepLabel = (step: number) => `step-${String(step).padStart(6, '0')}`;

/** Returns onStep(step): evaluates when every > 0 and step is a multiple of it; resolves to the result or null. */
export function makeStepEvaluator(o: StepEvaluatorOptions): (step: number) => Promise<EvalResult | null> {
  const e = o.eval;
  return async (step) => {
    if (e.every <= 0 || step % e.every !== 0) return null;
    const label = stepLabel(step);
    const stem = join(o.runDir, 'evals', label);
    // The live engine holds step `step`'s weights: the step identifies the model within this run.
    const records = RecordLog.open(`${stem}.records.jsonl`, evalFingerprint(`live:${label}`, o.task.name, e));
    const r = await evaluate({
      records,
      engine: o.engine, tokenizer: o.tokenizer, task: o.task, verify: o.verify, model: label, budgets: e.budgets, samplesPerProblem: e.samplesPerProblem,
      temperature: e.temperature, testSize: e.testSize, passK: e.passK.filter((k) => k <= e.samplesPerProblem), seed: e.seed,
      answerTokens: e.answerTokens, bootstrap: { resamples: e.bootstrap, seed: e.seed }, aes: e.aes, base: o.base,
    });
    writeEvalResult(stem, r);
    return r;
  };
}
