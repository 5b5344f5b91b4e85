/**
 * `brevity train` end to end in a child process: SIGTERM checkpoints and exits
 * 130; kill -9 mid-run never corrupts a checkpoint and `--resume` finishes the run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initEngine } from '../../src/engine/index.ts';
import { builtinTokenizer } from '../../src/model/builtin-tokenizer.ts';
import { saveCheckpoint } from '../../src/model/checkpoint.ts';
import { ModelConfigSchema } from '../../src/model/config.ts';
import { initPolicy, policyToNamed } from '../../src/model/decoder.ts';
import { latestCheckpoint, loadTrainerCheckpoint } from '../../src/train/checkpoint.ts';
import { MetricsWriter } from '../../src/train/metrics.ts';

let root = '';
let recipe = '';

beforeAll(async () => {
  await initEngine();
  root = mkdtempSync(path.join(os.tmpdir(), 'brevity-cli-train-'));
  const config = ModelConfigSchema.parse({
    arch: 'qwen2', vocabSize: builtinTokenizer.vocabSize, hiddenSize: 16, numLayers: 1, numHeads: 2, numKvHeads: 1,
    ffnSize: 32, eosTokenId: builtinTokenizer.eosTokenId, maxPositions: 64,
  });
  await saveCheckpoint(path.join(root, 'model'), { config, weights: policyToNamed(initPolicy(config, 1)), files: builtinTokenizer.checkpointFiles() });
  recipe = path.join(root, 'r.yaml');
  writeFileSync(
    recipe,
    [
      `model: { checkpoint: ${path.join(root, 'model')} }`,
      'task: { type: arith, train: { size: 40, seed: 0 }, test: { size: 10, seed: 1234 } }',
      'rollout: { engine: tfjs, n: 2, maxTokens: 8 }',
      'budget: { type: fixed, cap: 8 }',
      'rewards: [{ type: correctness }, { type: kimi, weight: 0.5 }]',
      'train: { steps: 200, promptsPerStep: 2, checkpointEvery: 1 }',
      `run: { name: r, outputDir: ${path.join(root, 'runs')} }`,
      '',
    ].join('\n'),
  );
});

function start(args: string[], evaluate = false): { child: ChildProcess; done: Promise<number | string>; out: () => string } {
  let out = '';
  const child = spawn('node', ['bin/brevity.js', 'train', recipe, '--progress', 'lines', ...(evaluate ? [] : ['--no-eval']), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const done = new Promise<number | string>((res) => child.on('exit', (code, sig) => res(code ?? String(sig))));
  return { child, done, out: () => out };
}

/** Every file under a directory with its size and content hash (to prove a refusal touched nothing). */
function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const f = path.join(e.parentPath, e.name);
      return `${path.relative(dir, f)}:${statSync(f).mtimeMs}:${createHash('sha256').update(readFileSync(f)).digest('hex')}`;
    })
    .sort();
}

