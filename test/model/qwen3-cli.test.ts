/**
 * The qwen3 fixture through the real CLI (child processes): `brevity eval`
 * on GSM8K with the model's chat template, and a 3-step
 * `brevity train recipes/qwen3-dler-gsm8k.yaml --set …` that updates the
 * weights. The fixture's EOS row is scaled (make-tiny-hf --eos-norm) so
 * responses end at varied lengths and the length reward has a signal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCheckpoint } from '../../src/model/checkpoint.ts';
import { makeTinyHf } from '../../scripts/make-tiny-hf.ts';

let root = '';
let model = '';
beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'brevity-qwen3-cli-'));
  model = path.join(root, 'tiny-qwen3');
  await makeTinyHf('qwen3', model, { seed: 3, eosNorm: 12 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const cli = (args: string[]) => {
  const r = spawnSync('node', ['bin/brevity.js', ...args], { encoding: 'utf8', timeout: 400_000 });
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
};

describe('qwen3 fixture through the CLI', () => {
  it('brevity eval <qwen3 fixture> --task gsm8k --budgets 32,64 --test-size 4', () => {
    const stem = path.join(root, 'eval');
    const r = cli(['eval', model, '--task', 'gsm8k', '--budgets', '32,64', '--test-size', '4', '--out', stem]);
    expect(r.code, r.out).toBe(0);
    const res = JSON.parse(readFileSync(`${stem}.json`, 'utf8'));
    expect(res.budgets.map((b: { budget: number }) => b.budget)).toEqual([32, 64]);
    for (const b of res.budgets) {
      expect(b.records).toHaveLength(4);
      for (const rec of b.records) {
        // thinking tokens are counted separately and never exceed the budget's share
        expect(rec.thinkingTokens).toBeGreaterThanOrEqual(0);
        expect(rec.thinkingTokens).toBeLessThanOrEqual(rec.tokens);
        expect(rec.tokens).toBeLessThanOrEqual(b.budget + 8);
      }
    }
  }, 400_000);

  it('brevity train recipes/qwen3-dler-gsm8k.yaml: 3 steps that update the weights', async () => {
    const train = path.join(root, 'train.jsonl');
    writeFileSync(train, [
      { id: 't1', question: 'Tom has 3 apples and buys 4 more. How many apples does he have?', answer: '3+4=7\n#### 7' },
      { id: 't2', question: 'A box holds 6 pens. How many pens are in 2 boxes?', answer: '6*2=12\n#### 12' },
    ].map((x) => JSON.stringify(x)).join('\n') + '\n');
    const runs = path.join(root, 'runs');
    const r = cli([
      'train', 'recipes/qwen3-dler-gsm8k.yaml', '--no-eval', '--progress', 'lines',
      '--set', `model.checkpoint=${model}`, '--set', `task.train=${train}`, '--set', `run.outputDir=${runs}`, '--set', 'run.name=q3',
      '--set', 'train.steps=3', '--set', 'train.promptsPerStep=1', '--set', 'train.checkpointEvery=3', '--set', 'rollout.n=4',
      '--set', 'rollout.maxTokens=24', '--set', 'budget.cap=24', '--set', 'rewards=[{type: kimi}]', '--set', 'sampling.dynamic=false',
      '--set', 'train.lr=1e-3',
    ]);
    expect(r.code, r.out).toBe(0);
    const steps = readFileSync(path.join(runs, 'q3', 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(steps).toHaveLength(3);
    expect(steps.some((s) => s['update/count'] > 0 && s['grad/norm'] > 0)).toBe(true);
    const before = await loadCheckpoint(model);
    const after = await loadCheckpoint(path.join(runs, 'q3', 'checkpoints', 'step-000003'));
    expect(after.config).toEqual(before.config);
    const name = 'model.layers.0.self_attn.q_norm.weight';
    expect(after.weights.get(name)!.data).not.toEqual(before.weights.get(name)!.data);
  }, 400_000);
});
