/**
 * brevity's trainer on a served engine (`rollout.engine: openai`): a fake vLLM
 * on loopback serves completions as token ids and implements the reload RPCs.
 * After each optimizer update the run must write the policy in HF layout and
 * have the server load it before the next step's rollouts; the folder the
 * server loads must hold exactly the trainer's policy after that step.
 * Also: the recipe errors for a missing server block and for weightSync none.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../src/engine/index.ts';
import { builtinTokenizer } from '../../src/model/builtin-tokenizer.ts';
import { loadCheckpoint, saveCheckpoint } from '../../src/model/checkpoint.ts';
import { ModelConfigSchema, type NamedTensors } from '../../src/model/config.ts';
import { initPolicy, policyToNamed } from '../../src/model/decoder.ts';
import { loadBrevityRecipe, RecipeError, RecipeSchema } from '../../src/recipe/index.ts';
import { buildTrainer, type BuiltTrainer } from '../../src/run/build-trainer.ts';
import { startFakeServed, type FakeServed } from '../rollout/fake-served-server.ts';

let root = '';
let modelDir = '';
let initial: NamedTensors;
let fake: FakeServed;
const loaded: { dir: string; weights: NamedTensors }[] = [];

/** Completions of different lengths per choice (so the length reward separates a group), as vLLM token ids within max_tokens. */
function complete(b: Record<string, unknown>): unknown[] {
  const texts = ['1', '1 2 3 4 5'];
  return Array.from({ length: b.n as number }, (_, k) => {
    const ids = [...builtinTokenizer.encode(texts[k % texts.length]), builtinTokenizer.eosTokenId];
    const clipped = ids.length > (b.max_tokens as number);
    const tokenIds = ids.slice(0, b.max_tokens as number);
    return { index: k, text: builtinTokenizer.decode(tokenIds), finish_reason: clipped ? 'length' : 'stop', token_ids: tokenIds };
  });
}

beforeAll(async () => {
  await initEngine();
  root = mkdtempSync(path.join(os.tmpdir(), 'brevity-served-train-'));
  const config = ModelConfigSchema.parse({
    arch: 'qwen2', vocabSize: builtinTokenizer.vocabSize, hiddenSize: 16, numLayers: 1, numHeads: 2, numKvHeads: 1,
    ffnSize: 32, eosTokenId: builtinTokenizer.eosTokenId, maxPositions: 64,
  });
  initial = policyToNamed(initPolicy(config, 1));
  modelDir = path.join(root, 'model');
  await saveCheckpoint(modelDir, { config, weights: initial, files: builtinTokenizer.checkpointFiles() });
  fake = await startFakeServed({ complete, load: async (dir) => void loaded.push({ dir, weights: (await loadCheckpoint(dir)).weights }) });
});
afterAll(() => {
  fake?.close();
  rmSync(root, { recursive: true, force: true });
});

const recipeFor = (server: Record<string, unknown>, name: string) =>
  RecipeSchema.parse({
    model: { checkpoint: modelDir },
    task: { type: 'arith', train: { size: 40, seed: 0 }, test: { size: 10, seed: 1234 } },
    rollout: { engine: 'openai', n: 2, maxTokens: 8, server },
    budget: { type: 'fixed', cap: 8 },
    rewards: [{ type: 'correctness' }, { type: 'kimi', weight: 0.5 }],
    train: { steps: 2, promptsPerStep: 2, checkpointEvery: 1 },
    run: { name, outputDir: path.join(root, 'runs') },
  });

const same = (a: NamedTensors, b: NamedTensors) => [...a].every(([n, t]) => b.get(n)!.data.every((v, i) => v === t.data[i]));

