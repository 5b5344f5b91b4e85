/**
 * The policy: a Llama / Qwen2 / Qwen3-family decoder in TensorFlow.js, top to bottom.
 *
 *   tokens ─ embed ─┬─ L × [ x += Attn(RMSNorm(x)) ; x += SwiGLU(RMSNorm(x)) ] ─ RMSNorm ─ lm_head ─ logits
 *   Attn: q,k,v = x·W (+ b, qwen2); q,k = RMSNorm_head(q), RMSNorm_head(k) (qwen3); RoPE(q, k); softmax(q·kᵀ/√hd)·v
 *
 * Conventions
 * - Weights are `tf.Variable`s keyed by Hugging Face names, HF shapes ([out, in]
 *   for projections), so checkpoints / GGUF export / the optimizer all see the
 *   same tensors (see `config.ts` for the list).
 * - Padding: any row may be left- or right-padded; `mask` (1 = real token) is
 *   the truth. Position ids are `cumsum(mask) - 1` per row (so left padding
 *   gives the same positions as no padding), and padded keys are masked out
 *   of attention. The trainer's natural choice is right padding
 *   (prompt ‖ completion ‖ pad); the KV-cache `prefill` left-pads prompts so
 *   all rows decode in lock-step.
 * - Speed on wasm (docs/engine.md, "Measured engine facts"): the embedding is oneHot·E (small
 *   vocabularies) or a gather, with a chunked oneHotᵀ·dY matmul as gradient
 *   (wasm lacks UnsortedSegmentSum); token log-probs are
 *   `sum(logSoftmax · oneHot)`; RoPE is elementwise plus a constant
 *   permutation matmul (rotate-half); GQA needs no head repetition (query
 *   groups are folded into the row dimension); RMSNorm / SwiGLU / attention
 *   have fused custom gradients that save only their inputs (attention also
 *   its probabilities); saved tensors are not copied (wasm-identity.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's Node build registers no gradients; this side-effect import does.
import './tf-gradients.ts';
// Saved-for-backward tensors share buffers instead of being copied (wasm).
import './wasm-identity.ts';
import { expectedWeightShapes, hasQkNorm, hasQkvBias, headDimOf, type ModelConfig, type NamedTensors } from './config.ts';
import { makeRng } from '../util/rng.ts';
import { ACTIVATION_BUDGET_BYTES, activationBytesPerSequence } from './memory.ts';

// ───────────────────────────── parameters ─────────────────────────────

export interface Policy {
  readonly config: ModelConfig;
  /** HF name → trainable variable (HF shape). */
  readonly params: Map<string, tf.Variable>;
  /** The same variables in `expectedWeightShapes` order, for optimizers. */
  readonly variables: tf.Variable[];
  dispose(): void;
}

/**
 * Deterministic init (GPT-2 style): N(0, 0.02) for matrices, residual output
 * projections (o_proj, down_proj) scaled by 1/√(2L) so the residual stream
 * does not grow with depth, norms = 1, biases = 0.
 */
