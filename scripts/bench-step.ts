/**
 * The training step bench:model and bench:peer time: forward + backward of
 * the mean token log-prob (sequenceLogProbs) with micro-batching from
 * microBatchSize, global-norm clipping and an AdamW update, on batch B × seq T
 * random tokens (all real), for the S and M decoders.
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseModelConfig, type ModelConfig } from '../src/model/config.ts';
import { initPolicy, microBatchSize, sequenceLogProbs, type Policy } from '../src/model/decoder.ts';
import { AdamW, clipByGlobalNorm } from '../src/train/optimizer.ts';

export const SIZES: Record<string, ModelConfig> = {
  S: parseModelConfig({ arch: 'llama', vocabSize: 64, hiddenSize: 128, numLayers: 4, numHeads: 4, numKvHeads: 4, ffnSize: 512, eosTokenId: 0 }),
  M: parseModelConfig({ arch: 'llama', vocabSize: 64, hiddenSize: 256, numLayers: 6, numHeads: 8, numKvHeads: 8, ffnSize: 1024, eosTokenId: 0 }),
};
export const B = Number(process.env.BENCH_BATCH ?? 16);
export const T = Number(process.env.BENCH_SEQ ?? 256);

export function stepFlops(c: ModelConfig): number {
  const hd = c.hiddenSize / c.numHeads;
  const linear = c.numLayers * (c.hiddenSize * (c.numHeads + 2 * c.numKvHeads) * hd + c.numHeads * hd * c.hiddenSize + 3 * c.hiddenSize * c.ffnSize);
  const head = c.vocabSize * c.hiddenSize;
  const attention = 4 * B * c.numLayers * T * T * c.hiddenSize;
  return 3 * (2 * B * T * (linear + head) + attention);
}

export function wasmHeapBytes(): number | null {
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.length ?? null;
}

/** One AdamW step over micro-batches; returns the loss. */
function trainStep(policy: Policy, opt: AdamW, tokens: tf.Tensor2D, mask: tf.Tensor2D, mb: number): number {
  let acc: Map<string, tf.Tensor> | null = null;
  let lossSum = 0;
  for (let s = 0; s < B; s += mb) {
    const n = Math.min(mb, B - s);
    const { value, grads } = tf.tidy(() => {
      const tk = tf.slice(tokens, [s, 0], [n, T]) as tf.Tensor2D;
      const mk = tf.slice(mask, [s, 0], [n, T]) as tf.Tensor2D;
      return tf.variableGrads(() => {
        const { logProbs } = sequenceLogProbs(policy, tk, mk);
        return tf.div(tf.neg(tf.sum(logProbs)), B * (T - 1)) as tf.Scalar;
      }, policy.variables);
    });
    lossSum += value.dataSync()[0];
    value.dispose();
    const byName = new Map<string, tf.Tensor>();
    for (const [name, v] of policy.params) byName.set(name, grads[v.name]);
    if (!acc) acc = byName;
    else {
      for (const [name, g] of byName) {
        const sum = tf.add(acc.get(name)!, g);
        acc.get(name)!.dispose();
        g.dispose();
        acc.set(name, sum);
      }
    }
  }
  const { grads } = clipByGlobalNorm(acc!, 1.0);
  opt.apply(grads, 1e-3);
  for (const g of [...acc!.values(), ...grads.values()]) g.dispose();
  return lossSum;
}

export function bench(size: string, kernel: string, steps: number): { ms: number; cpuMs: number; gflops: number; loss: number; mb: number } {
  const config = SIZES[size];
  const policy = initPolicy(config, 1);
  const opt = new AdamW(policy.params, { betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0.01 });
  let seed = 12345;
  const ids = Int32Array.from({ length: B * T }, () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) % config.vocabSize);
  const tokens = tf.tensor2d(ids, [B, T], 'int32');
  const mask = tf.ones([B, T]) as tf.Tensor2D;
  const mb = microBatchSize(B, T, config);
  const warm = kernel === 'stock' ? 0 : 1;
  for (let i = 0; i < warm; i++) trainStep(policy, opt, tokens, mask, mb);
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let loss = 0;
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    loss = trainStep(policy, opt, tokens, mask, mb);
    const c = process.cpuUsage(c0);
    cpuTimes.push((c.user + c.system) / 1000);
    times.push(performance.now() - t0);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ms = median(times);
  const cpuMs = median(cpuTimes);
  tokens.dispose();
  mask.dispose();
  opt.dispose();
  policy.dispose();
  return { ms, cpuMs, gflops: stepFlops(config) / (ms / 1000) / 1e9, loss, mb };
}

