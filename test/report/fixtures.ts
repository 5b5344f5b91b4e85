/** A run directory and an A/B directory built from the fake engine (no model needed). */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAb } from '../../src/ab/run-ab.ts';
import { evaluate } from '../../src/eval/evaluate.ts';
import { writeEvalResult } from '../../src/eval/write-results.ts';
import { loadBrevityRecipe } from '../../src/recipe/index.ts';
import { charTokenizer, fakeVerify, makeFakeEngine, task } from '../eval/fakes.ts';

const root = new URL('../..', import.meta.url).pathname;
const evalAt = (scale: number, model: string) =>
  evaluate({ engine: makeFakeEngine(scale), task, tokenizer: charTokenizer, verify: fakeVerify, budgets: [16, 32, 64], samplesPerProblem: 2, temperature: 1, passK: [1, 2], model, bootstrap: { resamples: 200 } });

export function metricsRows(steps: number, shrink: number): Record<string, number>[] {
  return Array.from({ length: steps }, (_, i) => ({
    step: i + 1, 'reward/mean': 0.4 + 0.02 * i, accuracy: 0.5 + 0.01 * i, 'length/mean': 60 - shrink * i, 'length/correct_mean': 50 - shrink * i,
    'length/wrong_mean': 70 - shrink * i, 'length/truncated_ratio': 0.3 - 0.01 * i, 'kl/ref': 0.001 * i, 'kl/old': 0, 'entropy/mean': 1.2 - 0.02 * i,
  }));
}

export async function makeRunDir(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'brevity-run-'));
  mkdirSync(join(dir, 'evals'));
  writeFileSync(join(dir, 'metrics.jsonl'), metricsRows(10, 2).map((r) => JSON.stringify(r)).join('\n') + '\n');
  const base = await evalAt(1, 'base');
  writeEvalResult(join(dir, 'evals', 'base'), base);
  const after = await evaluate({ engine: makeFakeEngine(0.5), task, tokenizer: charTokenizer, verify: fakeVerify, budgets: [16, 32, 64], samplesPerProblem: 2, temperature: 1, passK: [1, 2], model: 'step-10', base, bootstrap: { resamples: 200 } });
  writeEvalResult(join(dir, 'evals', 'step-000010'), after);
  return dir;
}

export async function makeAbDir(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'brevity-abr-'));
  const arm = (name: string) => ({ name, recipe: loadBrevityRecipe(join(root, 'recipes/grpo.yaml'), { set: [`run.name=${name}`] }).recipe });
  await runAb({
    arms: [arm('grpo'), arm('dler')],
    seeds: [0, 1],
    dir,
    bootstrap: { resamples: 200 },
    hooks: {
      async train(run) {
        writeFileSync(join(run.runDir, 'metrics.jsonl'), metricsRows(5, run.arm === 'dler' ? 4 : 0).map((r) => JSON.stringify(r)).join('\n') + '\n');
        return { step: 5 };
      },
      evaluate: (run) => evalAt(run.arm === 'dler' ? 0.5 : 1, run.arm),
    },
  });
  return dir;
}
