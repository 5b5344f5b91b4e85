/**
 * TfjsEngine: batched incremental decoding directly on the tfjs policy, using
 * the decoder's KV cache (`createKvCache` / `prefill` / `decodeStep`).
 *
 * Samples are decoded in waves of `batchSize` rows in lock-step: one prefill
 * of the (left-padded) prompts, then one `decodeStep` per generated token for
 * the whole wave. Rows that finished keep feeding EOS until the wave ends
 * (their outputs are ignored). Samples are grouped by total length so waves
 * waste little. Sampling happens in plain JS on the [B, V] logits with
 * `drawToken` and the per-sample, per-step seeds of `sampling.ts`, so results
 * do not depend on wave composition.
 *
 * The engine samples from the live policy variables: after an optimizer step
 * there is nothing to refresh.
 */
import { z } from 'zod';
import { initEngine } from '../engine/index.ts';
import type { NamedTensors } from '../model/config.ts';
import { assignNamed, createKvCache, decodeStep, prefill, type Policy } from '../model/decoder.ts';
import { checkRequests, finishSample, type SampleState } from './requests.ts';
import { drawToken, sampleSeed, stepSeed, uniformFromSeed } from './sampling.ts';
import type { GenerateOptions, GenerateRequest, RolloutEngine, Sample } from './types.ts';

export const TfjsEngineOptionsSchema = z.strictObject({
  /** Rows per wave: 64 amortises per-op overhead on wasm while keeping the KV cache small. */
  batchSize: z.number().int().positive().default(64),
});
export type TfjsEngineOptions = z.input<typeof TfjsEngineOptionsSchema>;

export class TfjsEngine implements RolloutEngine {
  readonly name = 'tfjs';
  private readonly opts: z.infer<typeof TfjsEngineOptionsSchema>;

  private constructor(
    private readonly policy: Policy,
    private readonly tokenizer: { decode(ids: readonly number[]): string },
    options: TfjsEngineOptions,
  ) {
    this.opts = TfjsEngineOptionsSchema.parse(options);
  }

  static async create(policy: Policy, tokenizer: { decode(ids: readonly number[]): string }, options: TfjsEngineOptions = {}): Promise<TfjsEngine> {
    await initEngine();
    return new TfjsEngine(policy, tokenizer, options);
  }

  /** The engine reads the live policy; given weights are assigned to it (same config). */
  async updateWeights(weights: NamedTensors): Promise<{ mode: 'in-place'; ms: number }> {
    const t0 = performance.now();
    assignNamed(this.policy, weights);
    return { mode: 'in-place', ms: performance.now() - t0 };
  }

  async generate(requests: GenerateRequest[], opts: GenerateOptions): Promise<Sample[][]> {
    const cfg = this.policy.config;
    checkRequests(requests, cfg.vocabSize);
    const stop = new Set([...(opts.ignoreEos ? [] : [cfg.eosTokenId]), ...(opts.stopTokenIds ?? [])]);
    const results: Sample[][] = requests.map((r) => new Array(r.n));
    const pending: SampleState[] = [];
    requests.forEach((r, i) => {
      if (r.promptIds.length + r.maxTokens > cfg.maxPositions)
        throw new Error(`generate: request ${i} needs ${r.promptIds.length + r.maxTokens} positions, the model has maxPositions ${cfg.maxPositions}`);
      for (let j = 0; j < r.n; j++) {
        const s: SampleState = { req: i, j, seed: sampleSeed(r.seed, j), prompt: r.promptIds, maxTokens: r.maxTokens, tokens: [], logprobs: [] };
        if (r.maxTokens === 0) results[i][j] = finishSample(s, 'length', this.tokenizer, opts);
        else pending.push(s);
      }
    });
    const total = (s: SampleState) => s.prompt.length + s.maxTokens;
    pending.sort((a, b) => total(b) - total(a));
    // Greedy waves: at most batchSize rows, and the left-padded cache (longest prompt +
    // longest budget − 1 slots) must fit in maxPositions.
    let wave: SampleState[] = [];
    let maxPrompt = 0, maxSteps = 0;
    for (const s of pending) {
      const p = Math.max(maxPrompt, s.prompt.length), st = Math.max(maxSteps, s.maxTokens);
      if (wave.length > 0 && (wave.length >= this.opts.batchSize || p + st - 1 > cfg.maxPositions)) {
        await this.wave(wave, stop, opts, results);
        wave = [];
        maxPrompt = maxSteps = 0;
      }
      wave.push(s);
      maxPrompt = Math.max(maxPrompt, s.prompt.length);
      maxSteps = Math.max(maxSteps, s.maxTokens);
    }
    if (wave.length > 0) await this.wave(wave, stop, opts, results);
    return results;
  }

  private async wave(wave: SampleState[], stop: Set<number>, opts: GenerateOptions, results: Sample[][]): Promise<void> {
    const policy = this.policy;
    const B = wave.length;
    const V = policy.config.vocabSize;
    const maxPrompt = Math.max(...wave.map((s) => s.prompt.length));
    const steps = Math.max(...wave.map((s) => s.maxTokens));
    // Left padding puts every prompt's end at slot maxPrompt−1; the last sampled token is never fed.
    const cache = createKvCache(policy, B, maxPrompt + steps - 1);
    const live = new Array<boolean>(B).fill(true);
    try {
      let logits = prefill(policy, cache, wave.map((s) => s.prompt)); // [B, V]
      for (;;) {
        const data = (await logits.data()) as Float32Array;
        logits.dispose();
        const feed = new Int32Array(B).fill(policy.config.eosTokenId);
        for (let b = 0; b < B; b++) {
          if (!live[b]) continue;
          const s = wave[b];
          const u = uniformFromSeed(stepSeed(s.seed, s.tokens.length));
          const d = drawToken(data.subarray(b * V, (b + 1) * V), opts.temperature, opts.topP ?? 1, u);
          s.tokens.push(d.token);
          if (opts.logprobs) s.logprobs.push(d.logprob);
          feed[b] = d.token;
          const done = stop.has(d.token) ? 'stop' : s.tokens.length >= s.maxTokens ? 'length' : null;
          if (done) {
            results[s.req][s.j] = finishSample(s, done, this.tokenizer, opts);
            live[b] = false;
          }
        }
        if (!live.some(Boolean)) return;
        logits = decodeStep(policy, cache, feed);
      }
    } finally {
      cache.dispose();
    }
  }

  /** Nothing to release: the policy belongs to the caller. */
  async dispose(): Promise<void> {}
}