export function initPolicy(config: ModelConfig, seed: number): Policy {
  const rand = makeRng(seed).next;
  const normal = (): number => {
    // Box–Muller; 1 - u avoids log(0).
    const u = 1 - rand();
    const v = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const named: NamedTensors = new Map();
  const residualStd = 0.02 / Math.sqrt(2 * config.numLayers);
  for (const [name, shape] of expectedWeightShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    if (name.endsWith('norm.weight')) data.fill(1);
    else if (!name.endsWith('.bias')) {
      const std = /(o_proj|down_proj)\.weight$/.test(name) ? residualStd : 0.02;
      for (let i = 0; i < size; i++) data[i] = normal() * std;
    }
    named.set(name, { shape, data });
  }
  return policyFromNamed(config, named);
}

/** Build a policy from HF-named tensors (checks every name and shape). */
export function policyFromNamed(config: ModelConfig, named: NamedTensors): Policy {
  const params = new Map<string, tf.Variable>();
  const expected = expectedWeightShapes(config);
  for (const [name, shape] of expected) {
    const t = named.get(name);
    if (!t) throw new Error(`policyFromNamed: missing tensor "${name}" (expected shape [${shape}])`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
      throw new Error(`policyFromNamed: tensor "${name}" has shape [${t.shape}], expected [${shape}]`);
  }
  for (const [name, shape] of expected) {
    const init = tf.tensor(named.get(name)!.data, shape, 'float32');
    params.set(name, tf.variable(init, true));
    init.dispose(); // the variable holds its own reference to the data
  }
  return makePolicy(config, params);
}

function makePolicy(config: ModelConfig, params: Map<string, tf.Variable>): Policy {
  return {
    config,
    params,
    variables: [...params.values()],
    dispose() {
      for (const v of params.values()) v.dispose();
      params.clear();
    },
  };
}

/** Copy the weights out as HF-named f32 tensors (independent of the variables). */
export function policyToNamed(policy: Policy): NamedTensors {
  const out: NamedTensors = new Map();
  for (const [name, v] of policy.params) {
    out.set(name, { shape: [...v.shape], data: new Float32Array(v.dataSync() as Float32Array) });
  }
  return out;
}

/** Overwrite the policy's weights in place (same config) — e.g. after loading a checkpoint. */
export function assignNamed(policy: Policy, named: NamedTensors): void {
  for (const [name, v] of policy.params) {
    const t = named.get(name);
    if (!t) throw new Error(`assignNamed: missing tensor "${name}"`);
    if (t.shape.length !== v.shape.length || t.shape.some((d, i) => d !== v.shape[i]))
      throw new Error(`assignNamed: tensor "${name}" has shape [${t.shape}], expected [${v.shape}]`);
    tf.tidy(() => v.assign(tf.tensor(t.data, v.shape, 'float32')));
  }
}

// ───────────────────────────── building blocks ─────────────────────────────

type GradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[];
/** Typed wrapper over tf.customGrad: `f(inputs, save)` returns the value and its gradient. */
function fused(f: (x: tf.Tensor[], save: tf.GradSaveFunc) => { value: tf.Tensor; gradFunc: GradFunc }) {
  const g = tf.customGrad(((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    return f(args as tf.Tensor[], save);
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return (...x: tf.Tensor[]): tf.Tensor => g(...x);
}

const P = (policy: Policy, name: string): tf.Variable => {
  const v = policy.params.get(name);
  if (!v) throw new Error(`policy has no parameter "${name}"`);
  return v;
};

/** y = x·Wᵀ (+ b). x [N, in], W [out, in] (HF layout) → [N, out]. */
function linear(x: tf.Tensor2D, w: tf.Tensor, b?: tf.Tensor): tf.Tensor2D {
  if (b) return tf.fused.matMul({ a: x, b: w as tf.Tensor2D, transposeB: true, bias: b }) as tf.Tensor2D;
  return tf.matMul(x, w as tf.Tensor2D, false, true);
}

/** Vocabularies up to this size embed by oneHot·E (a matmul) instead of a gather. */
const SMALL_VOCAB = 4096;

/** Column sums of x [N, D] → [D] as ones[1, N]·x: a matmul, where wasm's Sum over axis 0 transposes first. */
function sumRows(x: tf.Tensor): tf.Tensor1D {
  const [N, D] = x.shape;
  return tf.reshape(tf.matMul(tf.ones([1, N]), x as tf.Tensor2D), [D]) as tf.Tensor1D;
}

/** One-hot rows as f32 (index −1 → zero row). The wasm OneHot kernel ignores a
 * float32 dtype (returns zeros), so build int32 and cast. */
function oneHotF32(ids: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(ids, depth), 'float32') as tf.Tensor2D;
}

/**
 * Embedding lookup with a wasm-friendly gradient: forward is a gather, backward
 * dE = oneHot(ids)ᵀ · dY, chunked so the one-hot block stays under ~64 MB
 * (the wasm backend has no UnsortedSegmentSum, the gradient of gather).
 */
function embed(table: tf.Tensor2D, ids: tf.Tensor1D): tf.Tensor2D {
  const V = table.shape[0];
  const f = fused(([e], save) => {
    save([ids]); // keeps the ids alive until backward (they may be a temporary)
    // Small vocabularies: oneHot·E runs on the fast matmul; wasm's Gather is ~100 ns/element.
    const value = V <= SMALL_VOCAB ? tf.matMul(oneHotF32(ids, V), e as tf.Tensor2D) : tf.gather(e, ids);
    return {
      value, // [N, D]
      gradFunc: (dy, [ids]) => {
        const N = ids.shape[0];
        const chunk = Math.max(1, Math.floor((16 * 1024 * 1024) / V));
        let acc: tf.Tensor | null = null;
        for (let s = 0; s < N; s += chunk) {
          const n = Math.min(chunk, N - s);
          const oh = oneHotF32((n === N ? ids : tf.slice(ids, s, n)) as tf.Tensor1D, V); // [n, V]
          const dyc = n === N ? dy : tf.slice(dy, [s, 0], [n, -1]); // [n, D]
          const part = tf.matMul(oh, dyc as tf.Tensor2D, true, false); // [V, D]
          acc = acc ? tf.add(acc, part) : part;
        }
        return [acc!];
      },
    };
  });
  return f(table) as tf.Tensor2D;
}

/** RMSNorm over the last axis: y = w ⊙ x / √(mean(x²) + ε). x [N, D]. Fused gradient. */
function rmsNorm(x: tf.Tensor2D, w: tf.Tensor, eps: number): tf.Tensor2D {
  const f = fused(([x, w], save) => {
    const r = tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), eps)); // [N, 1]
    save([x, w, r]);
    return {
      value: tf.mul(tf.mul(x, r), w), // [N, D]
      gradFunc: (dy, saved) => {
        const [x, w, r] = saved;
        const xn = tf.mul(x, r); // [N, D]
        const g = tf.mul(dy, w); // [N, D]
        // dx = r · (g − xn · mean(g ⊙ xn))
        const dx = tf.mul(r, tf.sub(g, tf.mul(xn, tf.mean(tf.mul(g, xn), -1, true))));
        const dw = sumRows(tf.mul(dy, xn)); // [D]
        return [dx, dw];
      },
    };
  });
  return f(x, w) as tf.Tensor2D;
}

/** SwiGLU gate: silu(g) ⊙ u, with a fused gradient saving only g and u. */
function swiglu(g: tf.Tensor2D, u: tf.Tensor2D): tf.Tensor2D {
  const f = fused(([g, u], save) => {
    save([g, u]);
    return {
      value: tf.mul(tf.mul(g, tf.sigmoid(g)), u), // [N, F]
      gradFunc: (dy, saved) => {
        const [g, u] = saved;
        const s = tf.sigmoid(g);
        const silu = tf.mul(g, s);
        // d silu/dg = s · (1 + g · (1 − s))
        const dsilu = tf.mul(s, tf.add(1, tf.mul(g, tf.sub(1, s))));
        return [tf.mul(tf.mul(dy, u), dsilu), tf.mul(dy, silu)];
      },
    };
  });
  return f(g, u) as tf.Tensor2D;
}

/**
 * cos/sin tables for explicit position ids, shaped [B, T, 1, hd] to broadcast
 * over heads. Angles in float64, as HF's inv_freq = θ^(−2i/hd). The sin table
 * carries rotate_half's sign: −sin on the first half, +sin on the second.
 */
function ropeTables(positions: Int32Array | number[], B: number, T: number, hd: number, theta: number) {
  const cos = new Float32Array(B * T * hd);
  const sin = new Float32Array(B * T * hd);
  const h = hd / 2;
  for (let n = 0; n < B * T; n++) {
    const p = positions[n];
    for (let i = 0; i < h; i++) {
      const a = p * Math.pow(theta, (-2 * i) / hd);
      const c = Math.cos(a);
      const s = Math.sin(a);
      cos[n * hd + i] = cos[n * hd + i + h] = c;
      sin[n * hd + i] = -s;
      sin[n * hd + i + h] = s;
    }
  }
  return { cos: tf.tensor4d(cos, [B, T, 1, hd]), sin: tf.tensor4d(sin, [B, T, 1, hd]) };
}

/**
 * RoPE, rotate-half convention (HF): x·cos + rotate_half(x)·sin, with the
 * half swap as a matmul by a constant 0/1 permutation (wasm's Reverse and
 * Gather are slow). The sin table already carries rotate_half's sign, so the
 * permutation here has no signs. x [B, T, H, hd].
 */
function applyRope(x: tf.Tensor4D, cos: tf.Tensor, sinSigned: tf.Tensor, swap: tf.Tensor2D): tf.Tensor4D {
  const [B, T, H, hd] = x.shape;
  const swapped = tf.reshape(tf.matMul(tf.reshape(x, [B * T * H, hd]) as tf.Tensor2D, swap), [B, T, H, hd]); // [x₂, x₁]
  return tf.add(tf.mul(x, cos), tf.mul(swapped, sinSigned)) as tf.Tensor4D;
}

/** The half-swap permutation: x·S = [x₂, x₁]. */
function halfSwapMatrix(hd: number): tf.Tensor2D {
  const S = new Float32Array(hd * hd);
  const h = hd / 2;
  for (let j = 0; j < h; j++) {
    S[(j + h) * hd + j] = 1;
    S[j * hd + j + h] = 1;
  }
  return tf.tensor2d(S, [hd, hd]);
}

/**
 * Causal GQA attention. q [B, Hkv, G·Tq, hd] (already scaled by 1/√hd),
 * k, v [B, Hkv, Tk, hd], bias [B, 1, 1, Tq, Tk] (0 or −1e9) → [B, Hkv, G·Tq, hd].
 * Fused gradient: saves q, k, v, the probabilities and the output only.
 */
function attention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, bias: tf.Tensor, G: number): tf.Tensor4D {
  const [B, Hkv, GTq, hd] = q.shape;
  const Tq = GTq / G;
  const Tk = k.shape[2];
  const f = fused(([q, k, v], save) => {
    const s = tf.matMul(q as tf.Tensor4D, k as tf.Tensor4D, false, true); // [B, Hkv, G·Tq, Tk]
    const sm = tf.add(tf.reshape(s, [B, Hkv, G, Tq, Tk]), bias); // [B, Hkv, G, Tq, Tk]
    const p = tf.reshape(tf.softmax(sm), [B, Hkv, GTq, Tk]) as tf.Tensor4D; // [B, Hkv, G·Tq, Tk]
    const o = tf.matMul(p, v as tf.Tensor4D); // [B, Hkv, G·Tq, hd]
    save([q, k, v, p, o]);
    return {
      value: o,
      gradFunc: (dy, saved) => {
        const [q, k, v, p, o] = saved as tf.Tensor4D[];
        const dO = dy as tf.Tensor4D;
        const dV = tf.matMul(p, dO, true, false); // [B, Hkv, Tk, hd]
        const dP = tf.matMul(dO, v, false, true); // [B, Hkv, G·Tq, Tk]
        // softmax backward: dS = P ⊙ (dP − rowsum(dP ⊙ P)), and rowsum(dP ⊙ P) =
        // rowsum(dO ⊙ O) (FlashAttention's identity): a reduction over hd, not Tk.
        const dS = tf.mul(p, tf.sub(dP, tf.sum(tf.mul(dO, o), -1, true))) as tf.Tensor4D;
        const dQ = tf.matMul(dS, k); // [B, Hkv, G·Tq, hd]
        const dK = tf.matMul(dS, q, true, false); // [B, Hkv, Tk, hd]
        return [dQ, dK, dV];
      },
    };
  });
  return f(q, k, v) as tf.Tensor4D;
}