describe('training on a served engine', () => {
  it.each(['vllm', 'sglang'] as const)('%s: syncs the updated policy to the server after each step, before the next rollouts', async (kind) => {
    const policyAfter: NamedTensors[] = [];
    loaded.length = fake.log.events.length = fake.log.bodies.length = fake.log.rpc.length = 0;
    const checkpointDir = kind === 'sglang' ? path.join(root, 'shared-disk') : undefined;
    let built: BuiltTrainer | undefined;
    built = await buildTrainer(recipeFor({ url: fake.base, kind, model: 'policy', ...(checkpointDir ? { checkpointDir } : {}) }, kind), {
      progress: 'silent',
      handleSignals: false,
      log: () => {},
      onStep: () => void policyAfter.push(policyToNamed(built!.trainer.policy)),
    });
    try {
      const res = await built.trainer.run();
      expect(res).toMatchObject({ step: 2, stoppedBy: 'done' });
    } finally {
      await built.dispose();
    }
    expect(fake.log.errors).toEqual([]);
    const dir = checkpointDir ?? path.join(built.runDir, 'served-weights');
    expect(loaded.map((l) => l.dir)).toEqual([path.join(dir, 'v1'), path.join(dir, 'v2')]);
    if (kind === 'vllm') expect(fake.log.rpc).toEqual(['update_config', `model=${path.join(dir, 'v1')}`, 'reload_weights', 'reset_prefix_cache', 'update_config', `model=${path.join(dir, 'v2')}`, 'reload_weights', 'reset_prefix_cache']);
    // Step 1's rollouts, the load of v1, step 2's rollouts (after the sync), the load of v2.
    const ev = fake.log.events;
    const [l1, l2] = [ev.indexOf(`load:${path.join(dir, 'v1')}`), ev.indexOf(`load:${path.join(dir, 'v2')}`)];
    expect(l1).toBeGreaterThan(0);
    expect(l2).toBe(ev.length - 1);
    expect(l2 - l1).toBeGreaterThan(1);
    expect(ev.filter((e, i) => i !== l1 && i !== l2).every((e) => e === 'completion')).toBe(true);
    expect(fake.log.bodies.every((b) => b.model === 'policy' && b.n === 2 && (kind === 'sglang' || b.return_tokens_as_token_ids === true))).toBe(true);
    // What the server loaded is the trainer's policy after each step, and it moved.
    expect(policyAfter).toHaveLength(2);
    expect(same(loaded[0].weights, policyAfter[0])).toBe(true);
    expect(same(loaded[1].weights, policyAfter[1])).toBe(true);
    expect(same(loaded[0].weights, initial)).toBe(false);
    expect(same(loaded[1].weights, loaded[0].weights)).toBe(false);
  });

  it('refuses to train when the server cannot load weights (weightSync none, or a llama-server), saying how to fix it', async () => {
    for (const server of [{ url: fake.base, kind: 'vllm', weightSync: 'none' }, { url: fake.base, kind: 'llama-server' }]) {
      const err = await buildTrainer(recipeFor(server, `none-${server.kind}`), { progress: 'silent', handleSignals: false, log: () => {} }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(RecipeError);
      expect((err as Error).message).toMatch(/rollout\.server\.weightSync: none.*Set rollout\.server\.weightSync to sglang .* or vllm/);
    }
  });
});

describe('recipe', () => {
  it('rollout.engine openai without rollout.server fails at load time, naming the line and the fix', () => {
    const f = path.join(root, 'bad.yaml');
    writeFileSync(f, ['model: { checkpoint: m }', 'rollout:', '  engine: openai', '  n: 4', 'rewards: [{ type: correctness }]', ''].join('\n'));
    let err: unknown;
    try {
      loadBrevityRecipe(f);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RecipeError);
    expect((err as Error).message).toMatch(/bad\.yaml:\d+: rollout\.server: .*needs rollout\.server, e\.g\. server: \{ url: .*weightSync/);
    // With the block it loads; weightSync defaults to the server kind.
    writeFileSync(f, ['model: { checkpoint: m }', 'rollout:', '  engine: openai', '  server: { url: "http://127.0.0.1:30000/v1", kind: sglang }', 'rewards: [{ type: correctness }]', ''].join('\n'));
    expect(loadBrevityRecipe(f).recipe.rollout.server).toMatchObject({ kind: 'sglang', model: 'policy', concurrency: 8 });
    // A typo inside the block is an unknown key.
    writeFileSync(f, ['model: { checkpoint: m }', 'rollout:', '  engine: openai', '  server: { url: "http://x:1/v1", wieghtSync: vllm }', 'rewards: [{ type: correctness }]', ''].join('\n'));
    expect(() => loadBrevityRecipe(f)).toThrow(/rollout\.server\.wieghtSync: unknown key; did you mean "weightSync"/);
  });
});
