/** Request validation and sample bookkeeping shared by the local engines. */
import type { GenerateOptions, GenerateRequest, Sample } from './types.ts';

/** One sample being decoded. */
export interface SampleState {
  req: number;
  j: number;
  /** `sampleSeed(request.seed, j)`. */
  seed: number;
  prompt: number[];
  maxTokens: number;
  tokens: number[];
  logprobs: number[];
}

/** Throws a message naming the request and field for anything an engine cannot run. */
export function checkRequests(requests: GenerateRequest[], vocabSize: number): void {
  requests.forEach((r, i) => {
    const where = `generate: request ${i}`;
    if (!Number.isInteger(r.n) || r.n < 0) throw new Error(`${where}: n must be a non-negative integer, got ${r.n}`);
    if (!Number.isInteger(r.maxTokens) || r.maxTokens < 0) throw new Error(`${where}: maxTokens must be a non-negative integer, got ${r.maxTokens}`);
    if (!Number.isInteger(r.seed)) throw new Error(`${where}: seed must be an integer, got ${r.seed}`);
    if (r.promptIds.length === 0) throw new Error(`${where}: empty prompt (engines need at least one token; prepend BOS)`);
    const bad = r.promptIds.find((t) => !Number.isInteger(t) || t < 0 || t >= vocabSize);
    if (bad !== undefined) throw new Error(`${where}: prompt token ${bad} is outside the vocabulary [0, ${vocabSize})`);
  });
}

/**
 * Close a sample. `tokens` keeps the stop token when finish = 'stop' (its
 * log-prob is what teaches the policy to stop); `text` leaves it out.
 */
export function finishSample(
  s: SampleState,
  finish: 'stop' | 'length',
  tokenizer: { decode(ids: readonly number[]): string },
  opts: GenerateOptions,
): Sample {
  const body = finish === 'stop' ? s.tokens.slice(0, -1) : s.tokens;
  const out: Sample = { tokens: s.tokens, text: tokenizer.decode(body), finish };
  if (opts.logprobs) out.logprobs = s.logprobs;
  return out;
}
