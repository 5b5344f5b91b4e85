/** Acceptance: llama.cpp exact-mode logits equal the tfjs decoder forward (≤ 1e-4) at every position. */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { initEngine } from '../../src/engine/index.ts';
import { forwardLogits, initPolicy, policyFromNamed, policyToNamed } from '../../src/model/decoder.ts';
import { disposeLlamaRuntime, LlamaCppEngine } from '../../src/rollout/llama-cpp-engine.ts';
import { randomWeights, tinyConfig, tinyVocab } from './fixtures.ts';

const vocab = tinyVocab(16);
const tokenizer = { vocabSize: 16, eosTokenId: 0, decode: vocab.decode, tokenString: (id: number) => vocab.tokens[id] };
afterAll(() => disposeLlamaRuntime());

describe('llama.cpp vs tfjs decoder', () => {
  for (const arch of ['qwen2', 'llama', 'qwen3'] as const) {
    for (const init of ['initPolicy', 'random ±0.3'] as const) {
      it(`${arch} (${init}, GQA 4/2): every position ≤ 1e-4`, async () => {
        await initEngine();
        // qwen3: head_dim 12 ≠ hidden/heads (32/4), as in the real checkpoints (1024/16 vs 128).
        const config = tinyConfig(arch, { tieEmbeddings: init === 'initPolicy', ...(arch === 'qwen3' ? { headDim: 12 } : {}) });
        const policy = init === 'initPolicy' ? initPolicy(config, 3) : policyFromNamed(config, randomWeights(config, 4));
        const weights = policyToNamed(policy);
        const e = await LlamaCppEngine.create(config, weights, tokenizer);
        try {
          const toks = [1, 4, 9, 2, 15, 3, 3, 8, 0, 5, 12, 7];
          const want = tf.tidy(() => forwardLogits(policy, tf.tensor2d([toks], [1, toks.length], 'int32')).arraySync()[0]);
          const got = await e.logits(toks);
          let d = 0;
          got.forEach((row, i) => row.forEach((v, j) => (d = Math.max(d, Math.abs(v - want[i][j])))));
          expect(d).toBeLessThan(1e-4);
        } finally {
          await e.dispose();
          policy.dispose();
        }
      });
    }
  }
});
