import { z } from 'zod';

/**
 * Decoder configuration (Llama / Qwen2 / Qwen3 family). Field names are
 * brevity's own; `fromHfConfig` maps a Hugging Face `config.json` onto them.
 */
export const ARCHS = ['llama', 'qwen2', 'qwen3'] as const;
export type Arch = (typeof ARCHS)[number];

export const ModelConfigSchema = z.strictObject({
  /**
   * `qwen2` adds biases to the q/k/v projections; `llama` has none; `qwen3`
   * has no biases but an RMSNorm over each head of q and k (weights [headDim],
   * shared by all heads) before RoPE.
   */
  arch: z.enum(ARCHS),
  vocabSize: z.number().int().positive(),
  hiddenSize: z.number().int().positive(),
  numLayers: z.number().int().positive(),
  numHeads: z.number().int().positive(),
  /** Grouped-query attention: numHeads must be a multiple of numKvHeads. */
  numKvHeads: z.number().int().positive(),
  /**
   * Per-head size (HF `head_dim`). Absent = hiddenSize / numHeads (Llama, Qwen2);
   * Qwen3 sets it independently (0.6B: hidden 1024, 16 heads, head_dim 128),
   * so q/o projections are [numHeads·headDim, hidden] / [hidden, numHeads·headDim].
   */
  headDim: z.number().int().positive().optional(),
  /** SwiGLU inner size (HF `intermediate_size`). */
  ffnSize: z.number().int().positive(),
  ropeTheta: z.number().positive().default(10000),
  rmsNormEps: z.number().positive().default(1e-6),
  /** lm_head shares the embedding matrix (no `lm_head.weight` tensor). */
  tieEmbeddings: z.boolean().default(true),
  maxPositions: z.number().int().positive().default(2048),
  bosTokenId: z.number().int().nonnegative().optional(),
  eosTokenId: z.number().int().nonnegative(),
});
export type ModelConfig = z.infer<typeof ModelConfigSchema>;

/** Per-head size: `headDim` when given, else hiddenSize / numHeads. */
export const headDimOf = (c: Pick<ModelConfig, 'hiddenSize' | 'numHeads' | 'headDim'>): number => c.headDim ?? c.hiddenSize / c.numHeads;
/** The q/k/v projections carry biases (Qwen2). */
export const hasQkvBias = (c: Pick<ModelConfig, 'arch'>): boolean => c.arch === 'qwen2';
/** Per-head RMSNorm on q and k before RoPE (Qwen3). */
export const hasQkNorm = (c: Pick<ModelConfig, 'arch'>): boolean => c.arch === 'qwen3';

/**
 * Weights are exchanged between modules (checkpoints, GGUF export, rollout
 * engines) as Hugging Face–named f32 tensors, row-major, shape as in PyTorch:
 *   model.embed_tokens.weight                       [V, D]
 *   model.layers.{i}.input_layernorm.weight         [D]
 *   model.layers.{i}.self_attn.{q,k,v,o}_proj.weight [out, in]
 *   model.layers.{i}.self_attn.{q,k,v}_proj.bias    [out]   (qwen2 only)
 *   model.layers.{i}.self_attn.{q,k}_norm.weight    [headDim] (qwen3 only)
 *   model.layers.{i}.post_attention_layernorm.weight [D]
 *   model.layers.{i}.mlp.{gate,up,down}_proj.weight [out, in]
 *   model.norm.weight                               [D]
 *   lm_head.weight                                  [V, D]  (absent when tied)
 */
export interface NamedTensor {
  shape: number[];
  data: Float32Array;
}
export type NamedTensors = Map<string, NamedTensor>;

/**
 * Cross-field checks, with messages that say how to fix the config. Kept out
 * of the schema object itself so `ModelConfigSchema` stays extendable; use
 * `parseModelConfig` (or call this after `ModelConfigSchema.parse`).
 */
