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
}

export interface Sample {
  tokens: number[];
  text: string;
  /** `length` = hit maxTokens without a stop token (truncated). */
  finish: 'stop' | 'length';
  logprobs?: number[];
}

export interface RolloutEngine {
  readonly name: string;
  /** Result[i][j] = sample j of request i, in request order. */
  generate(requests: GenerateRequest[], opts: GenerateOptions): Promise<Sample[][]>;
  dispose(): Promise<void>;
}
