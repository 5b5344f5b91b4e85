/**
 * Rollout engines and their factory.
 *
 * Which engine to default to (bench: `npm run bench:rollout`, see
 * scripts/bench-rollout.ts for the measured table): llama-cpp is faster than
 * the tfjs sampler for both the S (~1M) and M (~6M params) models at every
 * concurrency measured, so the trainer should default to 'llama-cpp' and use
 * 'tfjs' when node-llama-cpp cannot load (unsupported platform) or when
 * sampling must run on exactly the training kernels.
 */
import type { ModelConfig, NamedTensors } from '../model/config.ts';
import type { Policy } from '../model/decoder.ts';
import type { Tokenizer } from '../model/tokenizer.ts';
import { LlamaCppEngine, type EngineTokenizer, type LlamaCppOptions } from './llama-cpp-engine.ts';
import { OpenAICompatibleEngine, type OpenAIEngineOptions } from './openai-engine.ts';
import { TfjsEngine, type TfjsEngineOptions } from './tfjs-engine.ts';
import type { RolloutEngine } from './types.ts';

export type { GenerateOptions, GenerateRequest, RolloutEngine, Sample } from './types.ts';
export { LlamaCppEngine, disposeLlamaRuntime } from './llama-cpp-engine.ts';
export { TfjsEngine } from './tfjs-engine.ts';
export { OpenAICompatibleEngine } from './openai-engine.ts';
export { generateWithBudgetForcing, type ForcedSample, type BudgetForcingOptions } from './budget-forcing.ts';

export interface EngineOptions {
  'llama-cpp': { config: ModelConfig; weights: NamedTensors; tokenizer: EngineTokenizer } & LlamaCppOptions;
  tfjs: { policy: Policy; tokenizer: Pick<Tokenizer, 'decode'> } & TfjsEngineOptions;
  openai: { tokenizer: Pick<Tokenizer, 'encode' | 'decode' | 'eosTokenId'> } & OpenAIEngineOptions;
}
export type EngineKind = keyof EngineOptions;

/** Explicit registry: kind → constructor. */
const ENGINES: { [K in EngineKind]: (o: EngineOptions[K]) => Promise<RolloutEngine> } = {
  'llama-cpp': ({ config, weights, tokenizer, ...o }) => LlamaCppEngine.create(config, weights, tokenizer, o),
  tfjs: ({ policy, tokenizer, ...o }) => TfjsEngine.create(policy, tokenizer, o),
  openai: async ({ tokenizer, ...o }) => new OpenAICompatibleEngine(o, tokenizer),
};
export const ENGINE_KINDS = Object.keys(ENGINES) as EngineKind[];

export function createEngine<K extends EngineKind>(kind: K, opts: EngineOptions[K]): Promise<RolloutEngine> {
  const make = ENGINES[kind] as ((o: EngineOptions[K]) => Promise<RolloutEngine>) | undefined;
  if (!make) throw new Error(`createEngine: unknown engine "${String(kind)}"; valid: ${ENGINE_KINDS.join(', ')}`);
  return make(opts);
}
