/**
 * Training rows → padded tensors. A row is prompt ‖ completion, right-padded
 * to the longest row of the (micro-)batch; `mask` marks real tokens (the
 * decoder's convention) and `lossMask[b, t]` marks the positions whose
 * *predicted* token (t+1) is a completion token — the only ones the loss sees.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface TrainRow {
  /** prompt ‖ completion token ids. */
  tokens: number[];
  promptLength: number;
  advantage: number;
  /** Group (prompt) index within the step's batch. */
  group: number;
  correct: boolean;
  reward: number;
  truncated: boolean;
  /** Log-probs under the rollout-time policy, positions 0..len−2 (filled before the updates). */
  old?: Float32Array;
  /** Log-probs under the frozen reference (only when the loss needs one). */
  ref?: Float32Array;
  /** The rollout engine's own log-probs, laid out like `old` (prompt positions 0); absent when the engine gave none. */
  rollout?: Float32Array;
}

export const completionLength = (r: TrainRow) => r.tokens.length - r.promptLength;

export interface RowTensors {
  tokens: tf.Tensor2D; // int32 [b, T]
  mask: tf.Tensor2D; // [b, T]
  lossMask: tf.Tensor2D; // [b, T−1]
  T: number;
}

export function rowTensors(rows: readonly TrainRow[]): RowTensors {
  const b = rows.length;
  const T = Math.max(2, ...rows.map((r) => r.tokens.length));
  const tok = new Int32Array(b * T);
  const mask = new Float32Array(b * T);
  const lossMask = new Float32Array(b * (T - 1));
  rows.forEach((r, i) => {
    r.tokens.forEach((id, t) => {
      tok[i * T + t] = id;
      mask[i * T + t] = 1;
    });
    for (let t = r.promptLength - 1; t < r.tokens.length - 1; t++) lossMask[i * (T - 1) + t] = 1;
  });
  return {
    tokens: tf.tensor2d(tok, [b, T], 'int32'),
    mask: tf.tensor2d(mask, [b, T]),
    lossMask: tf.tensor2d(lossMask, [b, T - 1]),
    T,
  };
}

/** Per-row log-probs (length len−1 each) padded into [b, T−1]. */
export function paddedLogProbs(rows: readonly TrainRow[], pick: (r: TrainRow) => Float32Array | undefined, T: number): tf.Tensor2D {
  const out = new Float32Array(rows.length * (T - 1));
  rows.forEach((r, i) => {
    const lp = pick(r);
    if (!lp) throw new Error('training row without log-probs');
    out.set(lp.subarray(0, T - 1), i * (T - 1));
  });
  return tf.tensor2d(out, [rows.length, T - 1]);
}

/** Split `items` into consecutive chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Split `items` into `k` near-equal consecutive parts (no empty part unless items < k). */
export function splitInto<T>(items: readonly T[], k: number): T[][] {
  const out: T[][] = [];
  const n = items.length;
  for (let i = 0; i < k; i++) {
    const part = items.slice(Math.floor((i * n) / k), Math.floor(((i + 1) * n) / k));
    if (part.length) out.push(part);
  }
  return out;
}
