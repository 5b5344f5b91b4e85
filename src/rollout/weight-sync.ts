/**
 * Weight sync for training on a served engine: after each update, write the
 * policy as a Hugging Face checkpoint (config.json + model.safetensors +
 * tokenizer files) where the server can read it, then ask the server to load
 * it through its own API:
 *
 * - SGLang: `POST /update_weights_from_disk {"model_path": dir}` → `{"success": true, …}`.
 * - vLLM (server started with VLLM_SERVER_DEV_MODE=1):
 *   `POST /collective_rpc {"method": "update_config", "args": [{"model_config": {"model": dir}}]}`,
 *   `POST /collective_rpc {"method": "reload_weights"}`, then
 *   `POST /reset_prefix_cache` (cached KV of the old weights must not be reused).
 *
 * Each version goes to its own folder `v<N>` (the server may still be reading
 * the previous one while we write); the folder before the previous is deleted.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { saveCheckpoint } from '../model/checkpoint.ts';
import type { ModelConfig, NamedTensors } from '../model/config.ts';

export const WeightSyncSchema = z.strictObject({
  kind: z.enum(['sglang', 'vllm']),
  /** Where checkpoints are written (a disk the server shares). */
  dir: z.string().min(1),
  /** The same folder as the server sees it, when it differs (container mount); default `dir`. */
  serverDir: z.string().min(1).optional(),
  /** The policy's config: written as config.json with each version. */
  config: z.custom<ModelConfig>((v) => typeof v === 'object' && v !== null, { message: 'weightSync.config: the policy ModelConfig' }),
  /** Tokenizer files copied into each version (tokenizer.json, …) so the folder is a complete HF model. */
  files: z.record(z.string(), z.custom<Uint8Array | string>()).optional(),
});
export type WeightSyncOptions = z.input<typeof WeightSyncSchema>;

/** Calls one server endpoint with a JSON body and returns the parsed answer (throws on HTTP errors). */
export type CallServer = (route: string, body: unknown) => Promise<unknown>;

export async function syncWeights(o: z.infer<typeof WeightSyncSchema>, version: number, weights: NamedTensors, call: CallServer): Promise<string> {
  const local = path.join(o.dir, `v${version}`);
  await saveCheckpoint(local, { config: o.config, weights, files: o.files as Record<string, Uint8Array | string> | undefined });
  const seen = path.posix.join(o.serverDir ?? o.dir, `v${version}`);
  if (o.kind === 'sglang') {
    const r = (await call('/update_weights_from_disk', { model_path: seen })) as { success?: boolean; message?: string };
    if (r?.success !== true) throw new Error(`SGLang refused ${seen}: ${r?.message ?? JSON.stringify(r)}`);
  } else {
    await call('/collective_rpc', { method: 'update_config', args: [{ model_config: { model: seen } }] });
    await call('/collective_rpc', { method: 'reload_weights' });
    await call('/reset_prefix_cache', {});
  }
  if (version >= 2) rmSync(path.join(o.dir, `v${version - 2}`), { recursive: true, force: true });
  return seen;
}
