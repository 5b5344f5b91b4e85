/**
 * Tiny random-weight models in the exact Hugging Face layout with the real
 * Qwen tokenizer (scripts/make-tiny-hf.ts), one per arch: the directory loads,
 * the tfjs decoder and llama.cpp (our GGUF export, f32, exact mode) give the
 * same logits at every position (≤ 1e-4), and a checkpoint round-trip is
 * bit-exact. Fixtures are generated into a temp dir (≈ 40–80 MB each), not committed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initEngine } from '../../src/engine/index.ts';
import { loadCheckpoint, saveCheckpoint } from '../../src/model/checkpoint.ts';
import { forwardLogits, policyFromNamed } from '../../src/model/decoder.ts';
import { loadTokenizer, readTokenizerFiles } from '../../src/model/load-tokenizer.ts';
import type { Tokenizer } from '../../src/model/tokenizer.ts';
import { disposeLlamaRuntime, LlamaCppEngine } from '../../src/rollout/llama-cpp-engine.ts';
import { makeTinyHf, QWEN_TOKENS, QWEN_VOCAB_ROWS } from '../../scripts/make-tiny-hf.ts';

let root = '';
let tokenizer: Tokenizer;
beforeAll(async () => {
  await initEngine();
  root = mkdtempSync(path.join(os.tmpdir(), 'brevity-hf-fixtures-'));
});
afterAll(async () => {
  await disposeLlamaRuntime();
  rmSync(root, { recursive: true, force: true });
});

describe.each(['qwen3', 'qwen2', 'llama'] as const)('tiny %s HF fixture', (arch) => {
  let dir = '';
  beforeAll(async () => {
    dir = path.join(root, arch);
    // std 0.1: logits of order 1, so a 1e-4 agreement is a real check (std 0.02 gives logits ≈ 0.1).
    await makeTinyHf(arch, dir, { seed: 7, std: 0.1 });
    tokenizer ??= loadTokenizer(dir);
  });

  it('loads as the real layout: config, padded vocabulary, Qwen tokenizer and chat template', async () => {
    const hf = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
    expect(hf.model_type).toBe(arch);
    expect(hf.vocab_size).toBe(QWEN_VOCAB_ROWS);
    if (arch === 'qwen3') expect(hf).toMatchObject({ head_dim: 32, num_attention_heads: 4, hidden_size: 64, tie_word_embeddings: true });
    const ck = await loadCheckpoint(dir);
    expect(ck.config.arch).toBe(arch);
    expect(Object.keys(ck.files).sort()).toEqual(['generation_config.json', 'tokenizer.json', 'tokenizer_config.json']);
    expect(tokenizer.vocabSize).toBe(151669);
    expect(tokenizer.encode('<think>')).toEqual([QWEN_TOKENS.thinkOpen]);
    expect(tokenizer.eosTokenId).toBe(QWEN_TOKENS.imEnd);
  });

  it('tfjs and llama.cpp logits agree at every position (f32, ≤ 1e-4)', async () => {
    const ck = await loadCheckpoint(dir);
    const policy = policyFromNamed(ck.config, ck.weights);
    const engine = await LlamaCppEngine.create(ck.config, ck.weights, tokenizer);
    try {
      // Real text through the real tokenizer, plus a chat marker and a high id.
      const toks = [...tokenizer.encode('<|im_start|>user\nWhat is 12*7?<|im_end|>\n<think>'), 151000];
      const want = tf.tidy(() => forwardLogits(policy, tf.tensor2d([toks], [1, toks.length], 'int32')).arraySync()[0]);
      const got = await engine.logits(toks);
      let worst = 0, scale = 0;
      got.forEach((row, i) => row.forEach((v, j) => {
        worst = Math.max(worst, Math.abs(v - want[i][j]));
        scale = Math.max(scale, Math.abs(want[i][j]));
      }));
      expect(scale).toBeGreaterThan(0.5); // logits are not trivially small
      expect(worst).toBeLessThanOrEqual(1e-4);
    } finally {
      await engine.dispose();
      policy.dispose();
    }
  });

  it('checkpoint round-trip is bit-exact (weights, config, tokenizer files)', async () => {
    const ck = await loadCheckpoint(dir);
    const out = path.join(root, `${arch}-copy`);
    await saveCheckpoint(out, { config: ck.config, weights: ck.weights, files: readTokenizerFiles(dir) });
    expect(Buffer.compare(readFileSync(path.join(out, 'model.safetensors')), readFileSync(path.join(dir, 'model.safetensors')))).toBe(0);
    expect(JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8'))).toEqual(JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')));
    for (const f of ['tokenizer.json', 'tokenizer_config.json', 'generation_config.json'])
      expect(Buffer.compare(readFileSync(path.join(out, f)), readFileSync(path.join(dir, f)))).toBe(0);
    const back = await loadCheckpoint(out);
    expect(back.config).toEqual(ck.config);
    for (const [n, t] of ck.weights) expect(Buffer.compare(Buffer.from(back.weights.get(n)!.data.buffer), Buffer.from(t.data.buffer))).toBe(0);
    rmSync(out, { recursive: true, force: true });
  });
});
