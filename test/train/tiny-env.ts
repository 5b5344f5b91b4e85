/**
 * A tiny synthetic RL task for trainer tests: vocabulary of 8 tokens
 * (0 = BOS, 1 = EOS, 2..7 content). The rewarded behaviour: finish (EOS)
 * right after token 5 — "end with a specific token". A random policy does it
 * rarely; a learned one always, and as early as it likes (length is free, so
 * a length penalty has something to remove).
 *
 * TinyEngine samples from the tfjs policy by full forward passes (fine at
 * these lengths), seeded per (request seed, sample index).
 */
import * as tf from '@tensorflow/tfjs-core';
import { forwardLogits, initPolicy, type Policy } from '../../src/model/decoder.ts';
import { ModelConfigSchema } from '../../src/model/config.ts';
import type { GenerateOptions, GenerateRequest, Sample } from '../../src/rollout/types.ts';
import type { Problem } from '../../src/tasks/types.ts';
import type { TrainEnv } from '../../src/train/loop.ts';
import type { RolloutEngine } from '../../src/rollout/types.ts';
import { Rng } from '../../src/util/rng.ts';

export const EOS = 1;
export const TARGET = 5;

export const tinyConfig = ModelConfigSchema.parse({
  arch: 'llama',
  vocabSize: 8,
  hiddenSize: 16,
  numLayers: 1,
  numHeads: 2,
  numKvHeads: 2,
  ffnSize: 32,
  eosTokenId: EOS,
  bosTokenId: 0,
  maxPositions: 64,
});

export const tinyPolicy = (seed = 1): Policy => initPolicy(tinyConfig, seed);

export function tinyEnv(): TrainEnv {
  const problems: Problem[] = [2, 3, 4, 6].map((t) => ({ id: `p${t}`, question: String(t), gold: String(TARGET) }));
  return {
    problems,
    promptIds: (p) => [0, Number(p.question)],
    score: (_p, s) => {
      const stopped = s.finish === 'stop';
      const last = stopped && s.tokens.length >= 2 ? s.tokens[s.tokens.length - 2] : null;
      return { correct: last === TARGET, parsed: last === null ? null : String(last), format: {} };
    },
  };
}

export class TinyEngine implements RolloutEngine {
  readonly name = 'tiny';
  constructor(readonly policy: Policy) {}

  async generate(requests: GenerateRequest[], opts: GenerateOptions): Promise<Sample[][]> {
    const seqs = requests.flatMap((r, i) =>
      Array.from({ length: r.n }, (_, j) => ({ i, j, prompt: r.promptIds, toks: [] as number[], max: r.maxTokens, rng: new Rng(`${r.seed}:${j}`), finish: null as Sample['finish'] | null })),
    );
    const stop = new Set([EOS, ...(opts.stopTokenIds ?? [])]);
    for (;;) {
      const live = seqs.filter((s) => s.finish === null);
      if (live.length === 0) break;
      const rows = live.map((s) => [...s.prompt, ...s.toks]);
      const T = Math.max(...rows.map((r) => r.length));
      const V = this.policy.config.vocabSize;
      const logits = tf.tidy(() => {
        const tok = tf.tensor2d(rows.map((r) => [...r, ...new Array(T - r.length).fill(0)]), [rows.length, T], 'int32');
        const mask = tf.tensor2d(rows.map((r) => r.map(() => 1).concat(new Array(T - r.length).fill(0))), [rows.length, T]);
        return forwardLogits(this.policy, tok as tf.Tensor2D, mask as tf.Tensor2D).dataSync() as Float32Array;
      });
      live.forEach((s, b) => {
        const off = (b * T + rows[b].length - 1) * V;
        const l = Array.from(logits.subarray(off, off + V), (x) => x / Math.max(opts.temperature, 1e-6));
        const mx = Math.max(...l);
        const p = l.map((x) => Math.exp(x - mx));
        const z = p.reduce((a, x) => a + x, 0);
        let u = s.rng.next() * z;
        let tok = V - 1;
        for (let v = 0; v < V; v++) {
          u -= p[v];
          if (u < 0) {
            tok = v;
            break;
          }
        }
        s.toks.push(tok);
        if (stop.has(tok)) s.finish = 'stop';
        else if (s.toks.length >= s.max) s.finish = 'length';
      });
    }
    const out: Sample[][] = requests.map(() => []);
    for (const s of seqs) out[s.i][s.j] = { tokens: s.toks, text: s.toks.join(' '), finish: s.finish! };
    return out;
  }

  async dispose(): Promise<void> {}
}
