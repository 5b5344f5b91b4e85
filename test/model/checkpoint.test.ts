import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initEngine } from '../../src/engine/index.ts';
import { loadCheckpoint, saveCheckpoint } from '../../src/model/checkpoint.ts';
import { expectedWeightShapes, fromHfConfig, parseModelConfig, toHfConfig, type NamedTensors } from '../../src/model/config.ts';
import { decodeSafetensors, encodeSafetensors } from '../../src/model/safetensors.ts';
import { writeFileAtomic } from '../../src/model/atomic.ts';
import { forwardLogits, policyFromNamed } from '../../src/model/decoder.ts';
import { randomNamed, tinyQwen2 } from './helpers.ts';

let root: string;
beforeAll(async () => {
  await initEngine();
  root = mkdtempSync(path.join(os.tmpdir(), 'brevity-ckpt-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Test-local safetensors writer for half-precision dtypes (what HF hubs ship). */
function encodeHalf(tensors: NamedTensors, dtype: (name: string) => 'BF16' | 'F16' | 'F32'): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const chunks: Uint8Array[] = [];
  let off = 0;
  for (const [name, t] of tensors) {
    const dt = dtype(name);
    let bytes: Uint8Array;
    if (dt === 'F32') bytes = new Uint8Array(t.data.buffer.slice(0));
    else {
      const h = new Uint16Array(t.data.length);
      const u = new Uint32Array(t.data.buffer);
      for (let i = 0; i < h.length; i++) {
        if (dt === 'BF16') h[i] = u[i] >>> 16; // truncate
        else {
          // f32 → f16 (normal range only; test data is in [-2, 2])
          const x = t.data[i];
          const s = x < 0 ? 0x8000 : 0;
          const a = Math.abs(x);
          if (a < 2 ** -14) h[i] = s | Math.round(a / 2 ** -24);
          else {
            const e = Math.floor(Math.log2(a));
            const m = Math.round((a / 2 ** e - 1) * 1024);
            h[i] = s | ((e + 15) << 10) | m;
          }
        }
      }
      bytes = new Uint8Array(h.buffer);
    }
    header[name] = { dtype: dt, shape: t.shape, data_offsets: [off, off + bytes.length] };
    chunks.push(bytes);
    off += bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let p = 8 + json.length;
  for (const c of chunks) {
    out.set(c, p);
    p += c.length;
  }
  return out;
}

describe('safetensors', () => {
  it('round-trips f32 bit-exactly and upcasts bf16/f16', () => {
    const named = randomNamed(tinyQwen2(false), 1);
    const back = decodeSafetensors(encodeSafetensors(named)).tensors;
    for (const [n, t] of named) expect(Buffer.from(back.get(n)!.data.buffer).equals(Buffer.from(t.data.buffer))).toBe(true);
    const half = decodeSafetensors(encodeHalf(named, (n) => (n.includes('mlp') ? 'F16' : 'BF16')));
    for (const [n, t] of named) {
      const got = half.tensors.get(n)!.data;
      const tol = n.includes('mlp') ? 2e-3 : 1e-2;
      for (let i = 0; i < t.data.length; i++) expect(Math.abs(got[i] - t.data[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(t.data[i])));
      expect(half.dtypes.get(n)).toBe(n.includes('mlp') ? 'F16' : 'BF16');
    }
  });

  it('rejects truncated files with a clear message', () => {
    const buf = encodeSafetensors(randomNamed(tinyQwen2(true), 2));
    expect(() => decodeSafetensors(buf.slice(0, buf.length - 10), 'x.safetensors')).toThrow(/x\.safetensors: tensor ".*" data_offsets/);
  });
});

describe('checkpoints', () => {
  it('save → load is bit-exact, with config and extra files', async () => {
    const config = tinyQwen2(false);
    const weights = randomNamed(config, 3);
    const dir = path.join(root, 'rt');
    const bin = new Uint8Array([0, 1, 2, 255]);
    await saveCheckpoint(dir, { config, weights, files: { 'trainer_state.json': '{"step":3}', 'optim/adam.bin': bin } });
    const ck = await loadCheckpoint(dir);
    expect(ck.config).toEqual(config);
    expect([...ck.weights.keys()].sort()).toEqual([...weights.keys()].sort());
    for (const [n, t] of weights) {
      expect(ck.weights.get(n)!.shape).toEqual(t.shape);
      expect(Buffer.from(ck.weights.get(n)!.data.buffer).equals(Buffer.from(t.data.buffer))).toBe(true);
    }
    expect(Buffer.from(ck.files['trainer_state.json']).toString()).toBe('{"step":3}');
    expect([...ck.files['optim/adam.bin']]).toEqual([...bin]);
    // Saving again replaces the directory (no stale files, no temp siblings left).
    await saveCheckpoint(dir, { config, weights });
    expect(existsSync(path.join(dir, 'trainer_state.json'))).toBe(false);
    expect(readdirSync(root).filter((f) => f.startsWith('rt'))).toEqual(['rt']);
    const hf = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8'));
    expect(hf).toMatchObject({ model_type: 'qwen2', vocab_size: 13, hidden_size: 16, num_key_value_heads: 2, tie_word_embeddings: false });
  });

  it.each([true, false])('loads a test-made Qwen2-shaped HF directory (GQA, q/k/v biases, bf16/f16, tied=%s) and runs a forward', async (tied) => {
    const dir = path.join(root, `qwen2-${tied}`);
    mkdirSync(dir, { recursive: true });
    const hfConfig = {
      architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', attention_dropout: 0, bos_token_id: 1, eos_token_id: 2, hidden_act: 'silu',
      hidden_size: 32, initializer_range: 0.02, intermediate_size: 48, max_position_embeddings: 256, max_window_layers: 2,
      num_attention_heads: 4, num_hidden_layers: 2, num_key_value_heads: 2, rms_norm_eps: 1e-6, rope_theta: 1000000,
      sliding_window: 256, tie_word_embeddings: tied, torch_dtype: 'bfloat16', transformers_version: '4.43.1', use_cache: true,
      use_sliding_window: false, vocab_size: 40,
    };
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(hfConfig));
    const config = fromHfConfig(hfConfig);
    const weights = randomNamed(config, 4, 0.1);
    writeFileSync(path.join(dir, 'model.safetensors'), encodeHalf(weights, (n) => (n.endsWith('bias') ? 'F32' : 'BF16')));
    writeFileSync(path.join(dir, 'generation_config.json'), '{}');
    const ck = await loadCheckpoint(dir);
    expect(ck.config).toMatchObject({ arch: 'qwen2', numHeads: 4, numKvHeads: 2, tieEmbeddings: tied, ropeTheta: 1e6, bosTokenId: 1, eosTokenId: 2 });
    expect(ck.weights.has('lm_head.weight')).toBe(!tied);
    expect(Object.keys(ck.files)).toEqual(['generation_config.json']);
    const policy = policyFromNamed(ck.config, ck.weights);
    const logits = tf.tidy(() => forwardLogits(policy, tf.tensor2d([[1, 5, 7, 9, 2]], [1, 5], 'int32')).dataSync());
    expect(logits.length).toBe(5 * 40);
    expect(logits.every(Number.isFinite)).toBe(true);
    policy.dispose();
  });

  it('fails naming the missing tensor, the wrong shape, the unknown arch and the bad field', async () => {
    const config = tinyQwen2(true);
    const weights = randomNamed(config, 5);
    const dir = path.join(root, 'bad');
    await saveCheckpoint(dir, { config, weights });
    const st = path.join(dir, 'model.safetensors');
    const cfgPath = path.join(dir, 'config.json');
    const goodCfg = readFileSync(cfgPath, 'utf8');
    const goodSt = readFileSync(st);

    // With its manifest, any change to a file is caught first, naming the file.
    writeFileSync(st, goodSt.subarray(0, goodSt.length - 100));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/damaged checkpoint: model\.safetensors has \d+ bytes, the manifest says \d+/);
    writeFileSync(cfgPath, goodCfg.replace('"', "'"));
    writeFileSync(st, goodSt);
    await expect(loadCheckpoint(dir)).rejects.toThrow(/damaged checkpoint: config\.json does not match its SHA-256/);
    writeFileSync(cfgPath, goodCfg);
    await expect(loadCheckpoint(dir)).resolves.toBeTruthy();
    // Without one (a downloaded model), the loader's own checks name the culprit.
    rmSync(path.join(dir, 'manifest.json'));

    const missing = new Map(weights);
    missing.delete('model.layers.1.self_attn.k_proj.bias');
    writeFileSync(st, encodeSafetensors(missing));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/missing tensor "model\.layers\.1\.self_attn\.k_proj\.bias"/);

    const wrong = new Map(weights);
    wrong.set('model.layers.0.mlp.up_proj.weight', { shape: [16, 24], data: new Float32Array(16 * 24) });
    writeFileSync(st, encodeSafetensors(wrong));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/"model\.layers\.0\.mlp\.up_proj\.weight" has shape \[16,24\], expected \[24,16\]/);
    writeFileSync(st, goodSt);

    writeFileSync(cfgPath, JSON.stringify({ ...JSON.parse(goodCfg), model_type: 'gpt2' }));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/unknown arch: model_type "gpt2"/);
    writeFileSync(cfgPath, JSON.stringify({ ...JSON.parse(goodCfg), num_attention_heads: 3 }));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/not divisible by numHeads 3/);
    writeFileSync(cfgPath, JSON.stringify({ ...JSON.parse(goodCfg), hidden_size: 'big' }));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/field "hidden_size" must be a number/);
    const { intermediate_size: _drop, ...noFfn } = JSON.parse(goodCfg);
    writeFileSync(cfgPath, JSON.stringify(noFfn));
    await expect(loadCheckpoint(dir)).rejects.toThrow(/missing field "intermediate_size"/);
    writeFileSync(cfgPath, goodCfg);
    await expect(loadCheckpoint(dir)).resolves.toBeTruthy();
  });

  it('a kill at any moment during saves leaves a loadable, consistent checkpoint', async () => {
    const dir = path.join(root, 'killed');
    const script = path.resolve('test/model/fixtures/save-loop.ts');
    for (let round = 0; round < 4; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
      let saved = 0;
      child.stdout.on('data', (d: Buffer) => (saved += d.toString().split('\n').filter(Boolean).length));
      // Wait for at least one complete save, then kill at a random moment.
      while (saved < 1 + round) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, Math.random() * 80));
      child.kill('SIGKILL');
      await new Promise((r) => child.on('exit', r));
      const ck = await loadCheckpoint(dir);
      const gen = Number(Buffer.from(ck.files['gen.txt']).toString());
      expect(gen).toBeGreaterThanOrEqual(1);
      for (const t of ck.weights.values()) expect(t.data[0]).toBe(gen);
      expect(ck.files['optim/state.bin'].length).toBe(200_000);
      expect(ck.files['optim/state.bin'][0]).toBe(gen & 255);
    }
  });

  it('writeFileAtomic replaces content and leaves no temp files', () => {
    const f = path.join(root, 'atomic', 'x.json');
    writeFileAtomic(f, 'a');
    writeFileAtomic(f, new Uint8Array([98]));
    expect(readFileSync(f, 'utf8')).toBe('b');
    expect(readdirSync(path.dirname(f))).toEqual(['x.json']);
  });
});

describe('config', () => {
  it('HF config round-trips and cross-field errors say how to fix', () => {
    const c = tinyQwen2(true);
    expect(fromHfConfig(toHfConfig(c))).toEqual(c);
    expect(() => parseModelConfig({ ...c, numKvHeads: 3 })).toThrow(/numHeads 4 is not a multiple of numKvHeads 3/);
    expect(() => parseModelConfig({ ...c, eosTokenId: 99 })).toThrow(/eosTokenId 99 is outside the vocabulary/);
    expect(() => parseModelConfig({ ...c, extra: 1 })).toThrow(/extra|unrecognized/i);
    expect(expectedWeightShapes(c).get('model.layers.0.self_attn.k_proj.weight')).toEqual([8, 16]);
  });
});
