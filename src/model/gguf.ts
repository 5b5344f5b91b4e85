/**
 * GGUF export of the policy for llama.cpp (node-llama-cpp).
 *
 * File layout (GGUF v3, little-endian):
 *   "GGUF" u32 version=3, u64 nTensors, u64 nKv,
 *   nKv × (string key, u32 type, value),
 *   nTensors × (string name, u32 nDims, u64 ne[nDims], u32 ggmlType, u64 offset),
 *   zero padding to `ALIGN`, tensor data (each tensor aligned to `ALIGN`).
 * Strings are u64 byte length + UTF-8 bytes. Dims are reversed w.r.t. PyTorch:
 * ne[0] is the fastest axis, so a weight W[out][in] has ne = [in, out].
 *
 * Archs `qwen2` and `qwen3` use rotate-half RoPE like Hugging Face, so Wq/Wk
 * are written as is (qwen3 adds `attn_q_norm`/`attn_k_norm` [headDim] and
 * `<arch>.attention.key_length` = headDim, which may differ from hidden/heads). Arch `llama` uses llama.cpp's interleaved RoPE (pairs (2i, 2i+1)), so the
 * rows of Wq/Wk are permuted within each head: new[h][2i+s] = old[h][s·hd/2+i].
 *
 * llama.cpp *aborts the process* (GGML_ASSERT) on several malformed inputs
 * rather than throwing, so `validateGgufExport` checks everything up front.
 */
import { open, writeFile } from 'node:fs/promises';
import { hasQkNorm, hasQkvBias, headDimOf, type ModelConfig, type NamedTensors } from './config.ts';
import { encodeF16, quantizeQ8_0, GGML_TYPE, bytesPerRow } from './gguf-quant.ts';

export type GgufDtype = 'f32' | 'f16' | 'q8_0';
/** Tensor data alignment; 32 is llama.cpp's default `general.alignment`. */
const ALIGN = 32;
/** GGUF metadata value types. */
const T = { U32: 4, I32: 5, F32: 6, BOOL: 7, STRING: 8, ARRAY: 9 } as const;
/** llama.cpp `general.file_type` (LLAMA_FTYPE_*). */
const FILE_TYPE: Record<GgufDtype, number> = { f32: 0, f16: 1, q8_0: 7 };
/** llama.cpp token types: 1 normal, 3 control (EOS/BOS, chat markers), 5 unused (embedding padding rows). */
const TOKEN_NORMAL = 1;
const TOKEN_CONTROL = 3;
const TOKEN_UNUSED = 5;

/** The vocabulary GGUF needs: one string per id (byte-level BPE form). */
export interface GgufVocab {
  tokens: string[];
  eosTokenId: number;
  bosTokenId?: number;
  /** Special tokens (e.g. `<|im_start|>`) written as control tokens; EOS/BOS always are. */
  controlTokenIds?: readonly number[];
  /** Ids ≥ this are padding rows of the embedding (`[PAD<id>]`), written as unused. */
  paddingFrom?: number;
}

export interface GgufTensorSlot {
  name: string;
  ne: number[];
  type: number;
  /** Byte offset of the data from the start of the file. */
  fileOffset: number;
  nbytes: number;
}

/** Where each tensor lives in the written file, for in-place weight refresh. */
export interface GgufLayout {
  /** Equal signatures ⇒ same offsets, shapes and types: an in-place rewrite is valid. */
  signature: string;
  tensors: GgufTensorSlot[];
  fileBytes: number;
}

export class GgufValidationError extends Error {
  constructor(problems: string[]) {
    super(`GGUF export refused (llama.cpp would abort or misbehave):\n  - ${problems.join('\n  - ')}`);
    this.name = 'GgufValidationError';
  }
}

interface PlannedTensor {
  ggufName: string;
  hfName: string;
  /** GGUF ne (reversed PyTorch shape). */
  ne: number[];
  type: number;
  /** Row permutation for llama-arch Wq/Wk: number of heads, else 0. */
  permuteHeads: number;
}

