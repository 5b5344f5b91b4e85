/**
 * TfjsEngine: batched incremental decoding directly on the tfjs policy, using
 * the decoder's KV cache (`createKvCache` / `prefill` / `decodeStep`).
 *
 * Samples are decoded in waves of `batchSize` rows in lock-step: one prefill
 * of the (left-padded) prompts, then one `decodeStep` per generated token for
 * the live rows of the wave. The cache grows by a short tail (no whole-cache
 * copy per token, see KvLayout in decoder.ts), and once a quarter of its rows
 * have finished they are dropped from it (`compactKvCache`), so finished rows
 * stop costing compute. Samples are grouped by total length so waves waste
 * little. Sampling happens in plain JS on the [B, V] logits with
 * `drawToken` and the per-sample, per-step seeds of `sampling.ts`, so results
 * do not depend on wave composition.
 *
 * The engine samples from the live policy variables: after an optimizer step
 * there is nothing to refresh.
 */
import { z } from 'zod';
import { initEngine } from '../engine/index.ts';
import type { NamedTensors } from '../model/config.ts';
import { assignNamed, compactKvCache, createKvCache, decodeStep, prefill, type Policy } from '../model/decoder.ts';
import { checkRequests, finishSample, type SampleState } from './requests.ts';
import { drawToken, sampleSeed, stepSeed, uniformFromSeed } from './sampling.ts';
import type { GenerateOptions, GenerateRequest, RolloutEngine, Sample } from './types.ts';

export const TfjsEngineOptionsSchema = z.strictObject({
  /** Rows per wave: 64 amortises per-op overhead on wasm while keeping the KV cache small. */
  batchSize: z.number().int().positive().default(64),
  /** KV cache growth: 'tail' (default) or 'concat' (copies the whole cache per token: the old path, a benchmark baseline). */
  kvLayout: z.enum(['tail', 'concat']).default('tail'),
  /**
   * Drop finished rows from the cache once live rows ≤ this fraction of its
   * rows (0 = never, the old path). 0.75: each compaction copies the cache
   * once, so a wave copies at most ~4 caches' worth in all.
   */
  compactAt: z.number().min(0).max(1).default(0.75),
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
    const cache = createKvCache(policy, B, maxPrompt + steps - 1, { layout: this.opts.kvLayout });
    const live = new Array<boolean>(B).fill(true);
    let rows = wave.map((_, b) => b); // the wave sample in each cache row
    try {
      let logits = prefill(policy, cache, wave.map((s) => s.prompt)); // [rows, V]
      for (;;) {
        const data = (await logits.data()) as Float32Array;
        logits.dispose();
        let feed = new Int32Array(rows.length).fill(policy.config.eosTokenId);
        for (let r = 0; r < rows.length; r++) {
          const b = rows[r];
          if (!live[b]) continue; // finished, not compacted away yet: its row decodes EOS, ignored
          const s = wave[b];
          const u = uniformFromSeed(stepSeed(s.seed, s.tokens.length));
          const d = drawToken(data.subarray(r * V, (r + 1) * V), opts.temperature, opts.topP ?? 1, u);
          s.tokens.push(d.token);
          if (opts.logprobs) s.logprobs.push(d.logprob);
          feed[r] = d.token;
          const done = stop.has(d.token) ? 'stop' : s.tokens.length >= s.maxTokens ? 'length' : null;
          if (done) {
            results[s.req][s.j] = finishSample(s, done, this.tokenizer, opts);
            live[b] = false;
          }
        }
        const keep = rows.flatMap((b, r) => (live[b] ? [r] : []));
        if (keep.length === 0) return;
        if (keep.length <= this.opts.compactAt * rows.length) {
          compactKvCache(cache, keep);
          feed = Int32Array.from(keep, (r) => feed[r]);
          rows = keep.map((r) => rows[r]);
        }
        logits = decodeStep(policy, cache, feed);
      }
    } finally {
      cache.dispose();
    }
  }

  /** Nothing to release: the policy belongs to the caller. */
  async dispose(): Promise<void> {}
}
