/**
 * Rollout–trainer mismatch on a real quantised engine: a q8_0 llama.cpp copy
 * of a small policy samples, the f32 tfjs trainer learns.
 *
 * Bias, computed exactly (no sampling noise): on a 16-token vocabulary with
 * completions of a fixed length L, every completion y is enumerated, with μ(y)
 * from the q8_0 engine's logits and π(y) from the trainer's f32 forward. The
 * expected policy gradient of the clipped loss at θ = θ_old (first update of a
 * step) for batches drawn from a sampler q is
 *     g_q = −E_{y∼q}[ Σ_t w_t(y) A(y) ∇ log π_θ(y_t | y_<t) ],
 * obtained as the gradient of the real tfjs clipped loss over all |V|^L rows
 * with advantages q(y)·A(y) (seq-mean-token-sum-norm with constant 1 keeps the
 * loss linear in the rows). The f32 on-policy reference is g_π with w = 1; the
 * engine's is g_μ with w = 1 (uncorrected) or with the TIS/MIS weights from the
 * engine's log-probs. Bias = ‖g − g_π‖ / ‖g_π‖ over all model parameters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.ts';
import { policyFromNamed, sequenceLogProbs, type Policy } from '../../src/model/decoder.ts';
import { disposeLlamaRuntime, LlamaCppEngine } from '../../src/rollout/llama-cpp-engine.ts';
import { rowTensors, type TrainRow } from '../../src/train/batch.ts';
import { ClippedLossSchema } from '../../src/train/loss-config.ts';
import { clippedLoss } from '../../src/train/losses.ts';
import { alignRolloutLogProbs, mismatchMetrics, rolloutWeightsPlain } from '../../src/train/rollout-correction.ts';
import { rolloutWeightsTf } from '../../src/train/rollout-correction-tf.ts';
import { rowLogProbs } from '../../src/train/update.ts';
import { randomWeights, tinyConfig, tinyVocab } from '../rollout/fixtures.ts';

const V = 8;
const L = 3;
const PROMPT = [3, 7];
const config = tinyConfig('qwen2', { vocabSize: V });
const weights = randomWeights(config, 41, 0.45);
const vocab = tinyVocab(V);
const tokenizer = { vocabSize: V, eosTokenId: 0, decode: vocab.decode, tokenString: (id: number) => vocab.tokens[id] };

let policy: Policy;
const engines: Record<string, LlamaCppEngine> = {};
beforeAll(async () => {
  await initEngine();
  policy = policyFromNamed(config, weights);
  for (const dtype of ['q8_0'] as const) engines[dtype] = await LlamaCppEngine.create(config, weights, tokenizer, { dtype, sequencesPerContext: 16 });
});
afterAll(async () => {
  for (const e of Object.values(engines)) await e.dispose();
  await disposeLlamaRuntime();
  policy?.dispose();
});

const logSoftmax = (row: ArrayLike<number>): number[] => {
  let mx = -Infinity;
  for (let i = 0; i < row.length; i++) mx = Math.max(mx, row[i]);
  let z = 0;
  for (let i = 0; i < row.length; i++) z += Math.exp(row[i] - mx);
  const lz = mx + Math.log(z);
  return Array.from(row, (v) => v - lz);
};

/** Every completion of length L, as training rows (advantage filled later). */
function allRows(): TrainRow[] {
  const rows: TrainRow[] = [];
  for (let i = 0; i < V ** L; i++) {
    const y = Array.from({ length: L }, (_, k) => Math.floor(i / V ** (L - 1 - k)) % V);
    rows.push({ tokens: [...PROMPT, ...y], promptLength: PROMPT.length, advantage: 0, group: 0, correct: false, reward: 0, truncated: false });
  }
  return rows;
}

/** Engine per-token log-probs of every row's completion (one logits call per distinct length-(L−1) prefix). */
async function engineLogProbs(engine: LlamaCppEngine, rows: TrainRow[]): Promise<Float32Array[]> {
  const byPrefix = new Map<string, number[][]>();
  for (const r of rows) {
    const key = r.tokens.slice(0, -1).join(',');
    if (!byPrefix.has(key)) byPrefix.set(key, (await engine.logits(r.tokens.slice(0, -1))).map(logSoftmax));
  }
  return rows.map((r) => {
    const lp = byPrefix.get(r.tokens.slice(0, -1).join(','))!;
    const y = r.tokens.slice(PROMPT.length);
    return alignRolloutLogProbs(PROMPT.length, L, y.map((tok, k) => lp[PROMPT.length - 1 + k][tok]))!;
  });
}

