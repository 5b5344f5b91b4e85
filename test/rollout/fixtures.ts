import { makeRng } from '../../src/util/rng.ts';
/** Tiny random-weight models and a byte-level vocabulary for rollout tests. */
import { ModelConfigSchema, type ModelConfig, type NamedTensors } from '../../src/model/config.ts';
import type { GgufVocab } from '../../src/model/gguf.ts';

export const rng = (seed: number): (() => number) => makeRng(seed).next;

export function tinyConfig(arch: 'llama' | 'qwen2' | 'qwen3', over: Partial<ModelConfig> = {}): ModelConfig {
  return ModelConfigSchema.parse({
    arch, vocabSize: 16, hiddenSize: 32, numLayers: 2, numHeads: 4, numKvHeads: 2, ffnSize: 64,
    maxPositions: 128, eosTokenId: 0, ropeTheta: 10000, rmsNormEps: 1e-6, ...over,
  });
}

/** Shapes of every HF-named tensor of `cfg`. */
export function tensorShapes(cfg: ModelConfig): [string, number[]][] {
  const D = cfg.hiddenSize, hd = cfg.headDim ?? D / cfg.numHeads, qD = hd * cfg.numHeads, kvD = hd * cfg.numKvHeads;
  const out: [string, number[]][] = [['model.embed_tokens.weight', [cfg.vocabSize, D]], ['model.norm.weight', [D]]];
  for (let i = 0; i < cfg.numLayers; i++) {
    const p = `model.layers.${i}.`;
    out.push([`${p}input_layernorm.weight`, [D]], [`${p}post_attention_layernorm.weight`, [D]]);
    out.push([`${p}self_attn.q_proj.weight`, [qD, D]], [`${p}self_attn.k_proj.weight`, [kvD, D]]);
    out.push([`${p}self_attn.v_proj.weight`, [kvD, D]], [`${p}self_attn.o_proj.weight`, [D, qD]]);
    if (cfg.arch === 'qwen2')
      out.push([`${p}self_attn.q_proj.bias`, [qD]], [`${p}self_attn.k_proj.bias`, [kvD]], [`${p}self_attn.v_proj.bias`, [kvD]]);
    if (cfg.arch === 'qwen3') out.push([`${p}self_attn.q_norm.weight`, [hd]], [`${p}self_attn.k_norm.weight`, [hd]]);
    out.push([`${p}mlp.gate_proj.weight`, [cfg.ffnSize, D]], [`${p}mlp.up_proj.weight`, [cfg.ffnSize, D]]);
    out.push([`${p}mlp.down_proj.weight`, [D, cfg.ffnSize]]);
  }
  if (!cfg.tieEmbeddings) out.push(['lm_head.weight', [cfg.vocabSize, D]]);
  return out;
}

/** Random weights; norms near 1, matrices ~ U(-s, s) with s large enough for peaked logits. */
export function randomWeights(cfg: ModelConfig, seed: number, scale = 0.3): NamedTensors {
  const r = rng(seed);
  const m: NamedTensors = new Map();
  for (const [name, shape] of tensorShapes(cfg)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const isNorm = name.endsWith('norm.weight');
    for (let i = 0; i < n; i++) data[i] = isNorm ? 0.8 + 0.4 * r() : (2 * r() - 1) * scale;
    m.set(name, { shape, data });
  }
  return m;
}

/** Byte-level single-character vocabulary: id 0 is EOS `<|eos|>`, then printable chars. */
export function tinyVocab(size: number): GgufVocab & { decode(ids: readonly number[]): string } {
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789+-*/=()Ġ'.split('');
  const tokens = ['<|eos|>', ...chars].slice(0, size);
  if (tokens.length < size) for (let i = tokens.length; i < size; i++) tokens.push(`<t${i}>`);
  return {
    tokens, eosTokenId: 0,
    decode: (ids) => ids.map((i) => tokens[i].replace('Ġ', ' ')).join(''),
  };
}
