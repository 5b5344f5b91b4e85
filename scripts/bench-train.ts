/**
 * npm run bench:train — where the time of one RL step goes, for the S model
 * (vocab 64, d 128, 4 layers, 4 heads, FFN 512) with 16 prompts × 8 samples
 * on the built-in arithmetic task: rollout, verify (+ reward shaping),
 * old log-probs, update (forward + backward + AdamW), weight refresh; and
 * tokens/s (generated tokens per second of rollout, trained tokens per
 * second of update, generated tokens per second of the whole step).
 *
 * Weights: `models/base` when it exists (answers of realistic length), else a
 * random init of the same shape (which runs every sample to the cap).
 * One warm-up step, then BENCH_STEPS timed steps (default 2), per engine.
 *
 * Options (environment): BENCH_ENGINES=tfjs,llama-cpp (default both; an
 * engine that cannot start is reported and skipped), BENCH_STEPS,
 * BENCH_MAX_TOKENS (default 128), BENCH_PROMPTS (16), BENCH_N (8),
 * BENCH_MODEL (a checkpoint directory).
 *
 * `--baseline` (npm run bench:train -- --baseline): also run the tfjs engine
 * on the old decoding path (the KV cache copied whole per token, finished rows
 * kept in the batch: kvLayout concat, compactAt 0) in the same process and
 * print both side by side with new/old ratios of wall and process-CPU time
 * (on a shared machine the CPU ratio is the steadier one). The runs
 * alternate old, new, old, new … one step each after a warm-up, so load
 * changes hit both alike.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { engineInfo, initEngine } from '../src/engine/index.ts';
import { builtinTokenizer } from '../src/model/builtin-tokenizer.ts';
import { loadCheckpoint } from '../src/model/checkpoint.ts';
import { parseModelConfig, type NamedTensors } from '../src/model/config.ts';
import { initPolicy, policyFromNamed, policyToNamed } from '../src/model/decoder.ts';
import { loadTokenizer } from '../src/model/load-tokenizer.ts';
import type { Tokenizer } from '../src/model/tokenizer.ts';
import { createEngine } from '../src/rollout/index.ts';
import { makeArithTask } from '../src/tasks/index.ts';
import { AdvantageSpecSchema, resolveAdvantageEstimator } from '../rewards/advantages.ts';
import { TrainConfigSchema } from '../src/train/config.ts';
import { taskEnv } from '../src/run/build-trainer.ts';
import { LossConfigSchema } from '../src/train/losses.ts';
import { Trainer } from '../src/train/loop.ts';
import type { StepMetrics } from '../src/train/metrics.ts';
import { SamplingFilterSchema } from '../src/train/sampling-filter.ts';
import { BudgetSpecSchema, resolveBudgetPolicy, resolveShaper, ShaperSpecSchema } from '../rewards/registry.ts';

const ENGINES = (process.env.BENCH_ENGINES ?? 'tfjs,llama-cpp').split(',').map((s) => s.trim()) as ('tfjs' | 'llama-cpp')[];
const STEPS = Number(process.env.BENCH_STEPS ?? 2);
const MAX_TOKENS = Number(process.env.BENCH_MAX_TOKENS ?? 128);
const PROMPTS = Number(process.env.BENCH_PROMPTS ?? 16);
const N = Number(process.env.BENCH_N ?? 8);
const MODEL = process.env.BENCH_MODEL ?? 'models/base';

async function loadModel(): Promise<{ source: string; config: ReturnType<typeof parseModelConfig>; weights: NamedTensors; tokenizer: Tokenizer }> {
  if (existsSync(path.join(MODEL, 'config.json'))) {
    const ck = await loadCheckpoint(MODEL);
    return { source: MODEL, config: ck.config, weights: ck.weights, tokenizer: loadTokenizer(MODEL) };
  }
  const config = parseModelConfig({
    arch: 'llama', vocabSize: builtinTokenizer.vocabSize, hiddenSize: 128, numLayers: 4, numHeads: 4, numKvHeads: 4, ffnSize: 512,
    eosTokenId: builtinTokenizer.eosTokenId, maxPositions: 512,
  });
  const p = initPolicy(config, 1);
  const weights = policyToNamed(p);
  p.dispose();
  return { source: 'random init (no models/base yet)', config, weights, tokenizer: builtinTokenizer };
}

/** The old tfjs decoding path, for --baseline. */
const OLD_PATH = { kvLayout: 'concat', compactAt: 0 } as const;

