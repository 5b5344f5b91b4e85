/**
 * Independent float64 reference forward of the Llama/Qwen2 decoder, written
 * from the Hugging Face definitions (rotate-half RoPE, RMSNorm, SwiGLU, GQA),
 * over plain arrays. Used to check llama.cpp and tfjs logits.
 */
import type { ModelConfig, NamedTensors } from '../../src/model/config.ts';

/** y[o] = Σ_i W[o][i]·x[i] (+ b[o]). */
function linear(w: Float32Array, x: Float64Array, out: number, b?: Float32Array): Float64Array {
  const n = x.length;
  const y = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    let s = b ? b[o] : 0;
    for (let i = 0; i < n; i++) s += w[o * n + i] * x[i];
    y[o] = s;
  }
  return y;
}

function rmsNorm(x: Float64Array, w: Float32Array, eps: number): Float64Array {
  let ss = 0;
  for (const v of x) ss += v * v;
  const r = 1 / Math.sqrt(ss / x.length + eps);
  return x.map((v, i) => v * r * w[i]);
}

/** HF rotate-half RoPE on each head of `v` (length nH·hd) at position `pos`. */
function rope(v: Float64Array, nH: number, hd: number, pos: number, theta: number): Float64Array {
  const out = new Float64Array(v.length);
  const half = hd / 2;
  for (let h = 0; h < nH; h++)
    for (let i = 0; i < half; i++) {
      const ang = pos * Math.pow(theta, (-2 * i) / hd);
      const c = Math.cos(ang), s = Math.sin(ang);
      const a = v[h * hd + i], b = v[h * hd + half + i];
      out[h * hd + i] = a * c - b * s;
      out[h * hd + half + i] = b * c + a * s;
    }
  return out;
}

/** Logits [T][V] for every position of `tokens`. */
export function referenceLogits(cfg: ModelConfig, w: NamedTensors, tokens: number[]): Float64Array[] {
  const g = (n: string) => {
    const t = w.get(n);
    if (!t) throw new Error(`reference: missing ${n}`);
    return t.data;
  };
  const D = cfg.hiddenSize, H = cfg.numHeads, KV = cfg.numKvHeads, hd = D / H;
  const emb = g('model.embed_tokens.weight');
  let xs = tokens.map((t) => Float64Array.from(emb.subarray(t * D, (t + 1) * D)));
  for (let l = 0; l < cfg.numLayers; l++) {
    const p = `model.layers.${l}.`;
    const bias = (n: string) => (cfg.arch === 'qwen2' ? g(`${p}self_attn.${n}_proj.bias`) : undefined);
    const qs: Float64Array[] = [], ks: Float64Array[] = [], vs: Float64Array[] = [];
    xs.forEach((x, pos) => {
      const h = rmsNorm(x, g(`${p}input_layernorm.weight`), cfg.rmsNormEps);
      qs.push(rope(linear(g(`${p}self_attn.q_proj.weight`), h, D, bias('q')), H, hd, pos, cfg.ropeTheta));
      ks.push(rope(linear(g(`${p}self_attn.k_proj.weight`), h, KV * hd, bias('k')), KV, hd, pos, cfg.ropeTheta));
      vs.push(linear(g(`${p}self_attn.v_proj.weight`), h, KV * hd, bias('v')));
    });
    xs = xs.map((x, pos) => {
      const att = new Float64Array(D);
      for (let h = 0; h < H; h++) {
        const kh = Math.floor(h / (H / KV));
        const sc = [];
        for (let j = 0; j <= pos; j++) {
          let s = 0;
          for (let i = 0; i < hd; i++) s += qs[pos][h * hd + i] * ks[j][kh * hd + i];
          sc.push(s / Math.sqrt(hd));
        }
        const m = Math.max(...sc);
        const e = sc.map((s) => Math.exp(s - m));
        const z = e.reduce((a, b) => a + b, 0);
        for (let j = 0; j <= pos; j++)
          for (let i = 0; i < hd; i++) att[h * hd + i] += (e[j] / z) * vs[j][kh * hd + i];
      }
      const x1 = x.map((v, i) => v + linear(g(`${p}self_attn.o_proj.weight`), att, D)[i]);
      const h2 = rmsNorm(x1, g(`${p}post_attention_layernorm.weight`), cfg.rmsNormEps);
      const gate = linear(g(`${p}mlp.gate_proj.weight`), h2, cfg.ffnSize);
      const up = linear(g(`${p}mlp.up_proj.weight`), h2, cfg.ffnSize);
      const act = gate.map((a, i) => (a / (1 + Math.exp(-a))) * up[i]);
      const down = linear(g(`${p}mlp.down_proj.weight`), act, D);
      return x1.map((v, i) => v + down[i]);
    });
  }
  const head = w.get('lm_head.weight')?.data ?? emb;
  return xs.map((x) => linear(head, rmsNorm(x, g('model.norm.weight'), cfg.rmsNormEps), cfg.vocabSize));
}

export function softmax(logits: ArrayLike<number>, temperature = 1): number[] {
  const l = Array.from(logits, (v) => v / temperature);
  const m = Math.max(...l);
  const e = l.map((v) => Math.exp(v - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / z);
}
