/**
 * Rollout engines and their factory.
 *
 * Which engine is faster: total generated tokens/s from `npm run bench:rollout`
 * on the 2-vCPU build machine, measured 2026-11-23 *under heavy load from
 * other jobs* (load average 7–21), so numbers swing ~2× between runs.
 * Full run (200 tokens/seq, `npm run bench:rollout`):
 *
 *   model        engine        conc 1   conc 64   conc 256   weight refresh (2nd)
 *   S (1.06M)    llama f32       1156       414        563   in-place 6 ms, reload 21 ms
 *   S            llama q8_0       128       461        502   in-place 81 ms (JS quantize)
 *   S            tfjs              98       996       2717   none (samples the live policy)
 *   M (6.32M)    llama f32        125       228        262   in-place 16 ms, reload 247 ms
 *   M            llama q8_0       593       360        328   in-place 198 ms
 *   M            tfjs              58       317        560
 *
 * Interleaved re-runs back to back (100 tokens/seq, `--tokens 100
 * --concurrency 64,256 --models S|M --engines E`), fairer between engines:
 *   S  conc 64: llama f32 969 / 1600, tfjs 948 / 511; conc 256: llama 1053 / 975, tfjs 2020 / 1760
 *   M  conc 64: llama f32 645, q8_0 556, tfjs 496;     conc 256: llama f32 374, q8_0 558, tfjs 867
 * (DESIGN.md's unloaded llama.cpp references: S ~2.5k tok/s at 128 sequences;
 * M ~400 f32 / ~950 q8_0; one quieter moment here gave S 2.1k at 64.)
 *
 * llama.cpp is better at low concurrency (one sequence: 5–10× the tfjs
 * sampler's per-step overhead) and about even at 64; its throughput barely
 * grows past that (each sequence costs one controlledEvaluate, sampler and
 * async sampleToken per step), while the tfjs sampler's batched matmuls keep
 * scaling: ~2× llama.cpp at 256. Hence `recommendedEngine`: tfjs from 128
 * concurrent sequences (between the measured 64 and 256), llama-cpp below,
 * and llama-cpp wherever the tfjs backend lacks native BLAS. `threads: 2` on
 * 2 vCPUs measured 112 tok/s (barrier stalls) vs ~2k with 1: keep 'auto'.
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
  return concurrency >= 128 ? 'tfjs' : 'llama-cpp';
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