// ───────────────────────────── the transformer ─────────────────────────────

interface LayerKv {
  k: tf.Tensor4D; // [B, Hkv, Tk, hd]  (with a tail: the frozen prefix, Tk − Ttail slots)
  v: tf.Tensor4D; // [B, Hkv, Tk, hd]
  /** Decoding, layout 'tail': the slots appended since the last merge. [B, Hkv, Ttail, hd], 0 < Ttail < KV_TAIL_SLOTS */
  tail?: { k: tf.Tensor4D; v: tf.Tensor4D };
}

/** Per-layer projections packed for decoding (fewer, larger matmuls per token). */
interface PackedLayer {
  qkv: tf.Tensor2D; // [Wq/√hd ; Wk ; Wv]  [(H + 2·Hkv)·hd, D]  (qwen3: Wq unscaled, the q norm would undo it)
  qkvBias?: tf.Tensor1D; // [bq/√hd ; bk ; bv] (qwen2)
  gateUp: tf.Tensor2D; // [Wgate ; Wup]  [2F, D]
}

/** Snapshot the policy's projections as PackedLayers (kept tensors; the caller disposes them). */
function packWeights(policy: Policy): PackedLayer[] {
  const c = policy.config;
  // Qwen3's per-head q norm is scale-invariant, so the softmax scale is applied after it (transformer()).
  const scale = hasQkNorm(c) ? 1 : 1 / Math.sqrt(headDimOf(c));
  const out: PackedLayer[] = [];
  for (let l = 0; l < c.numLayers; l++) {
    const pre = `model.layers.${l}.`;
    out.push(
      tf.tidy(() => {
        const a = (n: string) => P(policy, pre + n);
        const packed: PackedLayer = {
          qkv: tf.concat([tf.mul(a('self_attn.q_proj.weight'), scale), a('self_attn.k_proj.weight'), a('self_attn.v_proj.weight')], 0) as tf.Tensor2D,
          gateUp: tf.concat([a('mlp.gate_proj.weight'), a('mlp.up_proj.weight')], 0) as tf.Tensor2D,
        };
        if (hasQkvBias(c))
          packed.qkvBias = tf.concat([tf.mul(a('self_attn.q_proj.bias'), scale), a('self_attn.k_proj.bias'), a('self_attn.v_proj.bias')], 0) as tf.Tensor1D;
        return packed as unknown as tf.TensorContainer;
      }) as unknown as PackedLayer,
    );
  }
  return out;
}

