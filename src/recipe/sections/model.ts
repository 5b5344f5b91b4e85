import { z } from 'zod';

/**
 * `model:` — which weights to start from and where tensors run. Backend and
 * kernel default to `auto` so a recipe runs unchanged on a laptop (wasm +
 * native/portable kernel) and on a GPU box with tfjs-node-gpu installed;
 * `BREVITY_BACKEND` / `BREVITY_KERNEL` still override at run time.
 */
export const ModelSchema = z.strictObject({
  /** A brevity checkpoint directory (config.json + weights + tokenizer) or a Hugging Face model directory. */
  checkpoint: z.string().min(1).default('models/base'),
  /** `auto` reads the directory: brevity checkpoint if it has our config, else HF (config.json + safetensors). */
  format: z.enum(['auto', 'brevity', 'hf']).default('auto'),
  backend: z.enum(['auto', 'wasm', 'tfjs-node', 'tfjs-node-gpu', 'cpu']).default('auto'),
  kernel: z.enum(['auto', 'native', 'portable', 'stock']).default('auto'),
});
export type ModelSection = z.infer<typeof ModelSchema>;
