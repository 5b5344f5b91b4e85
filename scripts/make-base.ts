/**
 * make-base: supervised training, from scratch, of the S decoder (d 128,
 * 4 layers, 4 heads, FFN 512, vocab 64; 1.06M parameters) on `arith` traces
 * mixed 60% verbose / 30% concise / 10% direct (style not in the prompt), so
 * the resulting base model solves the task but mostly overthinks it. Writes
 * the checkpoint to `models/base/` (HF layout + the built-in tokenizer file).
 *
 *   npm run make-base                      # reproduces models/base; resumes from runs/make-base if present
 *   npm run make-base -- --steps 200 --out /tmp/base --run-dir /tmp/mb   # a quick try
 *
 * Loss: next-token cross-entropy summed over response tokens (+ EOS) only
 * (the prompt is context), divided by batch × 95 (the mix's mean response
 * length), so every token weighs the same whatever its batch. Optimiser: AdamW, linear warmup then cosine decay,
 * global-norm clipping. Batches: a pool of `batch × 8` examples is sorted by
 * length and cut into 8 batches (little padding), all derived from
 * (seed, pool index), so a resumed run sees exactly the data of an
 * uninterrupted one. Checkpoints every `--save-every` steps (atomic, in
 * `<run-dir>/checkpoints/`), and on SIGINT/SIGTERM.
 */
import { Command } from 'commander';
import { z } from 'zod';
import cliProgress from 'cli-progress';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine, engineInfo } from '../src/engine/index.ts';
import { ModelConfigSchema, countParams, type ModelConfig, type NamedTensors } from '../src/model/config.ts';
import { assignNamed, initPolicy, microBatchSize, policyToNamed, sequenceLogProbs, type Policy } from '../src/model/decoder.ts';
import { saveCheckpoint } from '../src/model/checkpoint.ts';
import { builtinTokenizer as tok } from '../src/model/builtin-tokenizer.ts';
import { AdamW, clipByGlobalNorm, learningRate, type LrSchedule } from '../src/train/optimizer.ts';
import { latestCheckpoint, loadTrainerCheckpoint, saveTrainerCheckpoint } from '../src/train/checkpoint.ts';
import { sampleBaseExample, makeArithTask } from '../src/tasks/arith.ts';
import { parseHashAnswer } from '../src/tasks/answer.ts';
import { makeRng } from '../src/util/rng.ts';
import { TfjsEngine } from '../src/rollout/tfjs-engine.ts';

/** The S model of the policy-model issue; vocab 64 = the built-in tokenizer. */
export const BASE_MODEL_CONFIG: ModelConfig = ModelConfigSchema.parse({
  arch: 'llama', vocabSize: tok.vocabSize, hiddenSize: 128, numLayers: 4, numHeads: 4, numKvHeads: 4, ffnSize: 512,
  ropeTheta: 10000, rmsNormEps: 1e-6, tieEmbeddings: true, maxPositions: 512, eosTokenId: tok.eosTokenId,
});

const OptionsSchema = z.strictObject({
  out: z.string(),
  runDir: z.string(),
  /** Default 7,087 updates × 32 sequences ≈ 227k traces (~25M tokens): the committed models/base. */
  steps: z.coerce.number().int().positive(),
  batch: z.coerce.number().int().positive(),
  /** 2.5e-3: a high but stable peak for a 1M-parameter model with warmup and clipping. */
  lr: z.coerce.number().positive(),
  warmup: z.coerce.number().int().nonnegative(),
  minLrRatio: z.coerce.number().min(0).max(1),
  weightDecay: z.coerce.number().min(0),
  clip: z.coerce.number().positive(),
  seed: z.coerce.number().int().nonnegative(),
  saveEvery: z.coerce.number().int().positive(),
  /**
   * Time budget in minutes of training (0 = off). When set, the cosine
   * schedule runs on elapsed/budget instead of step/steps and training stops
   * when the budget is spent (or at --steps): the way to finish on a machine
   * whose speed is unknown or shared. The step count reached is recorded in
   * make-base.json; `--steps <that count>` (no budget) replays the same data.
   */
  minutes: z.coerce.number().min(0),
  probeEvery: z.coerce.number().int().nonnegative(),
  fresh: z.boolean(),
});
type Options = z.infer<typeof OptionsSchema>;

