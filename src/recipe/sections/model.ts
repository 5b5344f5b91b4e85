import { z } from 'zod';
import { BACKENDS, KERNELS } from '../../engine/options.ts';

/**
 * `model:` — which weights to start from and where tensors run. Backend and
 * kernel default to `auto` so a recipe runs unchanged on a laptop (wasm +
 * native/portable kernel) and on a GPU box with tfjs-node-gpu installed;
 * `BREVITY_BACKEND` / `BREVITY_KERNEL` still override at run time.
 */
export const ModelSchema = z.strictObject({
  /** A brevity checkpoint or a Hugging Face model directory: both are config.json + safetensors + tokenizer files. */
  checkpoint: z.string().min(1).default('models/base'),
  backend: z.enum(BACKENDS).default('auto'),
  kernel: z.enum(KERNELS).default('auto'),
});
export type ModelSection = z.infer<typeof ModelSchema>;
