/**
 * Open what `brevity eval` is pointed at as a rollout engine + tokenizer:
 *   a brevity/HF checkpoint directory   → llama-cpp engine (fastest on CPU, see src/rollout/index.ts) or tfjs
 *   model.gguf                          → node-llama-cpp with the GGUF's own tokenizer (gguf-engine.ts)
 *   http(s)://host/v1                   → OpenAI-compatible server (needs --tokenizer <dir> and --model <name>)
 */
import { existsSync, statSync } from 'node:fs';
import { initEngine } from '../engine/index.ts';
import { loadCheckpoint } from '../model/checkpoint.ts';
import { policyFromNamed } from '../model/decoder.ts';
import { loadTokenizer } from '../model/load-tokenizer.ts';
import type { Tokenizer } from '../model/tokenizer.ts';
import { createEngine } from '../rollout/index.ts';
import type { RolloutEngine } from '../rollout/types.ts';

export interface OpenedModel {
  engine: RolloutEngine;
  tokenizer: Tokenizer;
  label: string;
}

export interface OpenModelOptions {
  engine?: 'auto' | 'llama-cpp' | 'tfjs';
  /** Tokenizer directory: required for URL sources; for GGUF files, overrides the file's own tokenizer. */
  tokenizer?: string;
  /** Model name sent to an OpenAI-compatible server. */
  model?: string;
}

export async function openModel(source: string, o: OpenModelOptions = {}): Promise<OpenedModel> {
  if (/^https?:\/\//.test(source)) {
    if (!o.tokenizer) throw new Error(`eval ${source}: a server needs --tokenizer <dir with tokenizer.json> so budgets are counted in the model's tokens`);
    const tokenizer = loadTokenizer(o.tokenizer);
    const engine = await createEngine('openai', { tokenizer, baseUrl: source, model: o.model ?? 'default' });
    return { engine, tokenizer, label: source };
  }
  if (source.endsWith('.gguf')) {
    const { openGguf } = await import('./gguf-engine.ts');
    return { ...(await openGguf(source, { tokenizer: o.tokenizer ? loadTokenizer(o.tokenizer) : undefined })), label: source };
  }
  if (!existsSync(source) || !statSync(source).isDirectory()) {
    throw new Error(`eval ${source}: not a checkpoint directory (expected config.json + model.safetensors + a tokenizer) or an http(s) URL`);
  }
  const ck = await loadCheckpoint(source);
  const tokenizer = loadTokenizer(source);
  const kind = o.engine === 'tfjs' ? 'tfjs' : 'llama-cpp';
  if (kind === 'tfjs') {
    await initEngine();
    const engine = await createEngine('tfjs', { policy: policyFromNamed(ck.config, ck.weights), tokenizer });
    return { engine, tokenizer, label: source };
  }
  const engine = await createEngine('llama-cpp', { config: ck.config, weights: ck.weights, tokenizer });
  return { engine, tokenizer, label: source };
}
