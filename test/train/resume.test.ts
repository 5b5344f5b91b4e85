import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initEngine } from '../../src/engine/index.ts';
import { policyToNamed } from '../../src/model/decoder.ts';
import { BudgetSpecSchema, resolveBudgetPolicy, resolveShaper, ShaperSpecSchema } from '../../rewards/registry.ts';
import { AdvantageSpecSchema, resolveAdvantageEstimator, type AdvantageEstimator } from '../../rewards/advantages.ts';
import { latestCheckpoint, loadTrainerCheckpoint, readTrainerState } from '../../src/train/checkpoint.ts';
import { TrainConfigSchema } from '../../src/train/config.ts';
import { LossConfigSchema } from '../../src/train/losses.ts';
import { Trainer, type TrainerOptions } from '../../src/train/loop.ts';
import { MetricsWriter, type StepMetrics } from '../../src/train/metrics.ts';
import { SamplingFilterSchema } from '../../src/train/sampling-filter.ts';
import { TinyEngine, tinyEnv, tinyPolicy } from './tiny-env.ts';

beforeAll(async () => {
  await initEngine();
});

function options(runDir: string, over: Partial<TrainerOptions> & { advantage?: AdvantageEstimator } = {}): TrainerOptions {
  const policy = tinyPolicy(3);
  return {
    train: TrainConfigSchema.parse({ steps: 8, promptsPerStep: 3, lr: 0.02, seed: 11, checkpointEvery: 3, epochs: 2, minibatches: 2, microBatchSize: 5 }),
    // KL to the reference + dynamic sampling + a stateful budget policy: every piece of saved state matters.
    loss: LossConfigSchema.parse({ type: 'clipped', klCoef: 0.05, epsHigh: 0.28 }),
    sampling: SamplingFilterSchema.parse({ dynamic: true, maxRounds: 2 }),
    rollout: { n: 4, temperature: 1, topP: 1, maxTokens: 6 },
    policy,
    makeReference: () => tinyPolicy(3),
    engine: new TinyEngine(policy),
    env: tinyEnv(),
    methods: {
      shapers: [
        resolveShaper(ShaperSpecSchema.parse({ type: 'correctness' })),
        resolveShaper(ShaperSpecSchema.parse({ type: 'kimi', weight: 0.5 })),
        resolveShaper(ShaperSpecSchema.parse({ type: 'l1-exact', weight: 0.2, alpha: 0.05 })),
      ],
      budget: resolveBudgetPolicy(BudgetSpecSchema.parse({ type: 'l1', seed: 5, minTarget: 2, maxTarget: 6, cap: 6 })),
      advantage: over.advantage ?? resolveAdvantageEstimator(AdvantageSpecSchema.parse({ type: 'batch-norm' })),
    },
    runDir,
    progress: 'silent',
    handleSignals: false,
    ...over,
  };
}

const stable = (ms: StepMetrics[]) =>
  ms.map((m) => Object.fromEntries(Object.entries(m).filter(([k]) => !k.startsWith('time/') && !k.startsWith('throughput/'))));