/** The tensors llama.cpp expects, mapped from their Hugging Face names. */
function planTensors(cfg: ModelConfig, weights: NamedTensors, dtype: GgufDtype): PlannedTensor[] {
  const D = cfg.hiddenSize;
  const hd = headDimOf(cfg);
  const qD = hd * cfg.numHeads;
  const kvD = hd * cfg.numKvHeads;
  const mat = dtype === 'f32' ? GGML_TYPE.F32 : dtype === 'f16' ? GGML_TYPE.F16 : GGML_TYPE.Q8_0;
  const f32 = GGML_TYPE.F32;
  const out: PlannedTensor[] = [];
  const add = (ggufName: string, hfName: string, torchShape: number[], type: number, permuteHeads = 0) =>
    out.push({ ggufName, hfName, ne: [...torchShape].reverse(), type, permuteHeads });
  add('token_embd.weight', 'model.embed_tokens.weight', [cfg.vocabSize, D], mat);
  for (let i = 0; i < cfg.numLayers; i++) {
    const p = `model.layers.${i}.`;
    const b = `blk.${i}.`;
    const llama = cfg.arch === 'llama';
    add(`${b}attn_norm.weight`, `${p}input_layernorm.weight`, [D], f32);
    add(`${b}attn_q.weight`, `${p}self_attn.q_proj.weight`, [qD, D], mat, llama ? cfg.numHeads : 0);
    add(`${b}attn_k.weight`, `${p}self_attn.k_proj.weight`, [kvD, D], mat, llama ? cfg.numKvHeads : 0);
    add(`${b}attn_v.weight`, `${p}self_attn.v_proj.weight`, [kvD, D], mat);
    if (hasQkvBias(cfg)) {
      add(`${b}attn_q.bias`, `${p}self_attn.q_proj.bias`, [qD], f32);
      add(`${b}attn_k.bias`, `${p}self_attn.k_proj.bias`, [kvD], f32);
      add(`${b}attn_v.bias`, `${p}self_attn.v_proj.bias`, [kvD], f32);
    }
    if (hasQkNorm(cfg)) {
      add(`${b}attn_q_norm.weight`, `${p}self_attn.q_norm.weight`, [hd], f32);
      add(`${b}attn_k_norm.weight`, `${p}self_attn.k_norm.weight`, [hd], f32);
    }
    add(`${b}attn_output.weight`, `${p}self_attn.o_proj.weight`, [D, qD], mat);
    add(`${b}ffn_norm.weight`, `${p}post_attention_layernorm.weight`, [D], f32);
    add(`${b}ffn_gate.weight`, `${p}mlp.gate_proj.weight`, [cfg.ffnSize, D], mat);
    add(`${b}ffn_up.weight`, `${p}mlp.up_proj.weight`, [cfg.ffnSize, D], mat);
    add(`${b}ffn_down.weight`, `${p}mlp.down_proj.weight`, [D, cfg.ffnSize], mat);
  }
  add('output_norm.weight', 'model.norm.weight', [D], f32);
  // Tied embeddings: llama.cpp falls back to token_embd when `output` is absent.
  if (!cfg.tieEmbeddings || weights.has('lm_head.weight')) add('output.weight', 'lm_head.weight', [cfg.vocabSize, D], mat);
  return out;
}

/**
 * Check everything llama.cpp would abort on (or silently mis-read) before it
 * sees the file. Returns the list of problems (empty = fine).
 */