// ───────────────────────────── data ─────────────────────────────

const POOL_BATCHES = 8;
/** Mean response tokens + EOS per training sequence of the base mix (94.1 + 1, measured on 5,000 samples). */
const MEAN_TARGETS_PER_SEQ = 95;

interface Batch { tokens: tf.Tensor2D; mask: tf.Tensor2D; lossMask: tf.Tensor2D; targets: number }

/** Token ids of one training sequence and where its response starts. */
function encodeExample(prompt: string, response: string): { ids: number[]; promptLen: number } {
  const p = tok.encode(prompt);
  return { ids: [...p, ...tok.encode(response), tok.eosTokenId], promptLen: p.length };
}

/** The batches of pool `k`: examples sorted by length, cut into POOL_BATCHES batches, in a seeded order. */
function poolBatches(o: Options, k: number): { ids: number[]; promptLen: number }[][] {
  const rng = makeRng(`make-base|${o.seed}|pool|${k}`);
  const ex = Array.from({ length: o.batch * POOL_BATCHES }, () => {
    const e = sampleBaseExample(rng);
    return encodeExample(e.prompt, e.response);
  });
  ex.sort((a, b) => a.ids.length - b.ids.length);
  const batches = Array.from({ length: POOL_BATCHES }, (_, i) => ex.slice(i * o.batch, (i + 1) * o.batch));
  for (let i = batches.length - 1; i > 0; i--) {
    const j = rng.between(0, i);
    [batches[i], batches[j]] = [batches[j]!, batches[i]!];
  }
  return batches;
}

/** Right-padded tensors; lossMask[b, t] = 1 where token t+1 is a response token (or EOS). */
function toTensors(rows: { ids: number[]; promptLen: number }[]): Batch {
  const B = rows.length;
  const T = Math.max(...rows.map((r) => r.ids.length));
  const ids = new Int32Array(B * T).fill(tok.padTokenId);
  const mask = new Float32Array(B * T);
  const lm = new Float32Array(B * (T - 1));
  let targets = 0;
  rows.forEach((r, b) => {
    r.ids.forEach((id, t) => { ids[b * T + t] = id; mask[b * T + t] = 1; });
    for (let t = r.promptLen - 1; t < r.ids.length - 1; t++) { lm[b * (T - 1) + t] = 1; targets++; }
  });
  return { tokens: tf.tensor2d(ids, [B, T], 'int32'), mask: tf.tensor2d(mask, [B, T]), lossMask: tf.tensor2d(lm, [B, T - 1]), targets };
}

// ───────────────────────────── training ─────────────────────────────

/** One update: summed cross-entropy gradients over micro-batches, divided by the batch's target count. Returns mean loss and grad norm. */
function trainStep(policy: Policy, opt: AdamW, rows: { ids: number[]; promptLen: number }[], lr: number, clip: number, hfName: Map<string, string>) {
  const T = Math.max(...rows.map((r) => r.ids.length));
  const mb = microBatchSize(rows.length, T, policy.config);
  // Divide by a constant, not by this batch's own target count: batches are
  // length-sorted, and per-batch means would give the tokens of short
  // (direct/concise) batches more weight than those of long (verbose) ones,
  // skewing the learned style mix away from verbose.
  const totalTargets = rows.length * MEAN_TARGETS_PER_SEQ;
  const acc = new Map<string, tf.Tensor>();
  let lossSum = 0;
  for (let i = 0; i < rows.length; i += mb) {
    const b = toTensors(rows.slice(i, i + mb));
    const { value, grads } = tf.variableGrads(() => {
      const { logProbs } = sequenceLogProbs(policy, b.tokens, b.mask);
      return tf.div(tf.neg(tf.sum(tf.mul(logProbs, b.lossMask))), totalTargets) as tf.Scalar;
    }, policy.variables);
    lossSum += value.dataSync()[0]!;
    value.dispose();
    for (const [name, g] of Object.entries(grads)) {
      const key = hfName.get(name)!;
      const prev = acc.get(key);
      if (prev) { acc.set(key, tf.add(prev, g)); prev.dispose(); g.dispose(); } else acc.set(key, g);
    }
    b.tokens.dispose(); b.mask.dispose(); b.lossMask.dispose();
  }
  const { grads, norm } = clipByGlobalNorm(acc, clip);
  for (const g of acc.values()) g.dispose();
  if (Number.isFinite(norm)) opt.apply(grads, lr);
  for (const g of grads.values()) g.dispose();
  return { loss: lossSum, norm };
}

