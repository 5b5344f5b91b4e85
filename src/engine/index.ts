import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';

/**
 * Select and initialise the tensor backend. Minimal version: stock wasm.
 * (The foundation issue replaces this with backend detection and fast kernels.)
 */
export async function initEngine(): Promise<void> {
  if (tf.getBackend() === 'wasm') return;
  await tf.setBackend('wasm');
  await tf.ready();
}