export function ggufProblems(cfg: ModelConfig, weights: NamedTensors, vocab: GgufVocab, dtype: GgufDtype): string[] {
  const problems: string[] = [];
  const { hiddenSize: D, numHeads, numKvHeads } = cfg;
  const headOk = cfg.headDim !== undefined || D % numHeads === 0;
  if (!headOk) problems.push(`config.hiddenSize ${D} is not a multiple of numHeads ${numHeads} (or set headDim)`);
  if (numHeads % numKvHeads !== 0) problems.push(`config.numHeads ${numHeads} is not a multiple of numKvHeads ${numKvHeads}`);
  const hd = headDimOf(cfg);
  if (hd % 2 !== 0) problems.push(`head dim ${hd} is odd: RoPE needs an even head dim (change headDim or hiddenSize/numHeads)`);
  if (vocab.tokens.length !== cfg.vocabSize)
    problems.push(`vocabulary has ${vocab.tokens.length} tokens but config.vocabSize is ${cfg.vocabSize}`);
  const seen = new Map<string, number>();
  vocab.tokens.forEach((t, id) => {
    if (typeof t !== 'string' || t.length === 0) problems.push(`token ${id} is empty: every GGUF token needs a non-empty string`);
    else if (seen.has(t)) problems.push(`tokens ${seen.get(t)} and ${id} are both ${JSON.stringify(t)}: GGUF token strings must be unique`);
    else seen.set(t, id);
  });
  for (const [field, id] of [['eosTokenId', vocab.eosTokenId], ['bosTokenId', vocab.bosTokenId]] as const) {
    if (id !== undefined && (!Number.isInteger(id) || id < 0 || id >= cfg.vocabSize))
      problems.push(`${field} ${id} is outside the vocabulary [0, ${cfg.vocabSize})`);
  }
  if (hd % 2 === 0 && headOk) {
    for (const t of planTensors(cfg, weights, dtype)) {
      const w = weights.get(t.hfName);
      const want = [...t.ne].reverse();
      if (!w) {
        problems.push(`missing tensor ${t.hfName} (shape [${want}]) needed for ${t.ggufName}`);
        continue;
      }
      if (w.shape.join(',') !== want.join(','))
        problems.push(`tensor ${t.hfName} has shape [${w.shape}] but config implies [${want}]`);
      const n = want.reduce((a, b) => a * b, 1);
      if (w.data.length !== n) problems.push(`tensor ${t.hfName} holds ${w.data.length} values, shape [${want}] needs ${n}`);
      else if (!w.data.every(Number.isFinite)) problems.push(`tensor ${t.hfName} contains NaN or Infinity`);
      if (t.type === GGML_TYPE.Q8_0 && t.ne[0] % 32 !== 0)
        problems.push(`q8_0 needs rows that are a multiple of 32 values; ${t.hfName} has rows of ${t.ne[0]} (use dtype f16 or f32)`);
    }
  }
  return problems;
}

export function validateGgufExport(cfg: ModelConfig, weights: NamedTensors, vocab: GgufVocab, dtype: GgufDtype): void {
  const problems = ggufProblems(cfg, weights, vocab, dtype);
  if (problems.length > 0) throw new GgufValidationError(problems);
}