function disposePacked(p: PackedLayer[] | null): void {
  for (const l of p ?? []) {
    l.qkv.dispose();
    l.qkvBias?.dispose();
    l.gateUp.dispose();
  }
}

/**
 * Run the stack on ids [B, T] with explicit positions (row-major [B·T]) and an
 * additive attention bias [B, 1, 1, T, Tpast + T]. `past` (per layer) is
 * prepended to the keys/values; the new full keys/values are returned.
 * Returns the final normalised hidden state [B·T, D].
 */
function transformer(
  policy: Policy,
  ids: tf.Tensor1D,
  B: number,
  T: number,
  positions: Int32Array,
  bias: tf.Tensor,
  past?: LayerKv[],
  packed?: PackedLayer[],
  layout: KvLayoutOptions = { layout: 'tail', tailSlots: KV_TAIL_SLOTS },
): { h: tf.Tensor2D; kv: LayerKv[] } {
  const c = policy.config;
  const D = c.hiddenSize;
  const H = c.numHeads;
  const Hkv = c.numKvHeads;
  const G = H / Hkv;
  const hd = headDimOf(c);
  const qkNorm = hasQkNorm(c);
  const { cos, sin } = ropeTables(positions, B, T, hd, c.ropeTheta);
  const swap = halfSwapMatrix(hd);
  const bias_ = (name: string) => (hasQkvBias(c) ? P(policy, name) : undefined);
  /** Qwen3: RMSNorm over each head's hd values (one weight [hd] shared by all heads). x [B·T, n·hd]. */
  const headNorm = (x: tf.Tensor2D, n: number, w: string) =>
    tf.reshape(rmsNorm(tf.reshape(x, [B * T * n, hd]) as tf.Tensor2D, P(policy, w), c.rmsNormEps), [B * T, n * hd]) as tf.Tensor2D;

  let x = embed(P(policy, 'model.embed_tokens.weight') as tf.Tensor2D, ids); // [B·T, D]
  const kv: LayerKv[] = [];
  for (let l = 0; l < c.numLayers; l++) {
    const pre = `model.layers.${l}.`;
    // ── attention ──
    const h = rmsNorm(x, P(policy, pre + 'input_layernorm.weight'), c.rmsNormEps); // [B·T, D]
    let q: tf.Tensor2D, kNew: tf.Tensor2D, vNew: tf.Tensor2D;
    if (packed) {
      // Decoding: one matmul for q/k/v, softmax scale pre-folded (packWeights).
      [q, kNew, vNew] = tf.split(linear(h, packed[l].qkv, packed[l].qkvBias), [H * hd, Hkv * hd, Hkv * hd], 1) as tf.Tensor2D[];
    } else {
      q = linear(h, P(policy, pre + 'self_attn.q_proj.weight'), bias_(pre + 'self_attn.q_proj.bias')); // [B·T, H·hd]
      kNew = linear(h, P(policy, pre + 'self_attn.k_proj.weight'), bias_(pre + 'self_attn.k_proj.bias')); // [B·T, Hkv·hd]
      vNew = linear(h, P(policy, pre + 'self_attn.v_proj.weight'), bias_(pre + 'self_attn.v_proj.bias')); // [B·T, Hkv·hd]
      if (!qkNorm) q = tf.mul(q, 1 / Math.sqrt(hd)); // fold the softmax scale into q (cheaper than scaling scores)
    }
    if (qkNorm) {
      q = tf.mul(headNorm(q, H, pre + 'self_attn.q_norm.weight'), 1 / Math.sqrt(hd)); // [B·T, H·hd], scaled after the norm
      kNew = headNorm(kNew, Hkv, pre + 'self_attn.k_norm.weight'); // [B·T, Hkv·hd]
    }
    const qr = applyRope(tf.reshape(q, [B, T, H, hd]) as tf.Tensor4D, cos, sin, swap); // [B, T, H, hd]
    const kr = applyRope(tf.reshape(kNew, [B, T, Hkv, hd]) as tf.Tensor4D, cos, sin, swap); // [B, T, Hkv, hd]
    // GQA without repeating K/V: query head h = kvHead·G + g; fold g into the rows.
    const qg = tf.reshape(tf.transpose(tf.reshape(qr, [B, T, Hkv, G, hd]), [0, 2, 3, 1, 4]), [B, Hkv, G * T, hd]) as tf.Tensor4D;
    const k = tf.transpose(kr, [0, 2, 1, 3]) as tf.Tensor4D; // [B, Hkv, T, hd]
    const v = tf.transpose(tf.reshape(vNew, [B, T, Hkv, hd]), [0, 2, 1, 3]) as tf.Tensor4D; // [B, Hkv, T, hd]
    const cached = appendKv(past?.[l], k, v, layout); // keys/values of slots [0, Tpast + T)
    kv.push(cached);
    const o = cached.tail ? tailAttention(qg, cached, bias, G) : attention(qg, cached.k, cached.v, bias, G); // [B, Hkv, G·T, hd]
    const oFlat = tf.reshape(tf.transpose(tf.reshape(o, [B, Hkv, G, T, hd]), [0, 3, 1, 2, 4]), [B * T, H * hd]) as tf.Tensor2D; // [B·T, H·hd]
    x = tf.add(x, linear(oFlat, P(policy, pre + 'self_attn.o_proj.weight'))); // [B·T, D]
    // ── MLP (SwiGLU) ──
    const h2 = rmsNorm(x, P(policy, pre + 'post_attention_layernorm.weight'), c.rmsNormEps); // [B·T, D]
    const [gate, up] = packed
      ? (tf.split(linear(h2, packed[l].gateUp), 2, 1) as tf.Tensor2D[]) // decoding: one matmul
      : [linear(h2, P(policy, pre + 'mlp.gate_proj.weight')), linear(h2, P(policy, pre + 'mlp.up_proj.weight'))]; // [B·T, F] each
    x = tf.add(x, linear(swiglu(gate, up), P(policy, pre + 'mlp.down_proj.weight'))); // [B·T, D]
  }
  return { h: rmsNorm(x, P(policy, 'model.norm.weight'), c.rmsNormEps), kv };
}

