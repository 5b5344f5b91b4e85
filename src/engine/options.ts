/**
 * Engine options: which tensor backend and which wasm matmul kernel to use.
 * A recipe passes them to `initEngine`; the environment variables
 * BREVITY_BACKEND, BREVITY_KERNEL and BREVITY_BLAS_THREADS override them
 * (a per-run switch, e.g. CI forcing the portable path).
 */
import { z } from 'zod';

export const BACKENDS = ['auto', 'wasm', 'tfjs-node', 'tfjs-node-gpu'] as const;
export const KERNELS = ['auto', 'native', 'portable', 'stock'] as const;

export const EngineOptionsSchema = z.strictObject({
  /** auto: tfjs-node-gpu if a GPU is usable, else tfjs-node, else wasm (the only one always installed). */
  backend: z.enum(BACKENDS).default('auto'),
  /** auto: native when the OpenBLAS addon loads, else portable (stock is the slow baseline). */
  kernel: z.enum(KERNELS).default('auto'),
  /** OpenBLAS threads; unset keeps OpenBLAS's own default (all cores, or OPENBLAS_NUM_THREADS). */
  blasThreads: z.number().int().positive().optional(),
});

export type EngineOptions = z.infer<typeof EngineOptionsSchema>;
export type EngineOptionsInput = z.input<typeof EngineOptionsSchema>;

/** Options with the environment's overrides applied; errors name the variable and the valid values. */
export function resolveOptions(input: EngineOptionsInput = {}, env: NodeJS.ProcessEnv = process.env): EngineOptions {
  const merged: Record<string, unknown> = { ...input };
  if (env.BREVITY_BACKEND) merged.backend = env.BREVITY_BACKEND;
  if (env.BREVITY_KERNEL) merged.kernel = env.BREVITY_KERNEL;
  if (env.BREVITY_BLAS_THREADS) merged.blasThreads = Number(env.BREVITY_BLAS_THREADS);
  const parsed = EngineOptionsSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue.path[0] ?? '');
    const source = field === 'backend' && env.BREVITY_BACKEND ? 'BREVITY_BACKEND'
      : field === 'kernel' && env.BREVITY_KERNEL ? 'BREVITY_KERNEL'
        : field === 'blasThreads' && env.BREVITY_BLAS_THREADS ? 'BREVITY_BLAS_THREADS' : `engine option "${field}"`;
    throw new Error(`${source}: ${issue.message}`);
  }
  return parsed.data;
}