/** A fixed, sequence-dependent advantage in [−1, 1]. */
const advantageOf = (y: number[]) => Math.sin(1 + 7 * y[0] + 3 * y[1] * y[1] + 11 * y[y.length - 1]);

/** Flat gradient of the clipped loss over all rows, with advantages q(y)·A(y). */
function expectedGradient(rows: TrainRow[], q: number[], correction: object): Float64Array {
  const spec = { aggregation: 'seq-mean-token-sum-norm', normConstant: 1, rolloutCorrection: correction };
  // The schema with or without its `type` key (whichever it wants).
  const cfg = ClippedLossSchema.safeParse(spec).success ? ClippedLossSchema.parse(spec) : ClippedLossSchema.parse({ ...spec, type: 'clipped' });
  const { grads } = tf.tidy(() => {
    const { tokens, mask, lossMask, T } = rowTensors(rows);
    const pad = (pick: (r: TrainRow) => Float32Array) => {
      const out = new Float32Array(rows.length * (T - 1));
      rows.forEach((r, i) => out.set(pick(r), i * (T - 1)));
      return tf.tensor2d(out, [rows.length, T - 1]);
    };
    const old = pad((r) => r.old!);
    const rollout = pad((r) => r.rollout!);
    const adv = tf.tensor1d(rows.map((r, i) => q[i] * advantageOf(r.tokens.slice(PROMPT.length))));
    return tf.variableGrads(() => {
      const { logProbs } = sequenceLogProbs(policy, tokens, mask);
      return clippedLoss(cfg, { logProbs, oldLogProbs: old, rolloutLogProbs: rollout, mask: lossMask, advantages: adv }).loss;
    }, policy.variables);
  });
  const parts = policy.variables.map((v) => grads[v.name].dataSync() as Float32Array);
  Object.values(grads).forEach((g) => g.dispose());
  const flat = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    flat.set(p, o);
    o += p.length;
  }
  return flat;
}

const relErr = (g: Float64Array, ref: Float64Array) => {
  let d = 0;
  let n = 0;
  g.forEach((v, i) => {
    d += (v - ref[i]) ** 2;
    n += ref[i] ** 2;
  });
  return Math.sqrt(d / n);
};

const seqProb = (lp: Float32Array) => Math.exp(lp.slice(PROMPT.length - 1).reduce((a, v) => a + v, 0));