/** Output head: [N, D] → logits [N, V] (tied: the embedding matrix). */
function lmHead(policy: Policy, h: tf.Tensor2D): tf.Tensor2D {
  const w = policy.config.tieEmbeddings ? P(policy, 'model.embed_tokens.weight') : P(policy, 'lm_head.weight');
  return linear(h, w); // [N, V]
}

const NEG = -1e9; // additive mask; finite so fully-masked (pad) rows stay NaN-free

/** Positions (cumsum(mask) − 1, ≥ 0) and the causal + key-padding bias [B, 1, 1, T, T]. */
function maskGeometry(maskData: ArrayLike<number>, B: number, T: number) {
  const positions = new Int32Array(B * T);
  const bias = new Float32Array(B * T * T);
  for (let b = 0; b < B; b++) {
    let seen = 0;
    for (let t = 0; t < T; t++) {
      if (maskData[b * T + t]) seen++;
      positions[b * T + t] = Math.max(0, seen - 1);
    }
    for (let i = 0; i < T; i++)
      for (let j = 0; j < T; j++)
        bias[(b * T + i) * T + j] = j <= i && maskData[b * T + j] ? 0 : NEG;
  }
  return { positions, bias: tf.tensor(bias, [B, 1, 1, T, T]) };
}

// ───────────────────────────── training forward ─────────────────────────────

