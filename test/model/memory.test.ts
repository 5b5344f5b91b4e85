/**
 * Memory honesty: parameter counts against the published Qwen3-0.6B figures,
 * the estimate's arithmetic by hand, and a model too large for wasm failing
 * before any weight is read (through the CLI, on a config.json-only directory).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { countParams, fromHfConfig } from '../../src/model/config.ts';
import { activationBytesPerSequence, checkTrainingFits, estimateTrainingMemory, maxTrainableParams, MemoryBudgetError, WASM_HEAP_BYTES } from '../../src/model/memory.ts';

/** Qwen/Qwen3-0.6B config.json (the fields the decoder reads). */
const QWEN3_06B = {
  architectures: ['Qwen3ForCausalLM'], model_type: 'qwen3', attention_bias: false, bos_token_id: 151643, eos_token_id: 151645,
  head_dim: 128, hidden_act: 'silu', hidden_size: 1024, intermediate_size: 3072, max_position_embeddings: 40960,
  num_attention_heads: 16, num_hidden_layers: 28, num_key_value_heads: 8, rms_norm_eps: 1e-6, rope_scaling: null,
  rope_theta: 1000000, tie_word_embeddings: true, torch_dtype: 'bfloat16', use_sliding_window: false, vocab_size: 151936,
};

let root = '';
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'brevity-memory-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('training-memory estimate', () => {
  it('counts Qwen3-0.6B as published: 0.60B parameters, 0.44B without the embedding', () => {
    const c = fromHfConfig(QWEN3_06B);
    // per layer: q 2048·1024, k and v 1024·1024, o 1024·2048, q/k norms 2·128, MLP 3·1024·3072, two norms 2·1024
    const perLayer = 2048 * 1024 + 2 * 1024 * 1024 + 1024 * 2048 + 256 + 3 * 1024 * 3072 + 2048;
    expect(countParams(c)).toBe(28 * perLayer + 151936 * 1024 + 1024);
    expect(countParams(c)).toBe(596_049_920);
    expect((countParams(c) - 151936 * 1024) / 1e9).toBeCloseTo(0.44, 2);
  });

  it('adds weights, gradients, AdamW moments (16 bytes/param), the KL reference and micro-batch activations', () => {
    const c = fromHfConfig(QWEN3_06B);
    const P = 596_049_920;
    const m = estimateTrainingMemory(c, { seqLen: 1280, microBatch: 2, reference: true });
    expect(m.weights).toBe(4 * P);
    expect(m.gradients).toBe(4 * P);
    expect(m.adam).toBe(8 * P);
    expect(m.reference).toBe(4 * P);
    expect(m.activations).toBeCloseTo(2 * activationBytesPerSequence(1280, c), 0);
    expect(m.total).toBeCloseTo(20 * P + m.activations, 0);
    // Activation formula by hand for one layer-free piece: the head is T·5·V f32 values, ×2 (grads) ×1.15.
    const headOnly = 1.15 * 2 * 4 * 1280 * 5 * 151936;
    expect(activationBytesPerSequence(1280, c)).toBeGreaterThan(headOnly);
  });

  it('refuses Qwen3-0.6B on wasm with the figure and the fix, accepts it on tfjs-node-gpu, accepts a tiny model on wasm', () => {
    const c = fromHfConfig(QWEN3_06B);
    const m = estimateTrainingMemory(c, { seqLen: 1280, microBatch: 1 });
    expect(m.total).toBeGreaterThan(WASM_HEAP_BYTES);
    let err: Error | undefined;
    try {
      checkTrainingFits(c, m, 'wasm', 'models/qwen3-0.6b');
    } catch (e) {
      err = e as Error;
    }
    expect(err).toBeInstanceOf(MemoryBudgetError);
    expect(err!.message).toMatch(/models\/qwen3-0\.6b: training needs ≈ [\d.]+ GiB but the wasm backend caps memory at 4 GiB/);
    expect(err!.message).toMatch(/tfjs-node-gpu/);
    expect(err!.message).toMatch(/AdamW moments +4\.44 GiB/);
    expect(() => checkTrainingFits(c, m, 'tfjs-node-gpu')).not.toThrow();
    const tiny = fromHfConfig({ ...QWEN3_06B, hidden_size: 64, head_dim: 32, num_attention_heads: 4, num_key_value_heads: 2, intermediate_size: 192, num_hidden_layers: 2 });
    expect(() => checkTrainingFits(tiny, estimateTrainingMemory(tiny, { seqLen: 300, microBatch: 1 }), 'wasm')).not.toThrow();
    // At Qwen3's shape one 1,280-token sequence's activations (the 151,936-way softmax dominates) exceed the cap by themselves.
    expect(maxTrainableParams(c, WASM_HEAP_BYTES, 1280)).toBe(0);
    expect(err!.message).toMatch(/activations alone take/);
    // At the tiny shape: (4 GiB − one sequence's activations) / 16 bytes.
    const fit = maxTrainableParams(tiny, WASM_HEAP_BYTES, 300);
    expect(fit).toBe(Math.floor((WASM_HEAP_BYTES - activationBytesPerSequence(300, tiny)) / 16));
    expect(fit).toBeGreaterThan(countParams(tiny));
  });

  it('brevity train fails before loading (no weights even exist) and doctor prints the estimate', () => {
    const dir = path.join(root, 'qwen3-0.6b');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(QWEN3_06B));
    const env = { ...process.env, BREVITY_BACKEND: 'wasm' };
    const train = spawnSync('node', ['bin/brevity.js', 'train', 'recipes/qwen3-dler-gsm8k.yaml', '--no-eval', '--set', `model.checkpoint=${dir}`,
      '--set', `run.outputDir=${root}/runs`], { encoding: 'utf8', env, timeout: 120_000 });
    const out = `${train.stdout}${train.stderr}`;
    expect(train.status, out).not.toBe(0);
    expect(out).toMatch(/training needs ≈ [\d.]+ GiB but the wasm backend caps memory at 4 GiB/);
    expect(out).not.toMatch(/model\.safetensors/); // it never tried to read the weights
    const doc = spawnSync('node', ['bin/brevity.js', 'doctor', '--model', dir, '--recipe', 'recipes/qwen3-dler-gsm8k.yaml'], { encoding: 'utf8', env, timeout: 120_000 });
    expect(doc.stdout).toMatch(/parameters +596\.0M/);
    expect(doc.stdout).toMatch(/DOES NOT FIT/);
    expect(doc.status).toBe(1);
  });
});
