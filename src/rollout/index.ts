/**
 * Rollout engines and their factory.
 *
 * Which engine is faster: total generated tokens/s from `npm run bench:rollout`
 * (200 tokens/seq) on the 2-vCPU build machine, idle (load average ~1),
 * native OpenBLAS kernel, 2026-11-23:
 *
 *   model        engine        conc 1   conc 64   conc 256   weight refresh (2nd)
 *   S (1.06M)    llama f32       1358      2076       2215   in-place 8 ms, reload 34 ms
 *   S            llama q8_0      1211      1734       1838   in-place 30 ms (JS quantize)
 *   S            tfjs             378      3937       4755   none (samples the live policy)
 *   M (6.32M)    llama f32        448       710        837   in-place 14 ms, reload 156 ms
 *   M            llama q8_0       577       764        819   in-place 134 ms
 *   M            tfjs             220      2168       1955
 *
 * (docs/engine.md's llama.cpp references: S ~2.5k tok/s at 128 sequences; M ~400
 * f32 / ~950 q8_0.) llama.cpp wins for a single sequence (the tfjs sampler's
 * per-step overhead dominates) but its throughput barely grows with batch
 * (each sequence costs one controlledEvaluate, sampler and async sampleToken
 * per step), while the tfjs sampler's batched matmuls scale: ~2–3× llama.cpp
 * at 64 and 256. Hence `recommendedEngine`: tfjs from 64 concurrent sequences
 * up (the smallest batch measured where it wins; an RL step is 16 × 8 = 128),
 * llama-cpp below. `threads: 2` on 2 vCPUs stalls in barriers (112 tok/s vs
 * ~2k with 1): keep 'auto'.
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
  return concurrency >= 64 ? 'tfjs' : 'llama-cpp';
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