/** Metadata writer: accumulates byte chunks. */
class Bytes {
  chunks: Uint8Array[] = [];
  length = 0;
  private push(b: Uint8Array) {
    this.chunks.push(b);
    this.length += b.length;
  }
  u32(v: number) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    this.push(b);
  }
  i32(v: number) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, v, true);
    this.push(b);
  }
  u64(v: number) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
    this.push(b);
  }
  f32(v: number) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.push(b);
  }
  str(s: string) {
    const b = new TextEncoder().encode(s);
    this.u64(b.length);
    this.push(b);
  }
  raw(b: Uint8Array) {
    this.push(b);
  }
  concat(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

type KvValue =
  | { t: 'u32'; v: number }
  | { t: 'f32'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'str'; v: string }
  | { t: 'strs'; v: string[] }
  | { t: 'i32s'; v: number[] };

function writeKv(b: Bytes, key: string, val: KvValue) {
  b.str(key);
  switch (val.t) {
    case 'u32': b.u32(T.U32); b.u32(val.v); break;
    case 'f32': b.u32(T.F32); b.f32(val.v); break;
    case 'bool': b.u32(T.BOOL); b.raw(new Uint8Array([val.v ? 1 : 0])); break;
    case 'str': b.u32(T.STRING); b.str(val.v); break;
    case 'strs': b.u32(T.ARRAY); b.u32(T.STRING); b.u64(val.v.length); val.v.forEach((s) => b.str(s)); break;
    case 'i32s': b.u32(T.ARRAY); b.u32(T.I32); b.u64(val.v.length); val.v.forEach((x) => b.i32(x)); break;
  }
}

/** All metadata keys llama.cpp reads for a `qwen2`/`llama` model with a gpt2-style vocab. */
function metadata(cfg: ModelConfig, vocab: GgufVocab, dtype: GgufDtype, name: string): [string, KvValue][] {
  const a = cfg.arch;
  const hd = headDimOf(cfg);
  const control = new Set([vocab.eosTokenId, ...(vocab.bosTokenId === undefined ? [] : [vocab.bosTokenId]), ...(vocab.controlTokenIds ?? [])]);
  const types = vocab.tokens.map((_, id) =>
    control.has(id) ? TOKEN_CONTROL : vocab.paddingFrom !== undefined && id >= vocab.paddingFrom ? TOKEN_UNUSED : TOKEN_NORMAL,
  );
  const kv: [string, KvValue][] = [
    ['general.architecture', { t: 'str', v: a }],
    ['general.name', { t: 'str', v: name }],
    ['general.alignment', { t: 'u32', v: ALIGN }],
    ['general.file_type', { t: 'u32', v: FILE_TYPE[dtype] }],
    [`${a}.context_length`, { t: 'u32', v: cfg.maxPositions }],
    [`${a}.embedding_length`, { t: 'u32', v: cfg.hiddenSize }],
    [`${a}.block_count`, { t: 'u32', v: cfg.numLayers }],
    [`${a}.feed_forward_length`, { t: 'u32', v: cfg.ffnSize }],
    [`${a}.attention.head_count`, { t: 'u32', v: cfg.numHeads }],
    [`${a}.attention.head_count_kv`, { t: 'u32', v: cfg.numKvHeads }],
    [`${a}.rope.freq_base`, { t: 'f32', v: cfg.ropeTheta }],
    [`${a}.rope.dimension_count`, { t: 'u32', v: hd }],
    // Per-head sizes; llama.cpp defaults them to hidden/heads, which Qwen3 does not follow.
    [`${a}.attention.key_length`, { t: 'u32', v: hd }],
    [`${a}.attention.value_length`, { t: 'u32', v: hd }],
    [`${a}.attention.layer_norm_rms_epsilon`, { t: 'f32', v: cfg.rmsNormEps }],
    [`${a}.vocab_size`, { t: 'u32', v: cfg.vocabSize }],
    // gpt2-style BPE with no merges: every token is atomic; we tokenize in our own code.
    ['tokenizer.ggml.model', { t: 'str', v: 'gpt2' }],
    ['tokenizer.ggml.pre', { t: 'str', v: 'qwen2' }],
    ['tokenizer.ggml.tokens', { t: 'strs', v: vocab.tokens }],
    ['tokenizer.ggml.token_type', { t: 'i32s', v: types }],
    ['tokenizer.ggml.merges', { t: 'strs', v: [] }],
    ['tokenizer.ggml.eos_token_id', { t: 'u32', v: vocab.eosTokenId }],
    ['tokenizer.ggml.add_bos_token', { t: 'bool', v: false }],
    ['tokenizer.ggml.add_eos_token', { t: 'bool', v: false }],
  ];
  // No BOS: point it at EOS (never added, add_bos_token=false) because llama.cpp's gpt2 default
  // BOS id is 11, which is outside small vocabularies. Padding likewise falls back to EOS.
  kv.push(['tokenizer.ggml.bos_token_id', { t: 'u32', v: vocab.bosTokenId ?? vocab.eosTokenId }]);
  kv.push(['tokenizer.ggml.padding_token_id', { t: 'u32', v: vocab.eosTokenId }]);
  return kv;
}

/**
 * Llama-arch Q/K row permutation (HF rotate-half → llama.cpp interleaved):
 * within each head of size hd, new row 2i+s = old row s·hd/2 + i.
 */
export function permuteQk(data: Float32Array, nHeads: number, rows: number, cols: number): Float32Array {
  const hd = rows / nHeads;
  const half = hd / 2;
  const out = new Float32Array(data.length);
  for (let h = 0; h < nHeads; h++)
    for (let i = 0; i < half; i++)
      for (let s = 0; s < 2; s++) {
        const src = (h * hd + s * half + i) * cols;
        const dst = (h * hd + 2 * i + s) * cols;
        out.set(data.subarray(src, src + cols), dst);
      }
  return out;
}

function encodeTensor(t: PlannedTensor, weights: NamedTensors): Uint8Array {
  const w = weights.get(t.hfName)!;
  const rows = t.ne.length > 1 ? t.ne[1] : 1;
  const data = t.permuteHeads > 0 ? permuteQk(w.data, t.permuteHeads, rows, t.ne[0]) : w.data;
  if (t.type === GGML_TYPE.F32) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  if (t.type === GGML_TYPE.F16) return encodeF16(data);
  return quantizeQ8_0(data);
}

const alignUp = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

/** Build the whole GGUF file in memory. */
export function buildGguf(
  cfg: ModelConfig,
  weights: NamedTensors,
  vocab: GgufVocab,
  dtype: GgufDtype = 'f32',
  name = 'brevity-policy',
): { bytes: Uint8Array; layout: GgufLayout } {
  validateGgufExport(cfg, weights, vocab, dtype);
  const plan = planTensors(cfg, weights, dtype);
  const kv = metadata(cfg, vocab, dtype, name);
  const head = new Bytes();
  head.raw(new TextEncoder().encode('GGUF'));
  head.u32(3);
  head.u64(plan.length);
  head.u64(kv.length);
  for (const [k, v] of kv) writeKv(head, k, v);
  let rel = 0;
  const rels: number[] = [];
  for (const t of plan) {
    rels.push(rel);
    head.str(t.ggufName);
    head.u32(t.ne.length);
    for (const d of t.ne) head.u64(d);
    head.u32(t.type);
    head.u64(rel);
    rel = alignUp(rel + bytesPerRow(t.type, t.ne[0]) * (t.ne.length > 1 ? t.ne[1] : 1));
  }
  const dataStart = alignUp(head.length);
  const bytes = new Uint8Array(dataStart + rel);
  bytes.set(head.concat(), 0);
  const slots: GgufTensorSlot[] = plan.map((t, i) => {
    const enc = encodeTensor(t, weights);
    bytes.set(enc, dataStart + rels[i]);
    return { name: t.hfName, ne: t.ne, type: t.type, fileOffset: dataStart + rels[i], nbytes: enc.length };
  });
  const signature = `${dtype}|${cfg.arch}|${dataStart}|` + slots.map((s) => `${s.name}:${s.ne}:${s.type}:${s.fileOffset}`).join(';');
  return { bytes, layout: { signature, tensors: slots, fileBytes: bytes.length } };
}

/** Write a GGUF file; returns its layout for later in-place refreshes. */
export async function writeGguf(
  path: string,
  cfg: ModelConfig,
  weights: NamedTensors,
  vocab: GgufVocab,
  dtype: GgufDtype = 'f32',
): Promise<GgufLayout> {
  const { bytes, layout } = buildGguf(cfg, weights, vocab, dtype);
  await writeFile(path, bytes);
  return layout;
}

/**
 * Overwrite only the tensor data of an existing GGUF file (same inode, so a
 * model that mmapped it sees the new weights). The caller guarantees the
 * layout is unchanged (same config, dtype, vocab) and that nothing is decoding.
 */
export async function rewriteGgufTensors(
  path: string,
  layout: GgufLayout,
  cfg: ModelConfig,
  weights: NamedTensors,
  dtype: GgufDtype,
): Promise<void> {
  const plan = planTensors(cfg, weights, dtype);
  if (plan.length !== layout.tensors.length) throw new Error(`rewriteGgufTensors(${path}): tensor count changed; reload instead`);
  const fh = await open(path, 'r+');
  try {
    for (let i = 0; i < plan.length; i++) {
      const slot = layout.tensors[i];
      const t = plan[i];
      const w = weights.get(t.hfName);
      if (!w || t.hfName !== slot.name || w.shape.join(',') !== [...slot.ne].reverse().join(','))
        throw new Error(`rewriteGgufTensors(${path}): tensor ${t.hfName} changed shape or is missing; reload instead`);
      const enc = encodeTensor(t, weights);
      await fh.write(enc, 0, enc.length, slot.fileOffset);
    }
  } finally {
    await fh.close();
  }
}

/**
 * The GGUF vocabulary of a tokenizer (its `tokenString` per id). `modelVocabSize`
 * (config.vocabSize) may exceed the tokenizer's: Qwen pads its embedding to
 * 151,936 rows for 151,669 tokens. The extra rows get placeholder strings
 * `[PAD<id>]` (as llama.cpp's own converter writes them), typed unused.
 */
export function vocabFromTokenizer(
  tok: {
    vocabSize: number;
    eosTokenId: number;
    bosTokenId?: number;
    specialTokenIds?: readonly number[];
    tokenString(id: number): string;
  },
  modelVocabSize = tok.vocabSize,
): GgufVocab {
  const tokens = Array.from({ length: modelVocabSize }, (_, id) => (id < tok.vocabSize ? tok.tokenString(id) : `[PAD${id}]`));
  return {
    tokens,
    eosTokenId: tok.eosTokenId,
    bosTokenId: tok.bosTokenId,
    ...(tok.specialTokenIds ? { controlTokenIds: tok.specialTokenIds } : {}),
    ...(modelVocabSize > tok.vocabSize ? { paddingFrom: tok.vocabSize } : {}),
  };
}