/** Accuracy and mean response length of `n` test problems sampled at temperature 1 (with the rollout engine). */
async function probe(policy: Policy, n: number, seed: number): Promise<{ acc: number; len: number }> {
  const task = makeArithTask();
  const ps = task.problems('test').slice(0, n);
  const engine = await TfjsEngine.create(policy, tok, { batchSize: n });
  const out = await engine.generate(ps.map((p, i) => ({ promptIds: tok.encode(task.formatPrompt(p)), n: 1, maxTokens: 240, seed: seed * n + i })), { temperature: 1 });
  await engine.dispose();
  let ok = 0, len = 0;
  out.forEach(([s], i) => { len += s!.tokens.length; if (parseHashAnswer(s!.text) === Number(ps[i]!.gold)) ok++; });
  return { acc: ok / n, len: len / n };
}

/** Write the final HF-layout checkpoint atomically (the policy-model loader reads it). */
async function writeBase(dir: string, config: ModelConfig, weights: NamedTensors, info: Record<string, unknown>): Promise<void> {
  const files: Record<string, string> = { ...tok.checkpointFiles(), 'make-base.json': JSON.stringify(info, null, 2) + '\n' };
  await saveCheckpoint(dir, { config, weights, files });
}

async function main(o: Options): Promise<void> {
  await initEngine();
  const eng = engineInfo();
  const config = BASE_MODEL_CONFIG;
  const policy = initPolicy(config, o.seed);
  const hfName = new Map([...policy.params].map(([hf, v]) => [v.name, hf]));
  const opt = new AdamW(policy.params, { betas: [0.9, 0.98], eps: 1e-8, weightDecay: o.weightDecay });
  const sched: LrSchedule = { lr: o.lr, warmupSteps: o.warmup, decay: 'cosine', minLrRatio: o.minLrRatio };
  let step = 0;
  let elapsed = 0; // seconds of training before this process (resume)
  let ema = NaN; // loss, exponential moving average (0.98)
  const last = o.fresh ? null : latestCheckpoint(o.runDir);
  if (last) {
    const ck = await loadTrainerCheckpoint(last);
    assignNamed(policy, ck.weights);
    opt.importState(ck.optimizer);
    step = ck.step;
    elapsed = Number(ck.state.elapsedSec ?? 0);
    ema = Number(ck.state.lossEma ?? NaN);
    console.log(`resuming from ${last} (step ${step})`);
  }
  console.log(`make-base: S model ${countParams(config)} params, ${o.steps} steps × ${o.batch} seqs, backend ${eng.backend}/${eng.kernel}`);
  const save = () => saveTrainerCheckpoint(o.runDir, {
    step, modelConfig: config, weights: policyToNamed(policy), optimizer: opt.exportState(),
    state: { elapsedSec: elapsed + (Date.now() - t0) / 1000, lossEma: ema, options: o },
    extraFiles: tok.checkpointFiles(),
  });
  const t0 = Date.now();
  let stopping = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => { stopping = true; });

  const tty = Boolean(process.stderr.isTTY);
  const bar = tty ? new cliProgress.SingleBar({ format: 'make-base [{bar}] {value}/{total} | loss {loss} | lr {lr} | {eta_formatted} left' }, cliProgress.Presets.shades_classic) : null;
  bar?.start(o.steps, step, { loss: '-', lr: '-' });
  let pool = -1;
  let batches: { ids: number[]; promptLen: number }[][] = [];
  const budget = o.minutes * 60;
  const timeFrac = () => (elapsed + (Date.now() - t0) / 1000) / budget;
  while (step < o.steps && !stopping && !(budget > 0 && timeFrac() >= 1)) {
    const k = Math.floor(step / POOL_BATCHES);
    if (k !== pool) { batches = poolBatches(o, k); pool = k; }
    const lr = budget > 0 && step >= o.warmup
      ? learningRate({ ...sched, warmupSteps: 0 }, Math.round(timeFrac() * 10000), 10001)
      : learningRate(sched, step, o.steps);
    const { loss, norm } = trainStep(policy, opt, batches[step % POOL_BATCHES]!, lr, o.clip, hfName);
    await new Promise((r) => setImmediate(r)); // let SIGINT/SIGTERM handlers run between steps
    ema = Number.isNaN(ema) ? loss : 0.98 * ema + 0.02 * loss;
    step++;
    const secs = elapsed + (Date.now() - t0) / 1000;
    if (bar) bar.update(step, { loss: ema.toFixed(3), lr: lr.toExponential(1) });
    else if (step % 25 === 0 || step === o.steps) {
      const left = budget > 0 ? (budget - secs) / 60 : ((secs / step) * (o.steps - step)) / 60;
      console.log(`step ${step}/${budget > 0 ? `${o.minutes} min` : o.steps} loss ${ema.toFixed(4)} (last ${loss.toFixed(4)}) gnorm ${norm.toFixed(2)} lr ${lr.toExponential(2)} ${secs.toFixed(0)}s (${left.toFixed(1)} min left)`);
    }
    if (step % o.saveEvery === 0 && step < o.steps) await save();
    if (budget > 0 && timeFrac() >= 1) break; // no probe after the budget
    if (o.probeEvery > 0 && step % o.probeEvery === 0 && step < o.steps) {
      const p = await probe(policy, 100, step);
      const line = `probe @${step}: accuracy ${(p.acc * 100).toFixed(0)}% (100 test problems, T=1), mean length ${p.len.toFixed(1)} tokens`;
      if (bar) bar.stop();
      console.log(line);
      bar?.start(o.steps, step, { loss: ema.toFixed(3), lr: lr.toExponential(1) });
    }
  }
  bar?.stop();
  await save();
  if (stopping) {
    console.log(`stopped at step ${step}; run again to resume`);
    return;
  }
  const secs = elapsed + (Date.now() - t0) / 1000;
  await writeBase(resolve(o.out), config, policyToNamed(policy), {
    script: 'scripts/make-base.ts', steps: step, minutes: o.minutes, batch: o.batch, lr: o.lr, warmup: o.warmup, seed: o.seed,
    finalLossEma: ema, trainSeconds: Math.round(secs), backend: `${eng.backend}/${eng.kernel}`,
    mix: '60% verbose / 30% concise / 10% direct (direct share 25/15/5/3/2% by difficulty 1..5)',
  });
  console.log(`wrote ${o.out} after ${(secs / 60).toFixed(1)} min of training (final loss ${ema.toFixed(4)})`);
  policy.dispose();
  opt.dispose();
}