/** Full forward: logits [B, T, V] for every position. `mask` defaults to all ones. */
export function forwardLogits(policy: Policy, tokens: tf.Tensor2D, mask?: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, T] = tokens.shape;
    const m = mask ? mask.dataSync() : new Float32Array(B * T).fill(1);
    const { positions, bias } = maskGeometry(m, B, T);
    const { h } = transformer(policy, tf.reshape(tokens, [B * T]) as tf.Tensor1D, B, T, positions, bias);
    return tf.reshape(lmHead(policy, h), [B, T, policy.config.vocabSize]) as tf.Tensor3D;
  });
}

/**
 * Per-token log-probs of the given sequences, differentiable w.r.t. the policy
 * variables. tokens int32 [B, T], mask [B, T] (1 = real token).
 * logProbs[b, t] = log p(tokens[b, t+1] | tokens[b, ≤t]) for t < T−1, and 0
 * unless mask[b, t] = mask[b, t+1] = 1. With `entropy`, also the entropy
 * (nats) of the predictive distribution at t (0 where masked likewise).
 * Call inside tf.tidy / the optimizer's closure: intermediates are not disposed here.
 */
export function sequenceLogProbs(
  policy: Policy,
  tokens: tf.Tensor2D,
  mask: tf.Tensor2D,
  opts: { entropy?: boolean } = {},
): { logProbs: tf.Tensor2D; entropy?: tf.Tensor2D } {
  const [B, T] = tokens.shape;
  const V = policy.config.vocabSize;
  const maskData = mask.dataSync();
  const { positions, bias } = maskGeometry(maskData, B, T);
  // Targets: the next token; position T−1 has none (−1 → all-zero one-hot row).
  const tok = tokens.dataSync();
  const tgt = new Int32Array(B * T).fill(-1);
  const tmask = new Float32Array(B * (T - 1));
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T - 1; t++) {
      // Valid only when both the context token t and the target t+1 are real.
      const ok = maskData[b * T + t] && maskData[b * T + t + 1];
      tmask[b * (T - 1) + t] = ok ? 1 : 0;
      if (ok) tgt[b * T + t] = tok[b * T + t + 1];
    }
  const { h } = transformer(policy, tf.reshape(tokens, [B * T]) as tf.Tensor1D, B, T, positions, bias);
  const logits = lmHead(policy, h); // [B·T, V]
  const logp = tf.logSoftmax(logits); // [B·T, V]
  const oh = oneHotF32(tf.tensor1d(tgt, 'int32'), V); // [B·T, V]
  const tm = tf.tensor2d(tmask, [B, T - 1]);
  const lpAll = tf.reshape(tf.sum(tf.mul(logp, oh), -1), [B, T]); // [B, T]
  const logProbs = tf.mul(tf.slice(lpAll, [0, 0], [B, T - 1]), tm) as tf.Tensor2D; // [B, T−1]
  if (!opts.entropy) return { logProbs };
  const ent = tf.reshape(tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), -1)), [B, T]); // [B, T]
  return { logProbs, entropy: tf.mul(tf.slice(ent, [0, 0], [B, T - 1]), tm) as tf.Tensor2D };
}

/**
 * Micro-batch size for a training step on [B, T] sequences that keeps the
 * step's wasm heap (forward activations saved for backward + gradients) under
 * `budgetBytes` — default 1.5 GiB, well under wasm's 4 GiB cap, leaving room
 * for weights, optimizer state, rollouts and allocator fragmentation. The
 * per-sequence estimate is memory.ts's `activationBytesPerSequence`.
 * Returns a size in [1, B].
 */
export function microBatchSize(B: number, T: number, config: ModelConfig, budgetBytes = ACTIVATION_BUDGET_BYTES): number {
  return Math.max(1, Math.min(B, Math.floor(budgetBytes / activationBytesPerSequence(T, config))));
}

// ───────────────────────────── incremental decoding ─────────────────────────────

/**
 * How the cache grows by one slot per decoded token. tfjs has no in-place
 * write, so appending means copying:
 * - 'concat': K ← concat(K, k) every step copies the whole cache, O(T²) over a
 *   wave (2·B·L·T·D floats per step: ~50 MB at B 64, S model, T 200). Kept as
 *   the benchmark baseline.
 * - 'tail' (default): new slots go to a short tail (≤ KV_TAIL_SLOTS) that is
 *   merged into the frozen prefix when full: per step a copy of ≤ 32 slots,
 *   plus one full copy every 32 steps; attention scores both parts and takes
 *   one softmax over their concatenated scores (hd× smaller than K).
 */
