import { z } from 'zod';

/**
 * Decoder configuration (Llama / Qwen2 family). Field names are brevity's own;
 * `fromHfConfig` maps a Hugging Face `config.json` onto them.
 */
export const ModelConfigSchema = z.strictObject({
  /** `qwen2` adds biases to the q/k/v projections; `llama` has none. */
  arch: z.enum(['llama', 'qwen2']),
  vocabSize: z.number().int().positive(),
  hiddenSize: z.number().int().positive(),
  numLayers: z.number().int().positive(),
  numHeads: z.number().int().positive(),
  /** Grouped-query attention: numHeads must be a multiple of numKvHeads. */
  numKvHeads: z.number().int().positive(),
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

/**
 * Weights are exchanged between modules (checkpoints, GGUF export, rollout
 * engines) as Hugging Face–named f32 tensors, row-major, shape as in PyTorch:
 *   model.embed_tokens.weight                       [V, D]
 *   model.layers.{i}.input_layernorm.weight         [D]
 *   model.layers.{i}.self_attn.{q,k,v,o}_proj.weight [out, in]
 *   model.layers.{i}.self_attn.{q,k,v}_proj.bias    [out]   (qwen2 only)
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
