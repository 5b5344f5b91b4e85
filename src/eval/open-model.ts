/**
 * Open what `brevity eval` is pointed at as a rollout engine + tokenizer:
 *   a brevity/HF checkpoint directory   → llama-cpp engine (fastest on CPU, see src/rollout/index.ts) or tfjs
 *   model.gguf                          → node-llama-cpp with the GGUF's own tokenizer (gguf-engine.ts)
 *   http(s)://host/v1                   → OpenAI-compatible server (needs --tokenizer <dir> and --model <name>)
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { initEngine } from '../engine/index.ts';
import { loadCheckpoint } from '../model/checkpoint.ts';
import { readManifest } from '../model/manifest.ts';
import { latestCheckpoint } from '../train/checkpoint.ts';
import { shippedPath } from '../util/data-dir.ts';
import { policyFromNamed } from '../model/decoder.ts';
import { loadTokenizer } from '../model/load-tokenizer.ts';
import type { Tokenizer } from '../model/tokenizer.ts';
import { createEngine } from '../rollout/index.ts';
import type { RolloutEngine } from '../rollout/types.ts';

export interface OpenedModel {
  engine: RolloutEngine;
  tokenizer: Tokenizer;
  label: string;
  /**
   * Identity of the model for resuming an evaluation from its records: the
   * weights' SHA-256 (from the checkpoint manifest, else hashed), a file's
   * size and mtime, or a server's URL and model name.
   */
  fingerprint: string;
}

function weightsFingerprint(dir: string): string {
  const m = readManifest(dir)?.files['model.safetensors'];
  if (m) return `sha256:${m.sha256}`;
  const f = path.join(dir, 'model.safetensors');
  if (existsSync(f) && statSync(f).size < 1 << 30) return `sha256:${createHash('sha256').update(readFileSync(f)).digest('hex')}`;
  return fileFingerprint(existsSync(f) ? f : dir);
}

function fileFingerprint(f: string): string {
  const st = statSync(f);
  return `${path.resolve(f)}:${st.size}:${st.mtimeMs}`;
}

/**
 * A run directory (`runs/<name>`) stands for its newest valid checkpoint;
 * damaged ones are skipped with a warning.
 */
export function resolveRunDir(source: string, warn: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): string {
  if (!existsSync(path.join(source, 'checkpoints')) || existsSync(path.join(source, 'config.json'))) return source;
  const ck = latestCheckpoint(source, (d, why) => warn(`warning: skipping damaged checkpoint ${d}: ${why}`));
  if (!ck) throw new Error(`eval ${source}: a run directory without a valid checkpoint (checkpoints/step-*/ is empty or damaged)`);
  warn(`eval: ${source} → its newest valid checkpoint ${ck}`);
  return ck;
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
    return { engine, tokenizer, label: source, fingerprint: `${source} model=${o.model ?? 'default'}` };
  }
  if (source.endsWith('.gguf')) {
    const { openGguf } = await import('./gguf-engine.ts');
    return { ...(await openGguf(source, { tokenizer: o.tokenizer ? loadTokenizer(o.tokenizer) : undefined })), label: source, fingerprint: fileFingerprint(source) };
  }
  source = resolveRunDir(shippedPath(source));
  if (!existsSync(source) || !statSync(source).isDirectory()) {
    throw new Error(`eval ${source}: not a checkpoint directory (expected config.json + model.safetensors + a tokenizer) or an http(s) URL`);
  }
  const ck = await loadCheckpoint(source);
  const tokenizer = loadTokenizer(source);
  const fingerprint = weightsFingerprint(source);
  const kind = o.engine === 'tfjs' ? 'tfjs' : 'llama-cpp';
  if (kind === 'tfjs') {
    await initEngine();
    const engine = await createEngine('tfjs', { policy: policyFromNamed(ck.config, ck.weights), tokenizer });
    return { engine, tokenizer, label: source, fingerprint };
  }
  const engine = await createEngine('llama-cpp', { config: ck.config, weights: ck.weights, tokenizer });
  return { engine, tokenizer, label: source, fingerprint };
}