async function waitForSteps(runDir: string, n: number, timeoutMs = 60_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const f = path.join(runDir, 'metrics.jsonl');
    if (existsSync(f) && readFileSync(f, 'utf8').split('\n').filter(Boolean).length >= n) return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${n} steps in ${f}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('brevity train', () => {
  it('kill -9 leaves a loadable checkpoint; --resume finishes; SIGTERM checkpoints and exits 130', async () => {
    const runDir = path.join(root, 'runs', 'r');
    const a = start([]);
    await waitForSteps(runDir, 3);
    a.child.kill('SIGKILL');
    expect(await a.done).toBe('SIGKILL');
    const last = latestCheckpoint(runDir)!;
    expect(last).not.toBeNull();
    const ck = await loadTrainerCheckpoint(last);
    expect(ck.step).toBeGreaterThanOrEqual(2);

    const target = ck.step + 2;
    // A changed recipe is refused (exit 2, listing the key) unless --allow-recipe-change, which records it.
    const refused = start(['--resume', '--set', `train.steps=${target}`]);
    expect(await refused.done, refused.out()).toBe(2);
    expect(refused.out()).toMatch(new RegExp(`train\\.steps: 200 → ${target}`));
    const b = start(['--resume', '--allow-recipe-change', '--set', `train.steps=${target}`]);
    expect(await b.done, b.out()).toBe(0);
    expect(b.out()).toMatch(/resumed from .*step-/);
    expect(MetricsWriter.readAll(runDir).filter((l) => l.event === 'recipe-change')).toEqual([
      { step: ck.step, event: 'recipe-change', changes: [`train.steps: 200 → ${target}`] },
    ]);
    const m = MetricsWriter.read(runDir);
    expect(m.map((x) => x.step)).toEqual(Array.from({ length: target }, (_, i) => i + 1));
    expect((await loadTrainerCheckpoint(latestCheckpoint(runDir)!)).step).toBe(target);

    const c = start(['--resume', '--allow-recipe-change']);
    await waitForSteps(runDir, target + 2); // + the event line
    // A second training into the locked directory is refused at once, naming the holder: within 5 s of
    // what the CLI takes to refuse anything (a missing recipe file, measured now: the machine may be loaded).
    let t0 = Date.now();
    const missing = spawnSync('node', ['bin/brevity.js', 'train', path.join(root, 'no-such.yaml')]);
    expect(missing.status).toBe(2);
    const startupMs = Date.now() - t0;
    t0 = Date.now();
    const d = start(['--resume']);
    expect(await d.done, d.out()).toBe(2);
    expect(d.out()).toMatch(new RegExp(`in use by another training: pid ${c.child.pid} on `));
    expect(Date.now() - t0).toBeLessThan(2 * startupMs + 5000);
    c.child.kill('SIGTERM');
    expect(await c.done, c.out()).toBe(130);
    expect(c.out()).toMatch(/SIGTERM: checkpoint saved at step/);
    const steps = MetricsWriter.read(runDir).map((x) => x.step);
    expect((await loadTrainerCheckpoint(latestCheckpoint(runDir)!)).step).toBe(steps[steps.length - 1]);
  }, 600_000);

  it('a fresh start into an existing run exits 2 without touching it; --overwrite moves the old run aside', async () => {
    // The old data-loss sequence: train, then start a shorter run with another lr into the same name.
    const runDir = path.join(root, 'runs', 'loss');
    const a = start(['--set', 'run.name=loss', '--set', 'train.steps=3']);
    expect(await a.done, a.out()).toBe(0);
    const before = snapshot(runDir);
    const b = start(['--set', 'run.name=loss', '--set', 'train.steps=2', '--set', 'train.lr=0.01']);
    expect(await b.done, b.out()).toBe(2);
    expect(b.out()).toMatch(/already holds a run .*metrics\.jsonl, 2 checkpoints/);
    expect(snapshot(runDir)).toEqual(before);
    const c = start(['--set', 'run.name=loss', '--set', 'train.steps=2', '--set', 'train.lr=0.01', '--overwrite']);
    expect(await c.done, c.out()).toBe(0);
    const aside = readdirSync(path.join(root, 'runs')).filter((e) => e.startsWith('loss.replaced-'));
    expect(aside).toHaveLength(1);
    expect(snapshot(path.join(root, 'runs', aside[0]))).toEqual(before);
    expect(MetricsWriter.read(runDir).map((m) => m.step)).toEqual([1, 2]);
    const ck = await loadTrainerCheckpoint(latestCheckpoint(runDir)!);
    expect(ck.step).toBe(2);
    expect(readdirSync(path.join(runDir, 'checkpoints'))).toEqual(['step-000001', 'step-000002']);
    // --resume with nothing to resume fails before any evaluation.
    const e = start(['--set', 'run.name=nothing', '--resume'], true);
    expect(await e.done, e.out()).toBe(2);
    expect(e.out()).toMatch(/no valid checkpoint/);
    expect(e.out()).not.toMatch(/eval: starting model/);
  }, 600_000);

  it('evaluates before and after, marks the run done, writes the report and prints the before/after table', async () => {
    const sets = ['--set', 'run.name=e', '--set', 'train.steps=2', '--set', 'eval.testSize=4', '--set', 'eval.budgets=[4, 8]', '--set', 'eval.bootstrap=100'];
    const e = start(sets, true);
    expect(await e.done, e.out()).toBe(0);
    const runDir = path.join(root, 'runs', 'e');
    for (const f of ['evals/base.json', 'evals/final.json', 'done.json', 'report.html']) expect(existsSync(path.join(runDir, f)), f).toBe(true);
    const final = JSON.parse(readFileSync(path.join(runDir, 'evals/final.json'), 'utf8'));
    expect(final.budgets.map((b: { budget: number }) => b.budget)).toEqual([4, 8]);
    expect(final.budgets[0].vsBase.base).toBe('base');
    expect(e.out()).toMatch(/before → after/);
    expect(e.out()).toMatch(/length −%/);
  });
});
