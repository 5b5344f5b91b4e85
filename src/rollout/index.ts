/**
 * Rollout engines and their factory.
 *
 * Which engine is faster (`npm run bench:rollout`, 200 tokens/sequence,
 * total tokens/s, measured 2026-11-23 on the 2-vCPU build machine *under
 * heavy load from other jobs* (load average 8–17), so absolute numbers are
 * low and noisy, conc-1 cells especially):
 *
 *   model        engine        conc 1   conc 64   conc 256   weight refresh
 *   S (1.06M)    llama f32       1156       414        563   in-place 6–50 ms, reload 21–128 ms
 *   S            llama q8_0       128       461        502   in-place 80–500 ms (JS quantize)
 *   S            tfjs              98       996       2717   none (samples the live policy)
 *   M (6.32M)    llama f32        125       228        262   in-place 16–275 ms, reload 247–502 ms
 *   M            llama q8_0       593       360        328
 *   M            tfjs              58       317        560
 *
 * (DESIGN.md's unloaded llama.cpp references: S ~2.5k tok/s at 128 sequences;
 * M ~400 f32 / ~950 q8_0.) node-llama-cpp's throughput barely grows with the
 * number of sequences: its per-sequence cost per step (one controlledEvaluate,
 * sampler and async sampleToken each) dominates these small models, while the
 * tfjs sampler's batched matmuls scale. Hence `recommendedEngine`: tfjs for
 * batched training rollouts (≥ 64 concurrent sequences measured; the
 * threshold 32 is an interpolation), llama-cpp for a handful of sequences
 * (evaluation of few prompts) and wherever the tfjs backend is slow (no
 * native BLAS) — re-run the bench on the target machine to confirm.
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

/** The faster local engine for `concurrency` sequences decoded together (see the table above). */
export function recommendedEngine(concurrency: number): 'tfjs' | 'llama-cpp' {
  return concurrency >= 32 ? 'tfjs' : 'llama-cpp';
}

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