export type KvLayout = 'tail' | 'concat';

/**
 * Tail length before a merge. Per step the copies are ~TAIL/2 slots (tail)
 * + T/TAIL (amortised merge), least at TAIL ≈ √(2T): 20–32 for T 200–500.
 */
export const KV_TAIL_SLOTS = 32;

export interface KvLayoutOptions {
  layout: KvLayout;
  /** 'tail': slots in the tail before a merge (default KV_TAIL_SLOTS; tests use small ones). */
  tailSlots: number;
}

/** The cache after appending this step's k, v [B, Hkv, T, hd]; `past` undefined: prefill. */
function appendKv(past: LayerKv | undefined, k: tf.Tensor4D, v: tf.Tensor4D, opts: KvLayoutOptions): LayerKv {
  if (!past) return { k, v };
  if (opts.layout === 'concat') return { k: tf.concat([past.k, k], 2), v: tf.concat([past.v, v], 2) }; // [B, Hkv, Tpast + T, hd]
  const tk = past.tail ? tf.concat([past.tail.k, k], 2) : k; // [B, Hkv, Ttail + T, hd]
  const tv = past.tail ? tf.concat([past.tail.v, v], 2) : v;
  if (tk.shape[2] < opts.tailSlots) return { k: past.k, v: past.v, tail: { k: tk, v: tv } };
  return { k: tf.concat([past.k, tk], 2), v: tf.concat([past.v, tv], 2) }; // merge: the one full copy per KV_TAIL_SLOTS steps
}

/**
 * attention() over a prefix + tail cache, without joining K/V: scores of
 * both parts, one softmax over the joined scores [B, Hkv, G·Tq, Tk], then
 * O = P_prefix·V_prefix + P_tail·V_tail. Decoding only (no gradient).
 */
function tailAttention(q: tf.Tensor4D, kv: LayerKv, bias: tf.Tensor, G: number): tf.Tensor4D {
  const [B, Hkv, GTq] = q.shape;
  const Tq = GTq / G;
  const T0 = kv.k.shape[2];
  const T1 = kv.tail!.k.shape[2];
  const s = tf.concat([tf.matMul(q, kv.k, false, true), tf.matMul(q, kv.tail!.k, false, true)], 3); // [B, Hkv, G·Tq, T0 + T1]
  const sm = tf.add(tf.reshape(s, [B, Hkv, G, Tq, T0 + T1]), bias); // [B, Hkv, G, Tq, Tk]
  const p = tf.reshape(tf.softmax(sm), [B, Hkv, GTq, T0 + T1]) as tf.Tensor4D; // [B, Hkv, G·Tq, Tk]
  const [p0, p1] = tf.split(p, [T0, T1], 3) as tf.Tensor4D[];
  return tf.add(tf.matMul(p0, kv.v), tf.matMul(p1, kv.tail!.v)) as tf.Tensor4D; // [B, Hkv, G·Tq, hd]
}

/** Every tensor a layer's cache holds. */
function kvTensors(l: LayerKv): tf.Tensor[] {
  return l.tail ? [l.k, l.v, l.tail.k, l.tail.v] : [l.k, l.v];
}

/**
 * Per-layer K/V for lock-step batched decoding. Rows are left-padded at
 * `prefill` so they share one time axis; `pads[b]` slots at the start of row
 * b are masked out and row b's position at slot s is s − pads[b].
 */
export interface KvCache {
  /** Rows; shrinks when `compactKvCache` drops finished ones. */
  batchSize: number;
  readonly maxLen: number;
  readonly layout: KvLayoutOptions;
  /** Slots filled so far (including left padding). */
  length: number;
  pads: number[];
  layers: LayerKv[] | null;
  /** Packed projections, snapshotted at prefill: weight updates during a wave are not seen. */
  packed: PackedLayer[] | null;
  dispose(): void;
}

export function createKvCache(policy: Policy, batchSize: number, maxLen: number, layout: Partial<KvLayoutOptions> = {}): KvCache {
  if (maxLen > policy.config.maxPositions)
    throw new Error(`createKvCache: maxLen ${maxLen} exceeds the model's maxPositions ${policy.config.maxPositions}`);
  if (layout.tailSlots != null && !(Number.isInteger(layout.tailSlots) && layout.tailSlots >= 1))
    throw new Error(`createKvCache: tailSlots must be a positive integer, got ${layout.tailSlots}`);
  const cache: KvCache = {
    batchSize,
    maxLen,
    layout: { layout: layout.layout ?? 'tail', tailSlots: layout.tailSlots ?? KV_TAIL_SLOTS },
    length: 0,
    pads: new Array(batchSize).fill(0),
    layers: null,
    packed: null,
    dispose() {
      for (const l of cache.layers ?? []) for (const t of kvTensors(l)) t.dispose();
      disposePacked(cache.packed);
      cache.layers = null;
      cache.packed = null;
      cache.length = 0;
    },
  };
  return cache;
}

