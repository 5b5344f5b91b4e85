/**
 * Independent plain-JS float64 forward of the Llama/Qwen2/Qwen3 decoder (no tfjs),
 * written straight from the HF modeling code: per-head rotate-half RoPE with
 * explicit repetition of KV heads. Used as the oracle for logits and for
 * finite-difference gradients.
 */
import type { ModelConfig, NamedTensors } from '../../src/model/config.ts';

export type Weights64 = Map<string, { shape: number[]; data: Float64Array }>;

export const to64 = (named: NamedTensors): Weights64 =>
  new Map([...named].map(([n, t]) => [n, { shape: t.shape, data: Float64Array.from(t.data) }]));

/** y[o] = Σ_i W[o, i] x[i] (+ b[o]) */
function linear(x: Float64Array, w: { shape: number[]; data: Float64Array }, b?: { data: Float64Array }): Float64Array {
  const [O, I] = w.shape;
  const y = new Float64Array(O);
  for (let o = 0; o < O; o++) {
    let s = b ? b.data[o] : 0;
    for (let i = 0; i < I; i++) s += w.data[o * I + i] * x[i];
    y[o] = s;
  }
  return y;
}

function rmsNorm(x: Float64Array, w: Float64Array, eps: number): Float64Array {
  let ss = 0;
  for (const v of x) ss += v * v;
  const r = 1 / Math.sqrt(ss / x.length + eps);
  return x.map((v, i) => v * r * w[i]);
}

function rope(x: Float64Array, pos: number, hd: number, theta: number): Float64Array {
  const y = new Float64Array(x.length);
  const h = hd / 2;
  for (let head = 0; head < x.length / hd; head++) {
    const o = head * hd;
    for (let i = 0; i < h; i++) {
      const a = pos * Math.pow(theta, (-2 * i) / hd);
      const c = Math.cos(a), s = Math.sin(a);
      const x1 = x[o + i], x2 = x[o + i + h];
      y[o + i] = x1 * c - x2 * s;
      y[o + i + h] = x2 * c + x1 * s;
    }
  }
  return y;
}

/** Logits [T][V] of one unpadded sequence. */
export function referenceLogits(c: ModelConfig, W: Weights64, ids: number[]): Float64Array[] {
  const g = (n: string) => {
    const t = W.get(n);
    if (!t) throw new Error(`reference: missing ${n}`);
    return t;
  };
  const D = c.hiddenSize, H = c.numHeads, Hkv = c.numKvHeads, hd = c.headDim ?? D / H, G = H / Hkv;
  const T = ids.length;
  const E = g('model.embed_tokens.weight');
  let xs = ids.map((id) => E.data.slice(id * D, (id + 1) * D));
  for (let l = 0; l < c.numLayers; l++) {
    const p = `model.layers.${l}.`;
    const bias = (n: string) => (c.arch === 'qwen2' ? g(p + n) : undefined);
    const hs = xs.map((x) => rmsNorm(x, g(p + 'input_layernorm.weight').data, c.rmsNormEps));
    // Qwen3 (HF Qwen3Attention): q_norm / k_norm = RMSNorm over each head's hd values, before RoPE.
    const headNorm = (x: Float64Array, n: string): Float64Array => {
      if (c.arch !== 'qwen3') return x;
      const y = new Float64Array(x.length);
      for (let o = 0; o < x.length; o += hd) y.set(rmsNorm(x.subarray(o, o + hd), g(p + n).data, c.rmsNormEps), o);
      return y;
    };
    const q = hs.map((h, t) => rope(headNorm(linear(h, g(p + 'self_attn.q_proj.weight'), bias('self_attn.q_proj.bias')), 'self_attn.q_norm.weight'), t, hd, c.ropeTheta));
    const k = hs.map((h, t) => rope(headNorm(linear(h, g(p + 'self_attn.k_proj.weight'), bias('self_attn.k_proj.bias')), 'self_attn.k_norm.weight'), t, hd, c.ropeTheta));
    const v = hs.map((h) => linear(h, g(p + 'self_attn.v_proj.weight'), bias('self_attn.v_proj.bias')));
    const att = xs.map(() => new Float64Array(H * hd));
    for (let t = 0; t < T; t++)
      for (let head = 0; head < H; head++) {
        const kvh = Math.floor(head / G);
        const sc: number[] = [];
        for (let j = 0; j <= t; j++) {
          let s = 0;
          for (let i = 0; i < hd; i++) s += q[t][head * hd + i] * k[j][kvh * hd + i];
          sc.push(s / Math.sqrt(hd));
        }
        const m = Math.max(...sc);
        const e = sc.map((s) => Math.exp(s - m));
        const z = e.reduce((a, b) => a + b, 0);
        for (let j = 0; j <= t; j++)
          for (let i = 0; i < hd; i++) att[t][head * hd + i] += (e[j] / z) * v[j][kvh * hd + i];
      }
    xs = xs.map((x, t) => {
      const o = linear(att[t], g(p + 'self_attn.o_proj.weight'));
      return x.map((v, i) => v + o[i]);
    });
    xs = xs.map((x) => {
      const h = rmsNorm(x, g(p + 'post_attention_layernorm.weight').data, c.rmsNormEps);
      const gt = linear(h, g(p + 'mlp.gate_proj.weight'));
      const up = linear(h, g(p + 'mlp.up_proj.weight'));
      const act = gt.map((a, i) => (a / (1 + Math.exp(-a))) * up[i]);
      const d = linear(act, g(p + 'mlp.down_proj.weight'));
      return x.map((v, i) => v + d[i]);
    });
  }
  const head = c.tieEmbeddings ? E : g('lm_head.weight');
  return xs.map((x) => linear(rmsNorm(x, g('model.norm.weight').data, c.rmsNormEps), head));
}

/** Log-probs of ids[t+1] and entropies at t, t < T−1, for one unpadded sequence. */
export function referenceLogProbs(c: ModelConfig, W: Weights64, ids: number[]): { logProbs: number[]; entropy: number[] } {
  const logits = referenceLogits(c, W, ids);
  const logProbs: number[] = [];
  const entropy: number[] = [];
  for (let t = 0; t + 1 < ids.length; t++) {
    const z = logits[t];
    const m = Math.max(...z);
    const lse = m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
    logProbs.push(z[ids[t + 1]] - lse);
    let h = 0;
    for (const v of z) h -= Math.exp(v - lse) * (v - lse);
    entropy.push(h);
  }
  return { logProbs, entropy };
}

/** softmax(logits / temperature) as plain numbers. */
export function softmax(logits: ArrayLike<number>, temperature = 1): number[] {
  const l = Array.from(logits, (v) => v / temperature);
  const m = Math.max(...l);
  const e = l.map((v) => Math.exp(v - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}