const program = new Command('make-base')
  .description('Train the overthinking base model of the arith testbed (models/base)')
  .option('--out <dir>', 'output checkpoint directory', 'models/base')
  .option('--run-dir <dir>', 'resumable training state', 'runs/make-base')
  .option('--steps <n>', 'optimizer updates', '7087')
  .option('--batch <n>', 'sequences per update', '32')
  .option('--lr <x>', 'peak learning rate', '2.5e-3')
  .option('--warmup <n>', 'linear warmup updates', '100')
  .option('--min-lr-ratio <x>', 'final lr / peak lr (cosine)', '0.05')
  .option('--weight-decay <x>', 'AdamW decoupled weight decay (matrices)', '0.01')
  .option('--clip <x>', 'global gradient-norm clip', '1.0')
  .option('--seed <n>', 'init and data seed', '0')
  .option('--save-every <n>', 'checkpoint every n updates', '100')
  .option('--minutes <m>', 'training time budget; the LR schedule follows elapsed/budget (0 = off, use --steps)', '0')
  .option('--probe-every <n>', 'sample 100 test problems every n updates (0 = never)', '500')
  .option('--fresh', 'ignore existing checkpoints in --run-dir', false)
  .action(async (raw: Record<string, unknown>) => main(OptionsSchema.parse(raw)));

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  await program.parseAsync(process.argv);
}
