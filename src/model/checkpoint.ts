/**
 * Checkpoints in Hugging Face layout:
 *   <dir>/config.json          HF field names (toHfConfig / fromHfConfig)
 *   <dir>/model.safetensors    f32 weights, HF names
 *   <dir>/…                    anything else: tokenizer files, trainer_state.json, optimizer state
 *   <dir>/manifest.json        sizes + SHA-256 of all the above, written last (manifest.ts)
 * Saves are atomic per directory (see atomic.ts); loads check the manifest
 * when there is one, so a file truncated or altered after the save is named. Loads validate every field
 * and tensor and name the culprit when something is wrong. Sharded HF models
 * (`model.safetensors.index.json` + shards) load too.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expectedWeightShapes, fromHfConfig, toHfConfig, type ModelConfig, type NamedTensors } from './config.ts';
import { decodeSafetensors, encodeSafetensors } from './safetensors.ts';
import { recoverDirAtomic, writeDirAtomic } from './atomic.ts';
import { buildManifest, checkManifest, MANIFEST_FILE } from './manifest.ts';

export interface CheckpointData {
  config: ModelConfig;
  weights: NamedTensors;
  /** Extra files, relative path → content (strings are written as UTF-8). */
  files?: Record<string, string | Uint8Array>;
  /** Stored in the manifest (e.g. the trainer's run id and step). */
  meta?: Record<string, unknown>;
}

export interface LoadedCheckpoint {
  config: ModelConfig;
  weights: NamedTensors;
  /** Every other file in the directory (recursively), relative path → bytes. */
  files: Record<string, Uint8Array>;
  /** Tensors in the file that the decoder does not use (e.g. a tied lm_head copy). */
  unusedTensors: string[];
}

const RESERVED = new Set(['config.json', 'model.safetensors', 'model.safetensors.index.json', MANIFEST_FILE]);

/** Check weights against the config; throws naming the missing tensor or wrong shape. */
export function validateWeights(config: ModelConfig, weights: NamedTensors, where: string): string[] {
  const expected = expectedWeightShapes(config);
  for (const [name, shape] of expected) {
    const t = weights.get(name);
    if (!t) throw new Error(`${where}: missing tensor "${name}" (expected shape [${shape}])`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
      throw new Error(`${where}: tensor "${name}" has shape [${t.shape}], expected [${shape}]`);
  }
  return [...weights.keys()].filter((n) => !expected.has(n));
}

/** Write a checkpoint directory atomically (replacing any previous one). */
export async function saveCheckpoint(dir: string, ckpt: CheckpointData): Promise<void> {
  const unused = validateWeights(ckpt.config, ckpt.weights, `saveCheckpoint(${dir})`);
  if (unused.length) throw new Error(`saveCheckpoint(${dir}): unexpected tensors ${unused.map((n) => `"${n}"`).join(', ')}`);
  const files: Record<string, string | Uint8Array> = {};
  for (const [rel, data] of Object.entries(ckpt.files ?? {})) {
    if (RESERVED.has(rel)) throw new Error(`saveCheckpoint(${dir}): extra file "${rel}" would overwrite the checkpoint's own`);
    files[rel] = data;
  }
  files['config.json'] = JSON.stringify(toHfConfig(ckpt.config), null, 2) + '\n';
  files['model.safetensors'] = encodeSafetensors(ckpt.weights);
  // Last: the manifest is the commit point of the directory's contents.
  files[MANIFEST_FILE] = JSON.stringify(buildManifest(files, ckpt.meta), null, 1) + '\n';
  writeDirAtomic(dir, files);
}

function listFiles(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(root, rel))) {
    const r = rel ? `${rel}/${name}` : name;
    if (statSync(path.join(root, r)).isDirectory()) out.push(...listFiles(root, r));
    else out.push(r);
  }
  return out;
}

function readWeights(dir: string): { weights: NamedTensors; shardFiles: Set<string> } {
  const single = path.join(dir, 'model.safetensors');
  if (existsSync(single)) return { weights: decodeSafetensors(readFileSync(single), single).tensors, shardFiles: new Set() };
  const indexFile = path.join(dir, 'model.safetensors.index.json');
  if (!existsSync(indexFile)) throw new Error(`${dir}: no model.safetensors (or model.safetensors.index.json) found`);
  const index = JSON.parse(readFileSync(indexFile, 'utf8')) as { weight_map?: Record<string, string> };
  if (!index.weight_map) throw new Error(`${indexFile}: missing field "weight_map"`);
  const weights: NamedTensors = new Map();
  const shardFiles = new Set(Object.values(index.weight_map));
  for (const shard of shardFiles) {
    const f = path.join(dir, shard);
    if (!existsSync(f)) throw new Error(`${indexFile}: shard "${shard}" is missing`);
    for (const [n, t] of decodeSafetensors(readFileSync(f), f).tensors) weights.set(n, t);
  }
  return { weights, shardFiles };
}

/** Only the model config of a checkpoint directory (no weights read): for estimates before loading. */
export function readCheckpointConfig(dir: string): ModelConfig {
  recoverDirAtomic(dir);
  if (!existsSync(dir)) throw new Error(`loadCheckpoint: directory ${dir} does not exist`);
  const check = checkManifest(dir);
  if (check.status === 'invalid') throw new Error(`${dir}: damaged checkpoint: ${check.reason}`);
  const cfgFile = path.join(dir, 'config.json');
  if (!existsSync(cfgFile)) throw new Error(`${dir}: missing config.json`);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(readFileSync(cfgFile, 'utf8'));
  } catch (e) {
    throw new Error(`${cfgFile}: not valid JSON (${(e as Error).message})`);
  }
  return fromHfConfig(json, cfgFile);
}

/**
 * Load a checkpoint directory. Fails with a message naming the missing file /
 * field, unknown arch, missing tensor or wrong shape.
 */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const config = readCheckpointConfig(dir);
  const { weights, shardFiles } = readWeights(dir);
  const unusedTensors = validateWeights(config, weights, path.join(dir, 'model.safetensors'));
  for (const n of unusedTensors) weights.delete(n);
  const files: Record<string, Uint8Array> = {};
  for (const rel of listFiles(dir)) {
    if (RESERVED.has(rel) || shardFiles.has(rel)) continue;
    files[rel] = new Uint8Array(readFileSync(path.join(dir, rel)));
  }
  return { config, weights, files, unusedTensors };
}