export function checkModelConfig(c: ModelConfig, where = 'model config'): ModelConfig {
  const fail = (msg: string): never => {
    throw new Error(`${where}: ${msg}`);
  };
  if (c.headDim === undefined && c.hiddenSize % c.numHeads !== 0)
    fail(`hiddenSize ${c.hiddenSize} is not divisible by numHeads ${c.numHeads} (head size = hiddenSize / numHeads must be an integer; or set headDim)`);
  if (headDimOf(c) % 2 !== 0)
    fail(`head size ${headDimOf(c)} (headDim, or hiddenSize / numHeads) must be even for rotary embeddings`);
  if (c.numHeads % c.numKvHeads !== 0)
    fail(`numHeads ${c.numHeads} is not a multiple of numKvHeads ${c.numKvHeads} (grouped-query attention shares each KV head among numHeads / numKvHeads query heads)`);
  if (c.eosTokenId >= c.vocabSize) fail(`eosTokenId ${c.eosTokenId} is outside the vocabulary (vocabSize ${c.vocabSize})`);
  if (c.bosTokenId !== undefined && c.bosTokenId >= c.vocabSize)
    fail(`bosTokenId ${c.bosTokenId} is outside the vocabulary (vocabSize ${c.vocabSize})`);
  return c;
}

/** Schema parse + cross-field checks; errors name the field. */
export function parseModelConfig(json: unknown, where = 'model config'): ModelConfig {
  const r = ModelConfigSchema.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`${where}: ${issues}`);
  }
  return checkModelConfig(r.data, where);
}

/** Every weight the decoder needs, HF name → shape, in a stable order. */
export function expectedWeightShapes(c: ModelConfig): Map<string, number[]> {
  const D = c.hiddenSize;
  const hd = headDimOf(c);
  const qD = c.numHeads * hd;
  const kvD = c.numKvHeads * hd;
  const m = new Map<string, number[]>();
  m.set('model.embed_tokens.weight', [c.vocabSize, D]);
  for (let i = 0; i < c.numLayers; i++) {
    const p = `model.layers.${i}.`;
    m.set(p + 'input_layernorm.weight', [D]);
    m.set(p + 'self_attn.q_proj.weight', [qD, D]);
    m.set(p + 'self_attn.k_proj.weight', [kvD, D]);
    m.set(p + 'self_attn.v_proj.weight', [kvD, D]);
    if (hasQkvBias(c)) {
      m.set(p + 'self_attn.q_proj.bias', [qD]);
      m.set(p + 'self_attn.k_proj.bias', [kvD]);
      m.set(p + 'self_attn.v_proj.bias', [kvD]);
    }
    if (hasQkNorm(c)) {
      m.set(p + 'self_attn.q_norm.weight', [hd]);
      m.set(p + 'self_attn.k_norm.weight', [hd]);
    }
    m.set(p + 'self_attn.o_proj.weight', [D, qD]);
    m.set(p + 'post_attention_layernorm.weight', [D]);
    m.set(p + 'mlp.gate_proj.weight', [c.ffnSize, D]);
    m.set(p + 'mlp.up_proj.weight', [c.ffnSize, D]);
    m.set(p + 'mlp.down_proj.weight', [D, c.ffnSize]);
  }
  m.set('model.norm.weight', [D]);
  if (!c.tieEmbeddings) m.set('lm_head.weight', [c.vocabSize, D]);
  return m;
}

/** Number of parameters (tied embeddings counted once). */
export function countParams(c: ModelConfig): number {
  let n = 0;
  for (const s of expectedWeightShapes(c).values()) n += s.reduce((a, b) => a * b, 1);
  return n;
}

const HF_ARCH: Record<ModelConfig['arch'], { model_type: string; architectures: string[] }> = {
  llama: { model_type: 'llama', architectures: ['LlamaForCausalLM'] },
  qwen2: { model_type: 'qwen2', architectures: ['Qwen2ForCausalLM'] },
  qwen3: { model_type: 'qwen3', architectures: ['Qwen3ForCausalLM'] },
};

/**
 * Map a Hugging Face `config.json` (llama / qwen2 / qwen3 / mistral-like) onto
 * ModelConfig. `file` is used in error messages. Unknown archs and fields
 * this decoder cannot honour (rope scaling, sliding window, attention bias on
 * llama/qwen3) fail with the field's name. DeepSeek-R1-Distill-Qwen
 * checkpoints are `qwen2`.
 */
