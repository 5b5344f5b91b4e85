/**
 * The trainer logs the rollout–trainer mismatch from the engine's log-probs,
 * and trains with TIS/MIS weights, on a q8_0 llama.cpp engine; a tfjs engine
 * sampling the trainer's own policy shows (almost) none.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initEngine } from '../../src/engine/index.ts';
import { policyFromNamed } from '../../src/model/decoder.ts';
import { disposeLlamaRuntime, LlamaCppEngine } from '../../src/rollout/llama-cpp-engine.ts';
import { TfjsEngine } from '../../src/rollout/tfjs-engine.ts';
import type { RolloutEngine } from '../../src/rollout/types.ts';
import type { Problem } from '../../src/tasks/types.ts';
import { BudgetSpecSchema, resolveBudgetPolicy, resolveShaper, ShaperSpecSchema } from '../../rewards/registry.ts';
import { TrainConfigSchema } from '../../src/train/config.ts';
import { ClippedLossSchema } from '../../src/train/loss-config.ts';
import { Trainer, type TrainEnv } from '../../src/train/loop.ts';
import { MetricsWriter } from '../../src/train/metrics.ts';
import { SamplingFilterSchema } from '../../src/train/sampling-filter.ts';
import { randomWeights, tinyConfig, tinyVocab } from '../rollout/fixtures.ts';

const config = tinyConfig('qwen2');
const vocab = tinyVocab(config.vocabSize);
const tokenizer = { vocabSize: config.vocabSize, eosTokenId: 0, decode: vocab.decode, tokenString: (id: number) => vocab.tokens[id] };
const engines: RolloutEngine[] = [];

beforeAll(async () => {
  await initEngine();
});
afterAll(async () => {
  for (const e of engines) await e.dispose();
  await disposeLlamaRuntime();
});

/** Prompts [k, k+1]; "correct" = the completion's first token is even (any learnable signal will do). */
const env: TrainEnv = {
  problems: [1, 2, 3, 4].map((k): Problem => ({ id: `p${k}`, question: String(k), gold: '0' })),
  promptIds: (p) => [Number(p.question), Number(p.question) + 1],
  score: (_p, s) => ({ correct: s.tokens.length > 0 && s.tokens[0] % 2 === 0, parsed: String(s.tokens[0] ?? ''), format: {} }),
};

/** GRPO's advantage without std scaling: reward − its group's mean (inline: the estimator registry is not under test). */
function groupMeanBaseline({ rewards, groupIds }: { rewards: readonly number[]; groupIds: readonly (number | string)[] }): number[] {
  const sum = new Map<number | string, [number, number]>();
  rewards.forEach((r, i) => {
    const [s, n] = sum.get(groupIds[i]) ?? [0, 0];
    sum.set(groupIds[i], [s + r, n + 1]);
  });
  return rewards.map((r, i) => r - sum.get(groupIds[i])![0] / sum.get(groupIds[i])![1]);
}

async function run(kind: 'q8_0' | 'tfjs', loss: object, steps = 2) {
  const weights = randomWeights(config, 41, 0.45);
  const policy = policyFromNamed(config, weights);
  const engine = kind === 'tfjs' ? await TfjsEngine.create(policy, tokenizer) : await LlamaCppEngine.create(config, weights, tokenizer, { dtype: 'q8_0', sequencesPerContext: 16 });
  engines.push(engine);
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'brevity-mismatch-'));
  const trainer = new Trainer({
    train: TrainConfigSchema.parse({ steps, promptsPerStep: 4, lr: 0.01, seed: 3, checkpointEvery: 0 }),
    // The clipped schema with or without its `type` key (whichever it wants), tagged as the union member.
    loss: { ...(ClippedLossSchema.safeParse(loss).success ? ClippedLossSchema.parse(loss) : ClippedLossSchema.parse({ ...loss, type: 'clipped' })), type: 'clipped' as const },
    sampling: SamplingFilterSchema.parse({}),
    rollout: { n: 4, temperature: 1, topP: 1, maxTokens: 6 },
    policy,
    engine,
    engineSharesPolicy: kind === 'tfjs',
    env,
    methods: {
      shapers: [resolveShaper(ShaperSpecSchema.parse({ type: 'correctness' }))],
      budget: resolveBudgetPolicy(BudgetSpecSchema.parse({ type: 'fixed', cap: 6 })),
      advantage: groupMeanBaseline,
    },
    runDir,
    progress: 'silent',
    handleSignals: false,
  });
  await trainer.run();
  trainer.dispose();
  return MetricsWriter.read(runDir);
}

describe('mismatch metrics and correction in the training loop', () => {
  it('q8_0 llama.cpp rollouts: mismatch/kl and max_ratio logged every step; TIS weights reach the loss', async () => {
    const m = await run('q8_0', { rolloutCorrection: { mode: 'tis', level: 'token', cap: 3 } });
    expect(m).toHaveLength(2);
    for (const s of m) {
      expect(s['mismatch/kl']).toBeGreaterThan(1e-6);
      expect(s['mismatch/kl']).toBeLessThan(0.1);
      expect(s['mismatch/max_ratio']).toBeGreaterThan(1);
      expect(s['mismatch/rows_without_logprobs']).toBe(0);
      expect(s['mismatch/weight_mean']).toBeGreaterThan(0.9);
      expect(s['mismatch/weight_mean']).not.toBe(1);
      expect(Number.isFinite(s['loss/policy'])).toBe(true);
    }
    console.log('q8_0 loop:', m.map((s) => `kl ${s['mismatch/kl'].toExponential(2)} max_ratio ${s['mismatch/max_ratio'].toFixed(4)}`).join('; '));
  });

  it('tfjs engine on the trainer policy: the same metrics show no mismatch; no correction ⇒ no weight metrics', async () => {
    const m = await run('tfjs', {}, 1);
    expect(m[0]['mismatch/kl']).toBeLessThan(1e-8);
    expect(Math.abs(m[0]['mismatch/max_ratio'] - 1)).toBeLessThan(1e-4);
    expect(m[0]['mismatch/weight_mean']).toBeUndefined();
  });
});