describe('q8_0 llama.cpp rollouts, f32 trainer', () => {
  it('the engine reports log-probs of the distribution it sampled: log-softmax of its own logits (q8_0), ≠ the trainer', async () => {
    const e = engines.q8_0;
    const [samples] = await e.generate([{ promptIds: PROMPT, n: 8, maxTokens: 4, seed: 5 }], { temperature: 1, logprobs: true, ignoreEos: true });
    let diffTrainer = 0;
    const rows: TrainRow[] = samples.map((s) => ({ tokens: [...PROMPT, ...s.tokens], promptLength: PROMPT.length, advantage: 0, group: 0, correct: false, reward: 0, truncated: false }));
    const old = rowLogProbs(policy, rows, 8);
    for (const [i, s] of samples.entries()) {
      const lg = (await e.logits([...PROMPT, ...s.tokens])).map(logSoftmax);
      s.tokens.forEach((tok, k) => {
        expect(Math.abs(s.logprobs![k] - lg[PROMPT.length - 1 + k][tok])).toBeLessThan(2e-5);
        diffTrainer = Math.max(diffTrainer, Math.abs(s.logprobs![k] - old[i][PROMPT.length - 1 + k]));
      });
      rows[i].old = old[i];
      rows[i].rollout = alignRolloutLogProbs(PROMPT.length, s.tokens.length, s.logprobs);
    }
    expect(diffTrainer).toBeGreaterThan(1e-4); // quantisation is visible in the log-probs
    // TIS/MIS weights from these engine log-probs: tfjs equals the float64 oracle.
    const T = 4 + PROMPT.length - 1;
    const oldM = rows.map((r) => Array.from(r.old!));
    const rolM = rows.map((r) => Array.from(r.rollout!));
    const mask = rows.map(() => Array.from({ length: T }, (_, t) => (t >= PROMPT.length - 1 ? 1 : 0)));
    for (const mode of ['tis', 'mis'] as const)
      for (const level of ['token', 'sequence'] as const) {
        const cfg = { mode, level, cap: 1.0005 }; // a cap the q8_0 ratios cross, so both branches occur
        const want = rolloutWeightsPlain(cfg, oldM, rolM, mask);
        const got = tf.tidy(() => rolloutWeightsTf(cfg, tf.tensor2d(oldM), tf.tensor2d(rolM), tf.tensor2d(mask)).weights.arraySync() as number[][]);
        got.forEach((row, b) => row.forEach((v, t) => expect(v).toBeCloseTo(want[b][t], 5)));
      }
    const m = mismatchMetrics(rows);
    console.log(`q8_0 sampled rollouts: mismatch/kl ${m['mismatch/kl'].toExponential(2)}, max_ratio ${m['mismatch/max_ratio'].toFixed(5)}`);
    expect(m['mismatch/kl']).toBeGreaterThan(0);
  });

  it('TIS/MIS weights from the q8_0 engine log-probs reduce the expected policy-gradient bias against the f32 on-policy gradient', async () => {
    const rows = allRows();
    rowLogProbs(policy, rows, 512).forEach((lp, i) => (rows[i].old = lp));
    const pi = rows.map((r) => seqProb(r.old!));
    const lp = await engineLogProbs(engines.q8_0, rows);
    rows.forEach((r, i) => (r.rollout = lp[i]));
    const mu = rows.map((r) => seqProb(r.rollout!));
    expect(mu.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 4);
    const ref = expectedGradient(rows, pi, { mode: 'none' }); // f32 on-policy: samples from π, no weights
    const bias: Record<string, number> = {};
    for (const [name, rc] of [
      ['none', { mode: 'none' }],
      ['tis/token', { mode: 'tis', level: 'token' }],
      ['tis/sequence', { mode: 'tis', level: 'sequence' }],
      ['tis/sequence cap 1.05', { mode: 'tis', level: 'sequence', cap: 1.05 }],
      ['mis/sequence cap 1.05', { mode: 'mis', level: 'sequence', cap: 1.05 }],
    ] as const)
      bias[name] = relErr(expectedGradient(rows, mu, rc), ref);
    const klPerToken = mu.reduce((a, m, i) => a + m * Math.log(m / pi[i]), 0) / L;
    const maxSeqRatio = Math.max(...pi.map((p, i) => p / mu[i]));
    console.log(`q8_0 vs f32: exact KL(μ‖π) ${klPerToken.toExponential(2)}/token, max π/μ per sequence ${maxSeqRatio.toFixed(3)}; ` +
      `relative bias ‖g − g_f32‖/‖g_f32‖: ${Object.entries(bias).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ')}`);
    expect(klPerToken).toBeGreaterThan(1e-5); // q8_0 really samples another distribution
    expect(bias.none).toBeGreaterThan(1e-2); // ≫ float32 noise (an f32 engine gives ~1e-6)
    expect(bias['tis/token']).toBeLessThan(0.8 * bias.none);
    // Sequence-level weights below the cap are exact importance sampling: the bias vanishes to float32 noise.
    expect(bias['tis/sequence']).toBeLessThan(1e-3 * bias.none);
    // (MIS equals TIS there: no ratio reaches the default cap 3.)
    expect(maxSeqRatio).toBeLessThan(3);
    // A cap the ratios cross: truncation keeps part of the correction; masking drops the
    // under-sampled sequences (π/μ > C) altogether, which here costs more than it corrects.
    expect(bias['tis/sequence cap 1.05']).toBeGreaterThan(bias['tis/sequence']);
    expect(bias['tis/sequence cap 1.05']).toBeLessThan(bias.none);
    expect(bias['mis/sequence cap 1.05']).toBeGreaterThan(bias['tis/sequence cap 1.05']);
  });
});
