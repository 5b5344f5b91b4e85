import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeStepEvaluator } from '../../src/eval/step-evaluator.ts';
import { loadRun } from '../../src/report/load-run.ts';
import { loadBrevityRecipe } from '../../src/recipe/index.ts';
import { charTokenizer, fakeVerify, makeFakeEngine, task } from './fakes.ts';

describe('makeStepEvaluator', () => {
  it('evaluates every k steps into evals/step-NNNNNN.json, which reports pick up', async () => {
    const root = new URL('../..', import.meta.url).pathname;
    const { recipe } = loadBrevityRecipe(join(root, 'recipes/grpo.yaml'), { set: ['eval.every=2', 'eval.budgets=[16,64]', 'eval.bootstrap=100'] });
    const runDir = mkdtempSync(join(tmpdir(), 'brevity-step-eval-'));
    const onStep = makeStepEvaluator({ eval: recipe.eval, engine: makeFakeEngine(), tokenizer: charTokenizer, task, verify: fakeVerify, runDir });
    expect(await onStep(1)).toBeNull();
    const r = await onStep(2);
    expect(r?.model).toBe('step-000002');
    expect(r?.budgets.map((b) => b.budget)).toEqual([16, 64]);
    expect(existsSync(join(runDir, 'evals/step-000002.csv'))).toBe(true);
    expect(await onStep(3)).toBeNull();
    expect(loadRun(runDir).evals.map((e) => e.label)).toEqual(['step-000002']);
    const off = makeStepEvaluator({ eval: { ...recipe.eval, every: 0 }, engine: makeFakeEngine(), tokenizer: charTokenizer, task, verify: fakeVerify, runDir });
    expect(await off(2)).toBeNull();
  });
});
