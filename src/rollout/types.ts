import type { NamedTensors } from '../model/config.ts';

/** What a rollout engine is asked for: one prompt, sampled `n` times. */
export interface GenerateRequest {
  promptIds: number[];
  n: number;
  /** Per-prompt token cap: how length control reaches the sampler. */
  maxTokens: number;
  /** Base seed; sample j of this request uses a seed derived from (seed, j). */
  seed: number;
}

export interface GenerateOptions {
  /** 0 = greedy. No hidden top-k: sampling is from the full softmax. */
  temperature: number;
  /** 1 = off. */
  topP?: number;
  /** Extra stop token ids besides the model's EOS. */
  stopTokenIds?: number[];
  /** Ask for per-token log-probs of the sampled tokens (when the engine can). */
  logprobs?: boolean;
  /** Benchmarks only: do not stop at the model's EOS (every sample runs to maxTokens unless a stopTokenId hits). */
  ignoreEos?: boolean;
}

export interface Sample {
  /** Generated ids; when finish = 'stop' the last one is the stop token (its log-prob teaches stopping). */
  tokens: number[];
  /** Decoded text of `tokens` without the trailing stop token. */
  text: string;
  /** `length` = hit maxTokens without a stop token (truncated). */
  finish: 'stop' | 'length';
  /**
   * The engine's own log-prob of each generated token, one per token: log μ(token)
   * under the distribution it was drawn from, softmax(logits / T) renormalised
   * over the top-p nucleus (full vocabulary at topP = 1; T = 1 when greedy). The
   * trainer compares them with its own log-probs (rollout–trainer mismatch,
   * src/train/rollout-correction.ts). NaN = unknown (e.g. a forced token).
   */
  logprobs?: number[];
}

export interface RolloutEngine {
  readonly name: string;
  /** Result[i][j] = sample j of request i, in request order. */
  generate(requests: GenerateRequest[], opts: GenerateOptions): Promise<Sample[][]>;
  /**
   * Swap in new policy weights (HF-named, same config) between `generate`
   * calls. Local engines implement it; served models (HTTP) cannot.
   */
  updateWeights?(weights: NamedTensors): Promise<{ mode: 'in-place' | 'reload'; ms: number }>;
  dispose(): Promise<void>;
}
