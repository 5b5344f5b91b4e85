/**
 * Batched temperature sampling with the decoder's KV cache, for make-base's
 * progress probes and eval-base (until a rollout engine is wired in there).
 * Each row stops at EOS or after `maxNewTokens`; rows run in lock-step.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createKvCache, decodeStep, prefill, type Policy } from '../src/model/decoder.ts';
import type { Rng } from '../src/util/rng.ts';

export interface SampleOptions {
  maxNewTokens: number;
  /** 1 = the model's own distribution (what the benchmarks measure). */
  temperature: number;
  eosTokenId: number;
  rng: Rng;
}

/** Sample index from softmax(logits / T) (T = 0: argmax). */
function sampleRow(logits: Float32Array, off: number, V: number, temperature: number, u: number): number {
  let best = 0;
  for (let i = 1; i < V; i++) if (logits[off + i]! > logits[off + best]!) best = i;
  if (temperature === 0) return best;
  const max = logits[off + best]!;
  let z = 0;
  const p = new Float64Array(V);
  for (let i = 0; i < V; i++) z += p[i] = Math.exp((logits[off + i]! - max) / temperature);
  let acc = 0;
  const target = u * z;
  for (let i = 0; i < V; i++) {
    acc += p[i]!;
    if (acc > target) return i;
  }
  return V - 1;
}

/** Generated token ids per prompt (EOS excluded) and whether each row stopped at EOS. */
export function sampleBatch(policy: Policy, prompts: number[][], o: SampleOptions): { tokens: number[][]; stopped: boolean[] } {
  const B = prompts.length;
  const V = policy.config.vocabSize;
  const maxPrompt = Math.max(...prompts.map((p) => p.length));
  const cache = createKvCache(policy, B, maxPrompt + o.maxNewTokens);
  const out: number[][] = prompts.map(() => []);
  const done = new Array<boolean>(B).fill(false);
  try {
    let logits = prefill(policy, cache, prompts);
    for (let step = 0; step < o.maxNewTokens; step++) {
      const data = logits.dataSync() as Float32Array;
      logits.dispose();
      const next = new Array<number>(B);
      for (let b = 0; b < B; b++) {
        const u = o.rng.next();
        if (done[b]) { next[b] = o.eosTokenId; continue; }
        const id = sampleRow(data, b * V, V, o.temperature, u);
        next[b] = id;
        if (id === o.eosTokenId) done[b] = true;
        else out[b]!.push(id);
      }
      if (done.every(Boolean) || step === o.maxNewTokens - 1) break;
      logits = decodeStep(policy, cache, next);
    }
  } finally {
    cache.dispose();
  }
  return { tokens: out, stopped: done };
}

export { tf };