describe('checkpoint and resume', () => {
  it('a killed-and-resumed run equals an uninterrupted one (metrics and final weights)', async () => {
    const dirA = mkdtempSync(path.join(os.tmpdir(), 'brevity-resume-a-'));
    const a = new Trainer(options(dirA));
    const resA = await a.run();
    expect(resA.step).toBe(8);
    const weightsA = policyToNamed(a.policy);

    // Run B dies after step 5 (its last checkpoint is step 3), then resumes in a fresh trainer.
    const dirB = mkdtempSync(path.join(os.tmpdir(), 'brevity-resume-b-'));
    const b = new Trainer(
      options(dirB, {
        onStep: (s) => {
          if (s === 5) throw new Error('simulated kill');
        },
      }),
    );
    await expect(b.run()).rejects.toThrow('simulated kill');
    expect(path.basename(latestCheckpoint(dirB)!)).toBe('step-000003');
    expect(MetricsWriter.read(dirB).length).toBe(5);
    const c = new Trainer(options(dirB, { resume: true }));
    const resC = await c.run();
    expect(resC.step).toBe(8);

    const mA = stable(MetricsWriter.read(dirA));
    const mC = stable(MetricsWriter.read(dirB));
    expect(mC.length).toBe(8);
    expect(mC).toEqual(mA);
    const weightsC = policyToNamed(c.policy);
    for (const [name, t] of weightsA) expect(Array.from(weightsC.get(name)!.data), name).toEqual(Array.from(t.data));
    // keepCheckpoints (2): only the newest two remain.
    expect(readdirSync(path.join(dirB, 'checkpoints')).filter((e) => e.startsWith('step-'))).toEqual(['step-000006', 'step-000008']);
  });

  it('a damaged newest checkpoint (any of its files) falls back to the previous valid one, and the run still equals an uninterrupted one', async () => {
    const dirA = mkdtempSync(path.join(os.tmpdir(), 'brevity-fallback-a-'));
    const a = new Trainer(options(dirA));
    await a.run();
    const mA = stable(MetricsWriter.read(dirA));
    const weightsA = policyToNamed(a.policy);
    for (const [file, damage] of [
      ['model.safetensors', (b: Buffer) => b.subarray(0, b.length - 7)],
      ['optimizer.safetensors', (b: Buffer) => b.subarray(0, 40)],
      ['config.json', (b: Buffer) => Buffer.from(b.toString('utf8').replace('"', ' '))],
      ['trainer_state.json', (b: Buffer) => b.subarray(0, b.length >> 1)],
    ] as const) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'brevity-fallback-'));
      const b = new Trainer(options(dir, { onStep: (s) => { if (s === 7) throw new Error('simulated kill'); } }));
      await expect(b.run()).rejects.toThrow('simulated kill');
      const newest = path.join(dir, 'checkpoints', 'step-000006');
      const f = path.join(newest, file);
      writeFileSync(f, damage(readFileSync(f)));
      const lines: string[] = [];
      const c = new Trainer({ ...options(dir, { resume: true }), progress: 'lines' });
      // progress 'lines' writes to stderr: capture it
      const write = process.stderr.write.bind(process.stderr);
      process.stderr.write = ((x: string) => (lines.push(String(x)), true)) as typeof process.stderr.write;
      try {
        expect((await c.run()).step).toBe(8);
      } finally {
        process.stderr.write = write;
      }
      const log = lines.join('');
      expect(log, file).toMatch(new RegExp(`damaged checkpoint skipped: .*step-000006: ${file.replace('.', '\\.')}`));
      expect(log, file).toMatch(/falling back to .*step-000003, the newest valid checkpoint/);
      expect(stable(MetricsWriter.read(dir)), file).toEqual(mA);
      const w = policyToNamed(c.policy);
      for (const [name, t] of weightsA) expect(Array.from(w.get(name)!.data), `${file} ${name}`).toEqual(Array.from(t.data));
    }
  });

  it('pruning deletes only the current run\'s checkpoints (a fresh run over an old one used to lose its own)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'brevity-prune-'));
    const old = new Trainer(options(dir, { train: TrainConfigSchema.parse({ ...options(dir).train, steps: 6, checkpointEvery: 1 }) }));
    await old.run();
    // The old data-loss sequence: a second, shorter run started fresh in the same directory (the run layer
    // now refuses this without --overwrite; the trainer must still never delete checkpoints that are not its own).
    const fresh = new Trainer(options(dir, { train: TrainConfigSchema.parse({ ...options(dir).train, steps: 3, checkpointEvery: 1 }) }));
    await fresh.run();
    const names = readdirSync(path.join(dir, 'checkpoints')).filter((e) => e.startsWith('step-'));
    expect(names).toEqual(['step-000002', 'step-000003', 'step-000005', 'step-000006']);
    const mine = await loadTrainerCheckpoint(path.join(dir, 'checkpoints', 'step-000003'));
    const w = policyToNamed(fresh.policy);
    for (const [name, t] of mine.weights) expect(Array.from(t.data), name).toEqual(Array.from(w.get(name)!.data));
    const runIdOf = (s: string) => readTrainerState(path.join(dir, 'checkpoints', s)).runId;
    expect(runIdOf('step-000003')).not.toBe(runIdOf('step-000006'));
  });

  it('--resume without a checkpoint fails clearly', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'brevity-resume-none-'));
    await expect(new Trainer(options(dir, { resume: true })).run()).rejects.toThrow(/no valid checkpoint/);
  });
});

describe('NaN/Inf guard', () => {
  it('skips non-finite updates, stops after maxNonFinite in a row, leaves the last good checkpoint', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'brevity-nan-'));
    const grpo = resolveAdvantageEstimator(AdvantageSpecSchema.parse({ type: 'grpo' }));
    let calls = 0;
    const poisoned: AdvantageEstimator = (x) => (++calls >= 2 ? x.rewards.map(() => NaN) : grpo(x));
    const o = options(dir, { advantage: poisoned });
    o.train = TrainConfigSchema.parse({ ...o.train, steps: 10, checkpointEvery: 1, maxNonFinite: 3, epochs: 1, minibatches: 1 });
    o.sampling = SamplingFilterSchema.parse({});
    const t = new Trainer(o);
    let afterStep1: Map<string, Float32Array> | null = null;
    o.onStep = (s) => {
      if (s === 1) afterStep1 = new Map([...policyToNamed(t.policy)].map(([k, v]) => [k, v.data.slice()]));
    };
    const res = await t.run();
    expect(res.stoppedBy).toBe('non-finite');
    expect(res.step).toBe(3); // steps 2 and 3 skipped their update; the third in a row (step 4) stops the run
    const ck = await loadTrainerCheckpoint(latestCheckpoint(dir)!);
    for (const [k, v] of ck.weights) {
      expect(v.data.every(Number.isFinite), k).toBe(true);
      expect(Array.from(v.data), k).toEqual(Array.from(afterStep1!.get(k)!));
    }
    const m = MetricsWriter.read(dir);
    expect(m.map((x) => x['update/skipped'])).toEqual([0, 1, 1]);
    expect(existsSync(path.join(dir, 'checkpoints'))).toBe(true);
  });
});
