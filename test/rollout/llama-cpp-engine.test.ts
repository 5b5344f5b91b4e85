import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeLlamaRuntime, LlamaCppEngine } from '../../src/rollout/llama-cpp-engine.ts';
import { conformance } from './conformance.ts';
import { randomWeights, tinyConfig, tinyVocab } from './fixtures.ts';
import { referenceLogits, to64 } from '../model/reference.ts';

const vocab = tinyVocab(16);
const tokenizer = {
  vocabSize: 16, eosTokenId: 0, decode: vocab.decode, tokenString: (id: number) => vocab.tokens[id],
};
const engines: LlamaCppEngine[] = [];
async function make(arch: 'llama' | 'qwen2', seed: number, opts = {}) {
  const config = tinyConfig(arch);
  const weights = randomWeights(config, seed);
  const e = await LlamaCppEngine.create(config, weights, tokenizer, opts);
  engines.push(e);
  return { e, config, weights };
}
function maxDiff(a: ArrayLike<number>[], b: ArrayLike<number>[]): number {
  let d = 0;
  a.forEach((row, i) => Array.from(row).forEach((v, j) => (d = Math.max(d, Math.abs(v - b[i][j])))));
  return d;
}
afterAll(async () => {
  for (const e of engines) await e.dispose();
  await disposeLlamaRuntime();
});

describe('LlamaCppEngine exact-mode logits', () => {
  for (const arch of ['qwen2', 'llama'] as const) {
    it(`${arch}: equal an independent float64 forward at every position (≤ 1e-4)`, async () => {
      const { e, config, weights } = await make(arch, 11);
      const toks = [1, 4, 9, 2, 15, 3, 3, 8, 0, 5];
      expect(maxDiff(await e.logits(toks), referenceLogits(config, to64(weights), toks))).toBeLessThan(1e-4);
    });
  }

  it('in-place weight refresh gives the new weights logits (and q8_0 matches a fresh load)', async () => {
    const toks = [2, 5, 7, 11];
    for (const dtype of ['f32', 'q8_0'] as const) {
      const { e, config } = await make('qwen2', 21, { dtype });
      const w2 = randomWeights(config, 22);
      const r = await e.updateWeights(w2);
      expect(r.mode).toBe('in-place');
      const fresh = (await make('qwen2', 22, { dtype })).e;
      const got = await e.logits(toks);
      expect(maxDiff(got, await fresh.logits(toks))).toBeLessThan(1e-5);
      if (dtype === 'f32') expect(maxDiff(got, referenceLogits(config, to64(w2), toks))).toBeLessThan(1e-4);
    }
  });
});

describe('LlamaCppEngine sampling', () => {
  let engine: LlamaCppEngine;
  const config = tinyConfig('llama');
  const weights = randomWeights(config, 5);
  beforeAll(async () => {
    engine = await LlamaCppEngine.create(config, weights, tokenizer, { sequencesPerContext: 32 });
    engines.push(engine);
  });
  conformance({ engine: () => engine, config, weights, draws: 1500 });
});