export function fromHfConfig(json: Record<string, unknown>, file = 'config.json'): ModelConfig {
  const fail = (msg: string): never => {
    throw new Error(`${file}: ${msg}`);
  };
  const modelType = json.model_type;
  if (!(ARCHS as readonly unknown[]).includes(modelType))
    fail(`unknown arch: model_type ${JSON.stringify(modelType)} (supported: ${ARCHS.map((a) => `"${a}"`).join(', ')})`);
  const arch = modelType as ModelConfig['arch'];
  const num = (key: string, required = true): number | undefined => {
    const v = json[key];
    if (v === undefined || v === null) {
      if (required) fail(`missing field "${key}"`);
      return undefined;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`field "${key}" must be a number, got ${JSON.stringify(v)}`);
    return v as number;
  };
  const tokenId = (key: string): number | undefined => {
    const v = json[key];
    if (Array.isArray(v)) return typeof v[0] === 'number' ? v[0] : fail(`field "${key}" must be a token id`);
    return num(key, false);
  };
  const hidden = num('hidden_size')!;
  const heads = num('num_attention_heads')!;
  // transformers' Qwen3Config defaults head_dim to 128 (not hidden / heads) when the field is absent.
  const headDim = num('head_dim', false) ?? (arch === 'qwen3' ? 128 : undefined);
  const scaling = json.rope_scaling;
  if (scaling !== undefined && scaling !== null) fail(`field "rope_scaling" is not supported (got ${JSON.stringify(scaling)})`);
  if (arch !== 'qwen2' && (json.attention_bias === true || json.mlp_bias === true))
    fail(`fields "attention_bias"/"mlp_bias" = true are not supported for ${arch}`);
  if (json.use_sliding_window === true) fail('field "use_sliding_window" = true is not supported');
  const eos = tokenId('eos_token_id');
  if (eos === undefined) fail('missing field "eos_token_id"');
  const cfg = {
    arch,
    vocabSize: num('vocab_size')!,
    hiddenSize: hidden,
    numLayers: num('num_hidden_layers')!,
    numHeads: heads,
    numKvHeads: num('num_key_value_heads', false) ?? heads,
    // Kept only when it differs from hidden/heads, so configs round-trip unchanged.
    headDim: headDim !== undefined && headDim !== hidden / heads ? headDim : undefined,
    ffnSize: num('intermediate_size')!,
    ropeTheta: num('rope_theta', false) ?? 10000,
    rmsNormEps: num('rms_norm_eps', false) ?? 1e-6,
    // LlamaConfig and Qwen2Config both default tie_word_embeddings to false.
    tieEmbeddings: typeof json.tie_word_embeddings === 'boolean' ? json.tie_word_embeddings : false,
    maxPositions: num('max_position_embeddings', false) ?? 2048,
    bosTokenId: tokenId('bos_token_id'),
    eosTokenId: eos,
  };
  if (cfg.bosTokenId === undefined) delete (cfg as Partial<typeof cfg>).bosTokenId;
  if (cfg.headDim === undefined) delete (cfg as Partial<typeof cfg>).headDim;
  return parseModelConfig(cfg, file);
}

/** ModelConfig → a Hugging Face `config.json` object (loadable by transformers). */
export function toHfConfig(c: ModelConfig): Record<string, unknown> {
  return {
    ...HF_ARCH[c.arch],
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    num_hidden_layers: c.numLayers,
    num_attention_heads: c.numHeads,
    num_key_value_heads: c.numKvHeads,
    // transformers' Qwen3Config defaults head_dim to 128, not hidden/heads: always write it for qwen3.
    ...(c.headDim !== undefined || c.arch === 'qwen3' ? { head_dim: headDimOf(c) } : {}),
    ...(c.arch === 'qwen3' ? { attention_bias: false } : {}),
    intermediate_size: c.ffnSize,
    hidden_act: 'silu',
    rope_theta: c.ropeTheta,
    rms_norm_eps: c.rmsNormEps,
    tie_word_embeddings: c.tieEmbeddings,
    max_position_embeddings: c.maxPositions,
    ...(c.bosTokenId !== undefined ? { bos_token_id: c.bosTokenId } : {}),
    eos_token_id: c.eosTokenId,
    torch_dtype: 'float32',
  };
}
