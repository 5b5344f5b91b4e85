import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initEngine } from '../../src/engine/index.ts';
import { ShaperSpecSchema, resolveShaper } from '../../rewards/registry.ts';
import { BudgetSpecSchema, resolveBudgetPolicy } from '../../rewards/registry.ts';
import { AdvantageSpecSchema, resolveAdvantageEstimator } from '../../rewards/advantages.ts';
import { TrainConfigSchema } from '../../src/train/config.ts';
import { LossConfigSchema } from '../../src/train/losses.ts';
import { Trainer } from '../../src/train/loop.ts';
import { MetricsWriter } from '../../src/train/metrics.ts';
import { SamplingFilterSchema } from '../../src/train/sampling-filter.ts';
import { TinyEngine, tinyEnv, tinyPolicy } from './tiny-env.ts';

beforeAll(async () => {
  await initEngine();
});

function makeTrainer(over: { policy?: ReturnType<typeof tinyPolicy>; loss?: object; rewards?: object[]; steps?: number; lr?: number; advantage?: object; runDir?: string; resume?: boolean; checkpointEvery?: number }) {
  const policy = over.policy ?? tinyPolicy(Number(process.env.BREVITY_TEST_SEED ?? 1));
  const runDir = over.runDir ?? mkdtempSync(path.join(os.tmpdir(), 'brevity-train-'));
  const trainer = new Trainer({
    train: TrainConfigSchema.parse({
      steps: over.steps ?? 30,
      promptsPerStep: 4,
      lr: over.lr ?? 0.03,
      schedule: { decay: 'constant' },
      seed: 7,
      checkpointEvery: over.checkpointEvery ?? 0,
    }),
    loss: LossConfigSchema.parse(over.loss ?? { type: 'clipped' }),
    sampling: SamplingFilterSchema.parse({}),
    rollout: { n: 8, temperature: 1, topP: 1, maxTokens: 6 },
    policy,
    engine: new TinyEngine(policy),
    env: tinyEnv(),
    methods: {
      shapers: (over.rewards ?? [{ type: 'correctness' }]).map((s) => resolveShaper(ShaperSpecSchema.parse(s))),
      budget: resolveBudgetPolicy(BudgetSpecSchema.parse({ type: 'fixed', cap: 6 })),
      advantage: resolveAdvantageEstimator(AdvantageSpecSchema.parse(over.advantage ?? { type: 'grpo' })),
    },
    runDir,
    resume: over.resume,
    progress: 'silent',
    handleSignals: false,
  });
  return { trainer, runDir, policy };
}

const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('learning on a tiny synthetic task', () => {
  it('GRPO: accuracy rises from near chance to > 0.9', async () => {
    const { trainer, runDir } = makeTrainer({});
    await trainer.run();
    const m = MetricsWriter.read(runDir);
    console.log('grpo acc', m.map((x) => x.accuracy.toFixed(2)).join(' '));
    const keys = [
      'reward/correctness/mean', 'reward/mean', 'accuracy', 'length/mean', 'length/p50', 'length/p90', 'length/truncated_ratio',
      'groups/zero_std_ratio', 'verify/parse_fail_ratio', 'clip/low_frac', 'clip/high_frac', 'kl/old', 'entropy/mean', 'grad/norm', 'lr',
      'loss/policy', 'time/rollout', 'time/verify', 'time/old_logprobs', 'time/update', 'time/weight_refresh', 'throughput/tokens_per_s',
    ];
    for (const k of keys) expect(m[0], k).toHaveProperty([k]);
    expect(meanOf(m.slice(0, 2).map((x) => x.accuracy))).toBeLessThan(0.3);
    expect(meanOf(m.slice(-3).map((x) => x.accuracy))).toBeGreaterThan(0.9);
  });

  it('DRPO: accuracy rises from near chance to > 0.9', async () => {
    const { trainer, runDir } = makeTrainer({ loss: { type: 'drpo' }, rewards: [{ type: 'correctness' }, { type: 'drpo-length' }] });
    await trainer.run();
    const m = MetricsWriter.read(runDir);
    console.log('drpo acc', m.map((x) => x.accuracy.toFixed(2)).join(' '));
    expect(meanOf(m.slice(0, 2).map((x) => x.accuracy))).toBeLessThan(0.3);
    expect(meanOf(m.slice(-3).map((x) => x.accuracy))).toBeGreaterThan(0.9);
  });
});

describe('length penalty', () => {
  it('a Kimi length reward shortens answers while accuracy stays up', async () => {
    // Phase 1 rewards *long* correct answers (DRPO's positive length reward with weight −1: r = L/Lmax − 1), so there is length to remove.
    // Kept short (15 steps) so the policy still varies its length: a group of equal lengths gives Kimi no signal.
    const long = makeTrainer({ steps: 15, rewards: [{ type: 'correctness' }, { type: 'drpo-length', weight: -1 }] });
    await long.trainer.run();
    // Phase 2: same weights, Kimi as a penalty.
    const short = makeTrainer({ policy: long.policy, lr: 0.01, rewards: [{ type: 'correctness' }, { type: 'kimi', weight: 0.5 }] });
    await short.trainer.run();
    const a = MetricsWriter.read(long.runDir).slice(-5);
    const b = MetricsWriter.read(short.runDir).slice(-5);
    const lenA = meanOf(a.map((x) => x['length/mean']));
    const lenB = meanOf(b.map((x) => x['length/mean']));
    console.log('length before', lenA, 'acc', meanOf(a.map((x) => x.accuracy)), 'after', lenB, 'acc', meanOf(b.map((x) => x.accuracy)));
    expect(lenB).toBeLessThan(lenA - 1);
    expect(meanOf(b.map((x) => x.accuracy))).toBeGreaterThan(0.85);
  });
});