async function benchEngine(kind: 'tfjs' | 'llama-cpp', m: Awaited<ReturnType<typeof loadModel>>, steps = STEPS, old = false): Promise<StepMetrics[]> {
  const policy = policyFromNamed(m.config, m.weights);
  const engine =
    kind === 'tfjs'
      ? await createEngine('tfjs', { policy, tokenizer: m.tokenizer, ...(old ? OLD_PATH : {}) })
      : await createEngine('llama-cpp', { config: m.config, weights: m.weights, tokenizer: m.tokenizer });
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'brevity-bench-train-'));
  const out: StepMetrics[] = [];
  let cpu = process.cpuUsage();
  const trainer = new Trainer({
    train: TrainConfigSchema.parse({ steps: steps + 1, promptsPerStep: PROMPTS, lr: 1e-4, checkpointEvery: 0, seed: 1 }),
    loss: LossConfigSchema.parse({ type: 'clipped', epsHigh: 0.28 }),
    sampling: SamplingFilterSchema.parse({}),
    rollout: { n: N, temperature: 1, topP: 1, maxTokens: MAX_TOKENS },
    policy,
    engine,
    // Measure the refresh a separate engine needs; the tfjs engine reads the live policy (its refresh is a no-op copy).
    engineSharesPolicy: false,
    env: taskEnv(makeArithTask({ train: { size: 2000, seed: 0 } }), m.tokenizer),
    methods: {
      shapers: [resolveShaper(ShaperSpecSchema.parse({ type: 'correctness' }))],
      budget: resolveBudgetPolicy(BudgetSpecSchema.parse({ type: 'fixed', cap: MAX_TOKENS })),
      advantage: resolveAdvantageEstimator(AdvantageSpecSchema.parse({ type: 'grpo' })),
    },
    runDir,
    progress: 'silent',
    handleSignals: false,
    onStep: (s, metrics) => {
      const d = process.cpuUsage(cpu);
      cpu = process.cpuUsage();
      // Process CPU seconds (all threads) per step: on a shared machine, CPU ≪ wall means the timings include waiting.
      if (s > 1) out.push({ ...metrics, 'bench/cpu_s': (d.user + d.system) / 1e6, 'bench/load1': os.loadavg()[0] });
    },
  });
  try {
    await trainer.run();
  } finally {
    trainer.dispose();
    await engine.dispose();
    policy.dispose();
    rmSync(runDir, { recursive: true, force: true });
  }
  return out;
}

const mean = (ms: StepMetrics[], k: string) => ms.reduce((a, m) => a + (m[k] ?? 0), 0) / ms.length;

await initEngine();
const info = engineInfo();
const model = await loadModel();
console.log(`bench:train — S model (${model.source}), ${PROMPTS} prompts × ${N} samples, cap ${MAX_TOKENS} tokens, ${STEPS} timed steps after 1 warm-up`);
console.log(`backend ${info.backend}, kernel ${info.kernel}, ${os.cpus().length} CPUs\n`);
const phases: [string, string][] = [
  ['rollout', 'time/rollout'],
  ['verify', 'time/verify'],
  ['rewards', 'time/rewards'],
  ['old log-probs', 'time/old_logprobs'],
  ['update', 'time/update'],
  ['weight refresh', 'time/weight_refresh'],
];
const BASELINE = process.argv.includes('--baseline');
if (BASELINE) await compareWithBaseline();
for (const kind of BASELINE ? [] : ENGINES) {
  let ms: StepMetrics[];
  try {
    ms = await benchEngine(kind, model);
  } catch (e) {
    console.log(`engine ${kind}: skipped (${(e as Error).message.split('\n')[0]})\n`);
    continue;
  }
  const step = mean(ms, 'time/step');
  console.log(
    `engine ${kind}: ${step.toFixed(2)} s per RL step (process CPU ${mean(ms, 'bench/cpu_s').toFixed(2)} s/step, load average ${mean(ms, 'bench/load1').toFixed(1)})`,
  );
  for (const [name, key] of phases) {
    const t = mean(ms, key);
    console.log(`  ${name.padEnd(15)} ${t.toFixed(3).padStart(8)} s  ${((100 * t) / step).toFixed(1).padStart(5)} %`);
  }
  console.log(
    `  tokens: ${mean(ms, 'batch/tokens_generated').toFixed(0)} generated/step (mean length ${mean(ms, 'length/mean').toFixed(1)}); ` +
      `rollout ${mean(ms, 'throughput/rollout_tokens_per_s').toFixed(0)} tok/s, update ${mean(ms, 'throughput/train_tokens_per_s').toFixed(0)} tok/s (prompt+completion), ` +
      `whole step ${mean(ms, 'throughput/tokens_per_s').toFixed(0)} generated tok/s\n`,
  );
}
if (ENGINES.includes('llama-cpp')) {
  const { disposeLlamaRuntime } = await import('../src/rollout/index.ts');
  await disposeLlamaRuntime();
}

/**
 * Old vs new tfjs decoding path, alternating one-step runs (each with its own
 * warm-up step) so both see the same machine load. Prints per-phase means and
 * the new/old ratio of wall time and of process CPU time.
 */
async function compareWithBaseline(): Promise<void> {
  const runs: Record<'old' | 'new', StepMetrics[]> = { old: [], new: [] };
  for (let i = 0; i < STEPS; i++) {
    for (const which of ['old', 'new'] as const) runs[which].push(...(await benchEngine('tfjs', model, 1, which === 'old')));
  }
  const rows: [string, string][] = [['step (wall)', 'time/step'], ...phases, ['process CPU', 'bench/cpu_s']];
  console.log(`engine tfjs, old path (kvLayout concat, no compaction) vs new (tail cache, compaction); ${STEPS} alternating step(s) each; load average ${mean([...runs.old, ...runs.new], 'bench/load1').toFixed(1)}`);
  console.log(`  ${'phase'.padEnd(15)} ${'old s'.padStart(9)} ${'new s'.padStart(9)} ${'new/old'.padStart(8)}`);
  for (const [name, key] of rows) {
    const o = mean(runs.old, key), n = mean(runs.new, key);
    console.log(`  ${name.padEnd(15)} ${o.toFixed(3).padStart(9)} ${n.toFixed(3).padStart(9)} ${(o > 0 ? (n / o).toFixed(2) : '–').padStart(8)}`);
  }
  for (const which of ['old', 'new'] as const) {
    const ms = runs[which];
    console.log(`  ${which}: ${mean(ms, 'batch/tokens_generated').toFixed(0)} generated/step (mean length ${mean(ms, 'length/mean').toFixed(1)}), rollout ${mean(ms, 'throughput/rollout_tokens_per_s').toFixed(0)} tok/s`);
  }
  console.log('');
}
