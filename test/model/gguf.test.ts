import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readGgufFileInfo } from 'node-llama-cpp';
import { describe, expect, it } from 'vitest';
import { buildGguf, ggufProblems, permuteQk, writeGguf } from '../../src/model/gguf.ts';
import { dequantizeQ8_0, f16BitsToF32, f32ToF16Bits, quantizeQ8_0 } from '../../src/model/gguf-quant.ts';
import { randomWeights, rng, tinyConfig, tinyVocab } from '../rollout/fixtures.ts';

describe('f16 / q8_0 encodings', () => {
  it('f16 bits of hand-known values (round to nearest even, overflow, subnormals)', () => {
    const cases: [number, number][] = [
      [1, 0x3c00], [-2, 0xc000], [0.1, 0x2e66], [65504, 0x7bff], [65520, 0x7c00], [1e6, 0x7c00],
      [2 ** -24, 0x0001], [2 ** -25, 0x0000], [3 * 2 ** -25, 0x0002], [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02], [0, 0],
    ];
    for (const [x, bits] of cases) expect(f32ToF16Bits(x), `f16(${x})`).toBe(bits);
    for (const [, bits] of cases.filter(([x]) => x <= 65504)) expect(f32ToF16Bits(f16BitsToF32(bits))).toBe(bits);
  });

  // |x − d16·q| ≤ d/2 + 127·|d − d16| with the scale d stored as f16 (relative error ≤ 2^-11).
  it('q8_0 round-trips within half a quantization step (plus the f16 scale rounding) per block', () => {
    const r = rng(3);
    const x = Float32Array.from({ length: 128 }, () => (r() - 0.5) * 4);
    const bytes = quantizeQ8_0(x);
    expect(bytes.length).toBe(4 * 34);
    const y = dequantizeQ8_0(bytes);
    for (let b = 0; b < 4; b++) {
      const blk = x.subarray(b * 32, b * 32 + 32);
      const d = Math.max(...blk.map(Math.abs)) / 127;
      for (let j = 0; j < 32; j++) expect(Math.abs(y[b * 32 + j] - blk[j])).toBeLessThanOrEqual(d * 0.5 + 127 * d * 2 ** -11 + 1e-7);
    }
  });
});

describe('GGUF writer', () => {
  it('llama Q/K permutation interleaves the two halves of each head', () => {
    // 2 heads × hd 4, 1 column: rows 0..7 → per head [0,2,1,3]
    const out = permuteQk(Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]), 2, 8, 1);
    expect(Array.from(out)).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
  });

  it('writes a file node-llama-cpp’s own parser reads back (keys, dims reversed, offsets aligned)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gguf-test-'));
    try {
      const cfg = tinyConfig('qwen2', { tieEmbeddings: false });
      const path = join(dir, 'm.gguf');
      const layout = await writeGguf(path, cfg, randomWeights(cfg, 1), tinyVocab(16), 'q8_0');
      const info = await readGgufFileInfo(path, { logWarnings: false });
      const md = info.metadata as unknown as Record<string, Record<string, unknown>>;
      expect(md.general.architecture).toBe('qwen2');
      expect(md.general.file_type).toBe(7);
      expect((md.qwen2 as { attention: { head_count_kv: number } }).attention.head_count_kv).toBe(2);
      expect((md.tokenizer as { ggml: { tokens: string[] } }).ggml.tokens).toEqual(tinyVocab(16).tokens);
      const t = info.tensorInfo!.find((x) => x.name === 'blk.1.ffn_down.weight')!;
      expect(t.dimensions.map(Number)).toEqual([64, 32]); // HF [32, 64] reversed
      expect(t.ggmlType).toBe(8);
      expect(info.tensorInfo!.some((x) => x.name === 'output.weight')).toBe(true);
      expect(info.tensorInfo!.some((x) => x.name === 'blk.0.attn_q.bias')).toBe(true);
      for (const s of layout.tensors) expect(s.fileOffset % 32).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses, with named fields, what llama.cpp would abort on', () => {
    const cfg = tinyConfig('llama');
    const w = randomWeights(cfg, 1);
    const vocab = tinyVocab(16);
    expect(ggufProblems(cfg, w, vocab, 'f32')).toEqual([]);
    const missing = new Map(w);
    missing.delete('model.layers.1.mlp.up_proj.weight');
    expect(ggufProblems(cfg, missing, vocab, 'f32').join()).toMatch(/missing tensor model\.layers\.1\.mlp\.up_proj\.weight/);
    const badShape = new Map(w);
    badShape.set('model.norm.weight', { shape: [31], data: new Float32Array(31) });
    expect(ggufProblems(cfg, badShape, vocab, 'f32').join()).toMatch(/model\.norm\.weight has shape \[31\].*\[32\]/);
    expect(ggufProblems(cfg, w, { ...vocab, tokens: vocab.tokens.slice(0, 15) }, 'f32').join()).toMatch(/15 tokens.*vocabSize is 16/);
    expect(ggufProblems(cfg, w, { ...vocab, tokens: [...vocab.tokens.slice(0, 15), 'a'] }, 'f32').join()).toMatch(/unique/);
    expect(ggufProblems(cfg, w, { ...vocab, eosTokenId: 16 }, 'f32').join()).toMatch(/eosTokenId 16 is outside/);
    const nan = new Map(w);
    nan.set('model.norm.weight', { shape: [32], data: new Float32Array(32).fill(NaN) });
    expect(ggufProblems(cfg, nan, vocab, 'f32').join()).toMatch(/NaN/);
    const odd = tinyConfig('llama', { hiddenSize: 48, numHeads: 4, numKvHeads: 4 });
    expect(ggufProblems(odd, randomWeights(odd, 1), vocab, 'q8_0').join()).toMatch(/q8_0 needs rows that are a multiple of 32/);
    expect(() => buildGguf(cfg, missing, vocab)).toThrow(/GGUF export refused/);
  });
});
