import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAb } from '../../src/ab/run-ab.ts';
import type { AbArm, AbHooks, AbRun } from '../../src/ab/run-ab.ts';
import { evaluate } from '../../src/eval/evaluate.ts';
import { loadBrevityRecipe } from '../../src/recipe/index.ts';
import { charTokenizer, fakeVerify, makeFakeEngine, task } from '../eval/fakes.ts';

const root = new URL('../..', import.meta.url).pathname;
const arm = (name: string, file: string): AbArm => ({
  name,
  recipe: loadBrevityRecipe(join(root, 'recipes', file), { set: [`run.name=${name}`, 'train.steps=2', 'eval.budgets=[16,64]'] }).recipe,
});

/** Fake training: writes metrics; "dler" arms learn to think half as long (scale stored in the run dir). */
function fakeHooks(calls: { train: AbRun[]; evaluate: AbRun[] }): AbHooks {
  return {
    async train(run) {
      calls.train.push(run);
      writeFileSync(join(run.runDir, 'metrics.jsonl'), `${JSON.stringify({ step: run.recipe.train.steps, 'reward/mean': 0.5 })}\n`);
      writeFileSync(join(run.runDir, 'scale'), run.arm === 'short' ? '0.5' : '1');
      return { step: run.recipe.train.steps };
    },
    async evaluate(run) {
      calls.evaluate.push(run);
      const scale = Number(readFileSync(join(run.runDir, 'scale'), 'utf8'));
      return evaluate({
        engine: makeFakeEngine(scale), task, tokenizer: charTokenizer, verify: fakeVerify, budgets: run.recipe.eval.budgets,
        samplesPerProblem: 1, temperature: 1, seed: run.recipe.eval.seed, model: `${run.arm}/seed-${run.seed}`, bootstrap: { resamples: 200 },
      });
    },
  };
}

describe('runAb', () => {
  it('two tiny arms × 2 seeds: comparison table, then a rerun skips completed runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brevity-ab-'));
    const arms = [arm('control', 'grpo.yaml'), arm('short', 'grpo.yaml')];
    const calls = { train: [] as AbRun[], evaluate: [] as AbRun[] };
    const r = await runAb({ arms, seeds: [0, 1], dir, hooks: fakeHooks(calls), concurrency: 2, bootstrap: { resamples: 200 } });
    expect(calls.train.map((c) => `${c.arm}:${c.seed}:${c.recipe.train.seed}`).sort()).toEqual(['control:0:0', 'control:1:1', 'short:0:0', 'short:1:1']);
    expect(r.budgets).toEqual([16, 64]);
    expect(r.rows.map((x) => `${x.arm}@${x.budget}`)).toEqual(['control@16', 'short@16', 'control@64', 'short@64']);
    const short64 = r.rows[3];
    // per problem tokens: control 11, 16, 26, 46; short 9, 11, 16, 26 — same on both seeds
    expect(short64.vsControl!.tokens.estimate).toBeCloseTo((9 + 11 + 16 + 26 - (11 + 16 + 26 + 46)) / 4, 9);
    expect(short64.vsControl!.tokens.hi).toBeLessThan(0);
    expect(short64.vsControl!.accuracy.estimate).toBeCloseTo(0, 12);
    expect(short64.units).toBe(8);
    expect(short64.pareto).toBe(true);
    expect(r.rows[2].pareto).toBe(false); // control@64: same accuracy, more tokens
    expect(r.table).toContain('| control');
    expect(r.table).toContain('(control)');
    expect(r.table.split('\n')).toHaveLength(6);
    for (const run of r.runs) {
      expect(existsSync(join(run.runDir, 'done.json'))).toBe(true);
      expect(existsSync(join(run.runDir, 'eval.csv'))).toBe(true);
    }
    expect(readFileSync(join(dir, 'ab.md'), 'utf8')).toBe(`${r.table}\n`);

    // rerun: nothing trained or evaluated again, same table
    const again = { train: [] as AbRun[], evaluate: [] as AbRun[] };
    const r2 = await runAb({ arms, seeds: [0, 1], dir, hooks: fakeHooks(again), bootstrap: { resamples: 200 } });
    expect(again.train).toEqual([]);
    expect(again.evaluate).toEqual([]);
    expect(r2.runs.every((x) => !x.trained && !x.evaluated)).toBe(true);
    expect(r2.table).toBe(r.table);
  });

  it('resumes an interrupted run and retrains only that one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brevity-ab-'));
    mkdirSync(join(dir, 'short', 'seed-0'), { recursive: true }); // started, no done.json
    writeFileSync(join(dir, 'short', 'seed-0', 'metrics.jsonl'), '');
    const calls = { train: [] as AbRun[], evaluate: [] as AbRun[] };
    await runAb({ arms: [arm('control', 'grpo.yaml'), arm('short', 'grpo.yaml')], seeds: [0], dir, hooks: fakeHooks(calls), bootstrap: { resamples: 100 } });
    expect(calls.train.map((c) => [c.arm, c.resume])).toEqual([['control', false], ['short', true]]);
  });

  it('refuses arms evaluated on different tasks', async () => {
    const a = arm('a', 'grpo.yaml');
    const b = { ...arm('b', 'grpo.yaml') };
    b.recipe = { ...b.recipe, eval: { ...b.recipe.eval, testSize: 7 } };
    await expect(runAb({ arms: [a, b], seeds: [0], dir: mkdtempSync(join(tmpdir(), 'brevity-ab-')), hooks: fakeHooks({ train: [], evaluate: [] }) })).rejects.toThrow(/differ in "eval:"/);
  });
});