/** Keep the new layers' tensors and free the old ones they no longer share (a tail step reuses the prefix). */
function storeKv(cache: KvCache, kv: LayerKv[]): void {
  const kept = new Set<tf.Tensor>();
  for (const l of kv) for (const t of kvTensors(l)) kept.add(tf.keep(t));
  for (const l of cache.layers ?? []) for (const t of kvTensors(l)) if (!kept.has(t)) t.dispose();
  cache.layers = kv;
}

/**
 * Feed prompts of different lengths (left-padded internally) into an empty
 * cache. Returns the logits [B, V] after each prompt's last token.
 */
export function prefill(policy: Policy, cache: KvCache, prompts: number[][]): tf.Tensor2D {
  if (prompts.length !== cache.batchSize) throw new Error(`prefill: got ${prompts.length} prompts for a cache of batch ${cache.batchSize}`);
  if (cache.length !== 0) throw new Error('prefill: the cache is not empty (dispose it or create a new one)');
  const B = prompts.length;
  const T = Math.max(...prompts.map((p) => p.length));
  if (prompts.some((p) => p.length === 0)) throw new Error('prefill: empty prompt');
  if (T > cache.maxLen) throw new Error(`prefill: prompt length ${T} exceeds cache maxLen ${cache.maxLen}`);
  const ids = new Int32Array(B * T);
  const mask = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    const pad = T - prompts[b].length;
    cache.pads[b] = pad;
    for (let t = 0; t < prompts[b].length; t++) {
      ids[b * T + pad + t] = prompts[b][t];
      mask[b * T + pad + t] = 1;
    }
  }
  disposePacked(cache.packed);
  cache.packed = packWeights(policy);
  return tf.tidy(() => {
    const { positions, bias } = maskGeometry(mask, B, T);
    const { h, kv } = transformer(policy, tf.tensor1d(ids, 'int32'), B, T, positions, bias, undefined, cache.packed!);
    storeKv(cache, kv);
    cache.length = T;
    const last = tf.reshape(tf.slice(tf.reshape(h, [B, T, -1]), [0, T - 1, 0], [B, 1, -1]), [B, -1]) as tf.Tensor2D; // [B, D]
    return lmHead(policy, last); // [B, V]
  });
}

/** Append one token per row; returns the next-token logits [B, V]. */
export function decodeStep(policy: Policy, cache: KvCache, tokenIds: ArrayLike<number>): tf.Tensor2D {
  const B = cache.batchSize;
  if (tokenIds.length !== B) throw new Error(`decodeStep: got ${tokenIds.length} tokens for a cache of batch ${B}`);
  if (cache.length >= cache.maxLen) throw new Error(`decodeStep: cache is full (maxLen ${cache.maxLen})`);
  const s = cache.length; // slot of the new token
  const Tk = s + 1;
  const positions = new Int32Array(B);
  const bias = new Float32Array(B * Tk);
  for (let b = 0; b < B; b++) {
    positions[b] = s - cache.pads[b];
    for (let j = 0; j < Tk; j++) bias[b * Tk + j] = j >= cache.pads[b] ? 0 : NEG;
  }
  cache.packed ??= packWeights(policy);
  return tf.tidy(() => {
    const { h, kv } = transformer(
      policy,
      tf.tensor1d(Int32Array.from(tokenIds), 'int32'),
      B,
      1,
      positions,
      tf.tensor(bias, [B, 1, 1, 1, Tk]),
      cache.layers ?? undefined,
      cache.packed!,
      cache.layout,
    );
    storeKv(cache, kv);
    cache.length = Tk;
    return lmHead(policy, h); // [B, V]
  });
}

/**
 * Keep only `rows` (ascending cache row indices) of every cached K/V: rows
 * that finished stop costing compute in later steps. One copy of the cache
 * (a gather on the batch axis); a caller that compacts when a quarter of the
 * rows are done copies at most ~4 caches' worth over a wave.
 */
export function compactKvCache(cache: KvCache, rows: readonly number[]): void {
  if (rows.length === 0) throw new Error('compactKvCache: no rows to keep (dispose the cache instead)');
  for (let i = 0; i < rows.length; i++)
    if (!Number.isInteger(rows[i]) || rows[i] < 0 || rows[i] >= cache.batchSize || (i > 0 && rows[i] <= rows[i - 1]))
      throw new Error(`compactKvCache: rows must be ascending indices in [0, ${cache.batchSize}), got ${rows.join(',')}`);
  if (rows.length === cache.batchSize) return;
  const layers = tf.tidy(() => {
    const idx = tf.tensor1d(Int32Array.from(rows), 'int32');
    const g = (t: tf.Tensor4D) => tf.gather(t, idx, 0) as tf.Tensor4D; // [rows, Hkv, T, hd]
    return (cache.layers ?? []).map((l): LayerKv => ({
      k: g(l.k), v: g(l.v), ...(l.tail ? { tail: { k: g(l.tail.k), v: g(l.tail.v) } } : {}),
    })) as unknown as tf.TensorContainer;
  }) as unknown as LayerKv[];
  storeKv(cache, layers);
  cache.pads = rows.map((r) => cache.pads[r]);
  cache.batchSize = rows.length;
}
