/**
 * Optional native TensorFlow backends. `@tensorflow/tfjs-node(-gpu)` download
 * libtensorflow while installing, so they are never dependencies: they are
 * detected with a dynamic import and used when present.
 */
import * as tf from '@tensorflow/tfjs-core';

export type NativeTfBackend = 'tfjs-node' | 'tfjs-node-gpu';

export interface TfNodeProbe {
  ok: boolean;
  /** For ok: whether the backend runs on a GPU (tfjs-node-gpu with a visible device). */
  gpu: boolean;
  reason: string;
}

/**
 * Import the package and switch to its 'tensorflow' backend. Leaves that
 * backend active when ok; never throws.
 */
export async function tryTfNode(pkg: NativeTfBackend, needGpu: boolean): Promise<TfNodeProbe> {
  const name = `@tensorflow/${pkg}`; // a variable keeps tsc and bundlers from resolving it
  try {
    await import(name);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const why = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' ? 'not installed' : `failed to load: ${(e as Error).message.split('\n')[0]}`;
    return { ok: false, gpu: false, reason: `${name} ${why}` };
  }
  if (tf.findBackendFactory('tensorflow') == null) {
    return { ok: false, gpu: false, reason: `${name} loaded but registered no 'tensorflow' backend with this @tensorflow/tfjs-core (version mismatch? run npm ls @tensorflow/tfjs-core)` };
  }
  let ok = false;
  try {
    ok = await tf.setBackend('tensorflow');
  } catch (e) {
    return { ok: false, gpu: false, reason: `${name} backend failed to initialise: ${(e as Error).message.split('\n')[0]}` };
  }
  if (!ok) return { ok: false, gpu: false, reason: `${name} backend failed to initialise` };
  const gpu = (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
  if (needGpu && !gpu) return { ok: false, gpu, reason: `${name} loaded but no usable GPU (CUDA device not visible)` };
  return { ok: true, gpu, reason: `${name} loaded${gpu ? ' on a GPU' : ''}` };
}
