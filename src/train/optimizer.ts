/**
 * AdamW (Loshchilov & Hutter: decoupled weight decay, bias-corrected moments)
 * over named `tf.Variable`s, global-norm gradient clipping, and the learning
 * rate schedule (linear warmup, then cosine decay or constant).
 *
 * The optimizer state (step count and both moments, f32) exports to and
 * imports from `NamedTensors`, so a resumed run continues bit-identically.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensors } from '../model/config.ts';

export interface AdamWOptions {
  /** β1, β2: the usual Adam moment decay rates. */
  betas: [number, number];
  /** Added to √v̂; 1e-8 as in PyTorch. */
  eps: number;
  /** Decoupled decay (p ← p·(1 − lr·wd)); applied to matrices only, not to norm weights or biases (rank 1). */
  weightDecay: number;
}

export class AdamW {
  /** Number of updates taken (t in the bias corrections). */
  step = 0;
  private readonly m = new Map<string, tf.Variable>();
  private readonly v = new Map<string, tf.Variable>();

  constructor(
    readonly params: ReadonlyMap<string, tf.Variable>,
    readonly opts: AdamWOptions,
  ) {
    for (const [name, p] of params) {
      // tf.variable copies its initial value: build the zeros inside tidy so they are freed.
      this.m.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false, `adamw.m.${name}.${uid++}`)));
      this.v.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false, `adamw.v.${name}.${uid++}`)));
    }
  }

  /** One update with learning rate `lr`; `grads` keyed like `params` (missing = no update for that one). */
  apply(grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    this.step++;
    const [b1, b2] = this.opts.betas;
    const bc1 = 1 - b1 ** this.step;
    const bc2 = 1 - b2 ** this.step;
    for (const [name, p] of this.params) {
      const g = grads.get(name);
      if (!g) continue;
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      tf.tidy(() => {
        const m1 = tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1));
        const v1 = tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2));
        const upd = tf.div(tf.div(m1, bc1), tf.add(tf.sqrt(tf.div(v1, bc2)), this.opts.eps));
        const decay = p.rank >= 2 ? 1 - lr * this.opts.weightDecay : 1;
        m.assign(m1);
        v.assign(v1);
        p.assign(tf.sub(tf.mul(p, decay), tf.mul(upd, lr)));
      });
    }
  }

  /** Moments as `m.<name>` / `v.<name>` tensors plus the step count. */
  exportState(): { step: number; tensors: NamedTensors } {
    const tensors: NamedTensors = new Map();
    for (const [name, m] of this.m) tensors.set(`m.${name}`, { shape: m.shape.slice(), data: m.dataSync() as Float32Array });
    for (const [name, v] of this.v) tensors.set(`v.${name}`, { shape: v.shape.slice(), data: v.dataSync() as Float32Array });
    return { step: this.step, tensors };
  }

  importState(state: { step: number; tensors: NamedTensors }): void {
    for (const [kind, map] of [['m', this.m], ['v', this.v]] as const) {
      for (const [name, variable] of map) {
        const t = state.tensors.get(`${kind}.${name}`);
        if (!t) throw new Error(`optimizer state: missing ${kind}.${name}`);
        if (t.shape.join(',') !== variable.shape.join(',')) {
          throw new Error(`optimizer state: ${kind}.${name} has shape [${t.shape}], the parameter has [${variable.shape}]`);
        }
        tf.tidy(() => variable.assign(tf.tensor(t.data, t.shape)));
      }
    }
    this.step = state.step;
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
  }
}
let uid = 0;

/**
 * Global-norm clipping: if ‖g‖₂ over all tensors exceeds `maxNorm`, scale all
 * by maxNorm/‖g‖. Returns the pre-clip norm (NaN/Inf when a gradient is not
 * finite — the caller's guard skips the update). `maxNorm` null = no clipping.
 * The returned gradients are new tensors; the inputs are not disposed.
 */
export function clipByGlobalNorm(
  grads: ReadonlyMap<string, tf.Tensor>,
  maxNorm: number | null,
): { grads: Map<string, tf.Tensor>; norm: number } {
  const sq = tf.tidy(() => {
    const parts = [...grads.values()].map((g) => tf.sum(tf.square(g)));
    return parts.length ? tf.addN(parts) : tf.scalar(0);
  });
  const norm = Math.sqrt(sq.dataSync()[0]);
  sq.dispose();
  const scale = maxNorm !== null && Number.isFinite(norm) && norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
  const out = new Map<string, tf.Tensor>();
  for (const [k, g] of grads) out.set(k, scale === 1 ? tf.clone(g) : tf.tidy(() => tf.mul(g, scale)));
  return { grads: out, norm };
}

export interface LrSchedule {
  /** Peak learning rate. */
  lr: number;
  warmupSteps: number;
  decay: 'cosine' | 'constant';
  /** Cosine decays to lr × minLrRatio at the last update. */
  minLrRatio: number;
}

/**
 * Learning rate of update `u` (0-based) out of `total`: linear warmup from
 * lr/warmup to lr over `warmupSteps`, then cosine from lr to lr·minLrRatio
 * (or constant).
 */
export function learningRate(s: LrSchedule, u: number, total: number): number {
  if (u < s.warmupSteps) return (s.lr * (u + 1)) / s.warmupSteps;
  if (s.decay === 'constant') return s.lr;
  const span = Math.max(total - s.warmupSteps - 1, 1);
  const progress = Math.min(Math.max((u - s.warmupSteps) / span, 0), 1);
  const min = s.lr * s.minLrRatio;
  return min + 0.5 * (s.lr - min) * (1 + Math.cos(Math.PI * progress));
}
