/**
 * Zero-copy `Identity` for the wasm backend.
 *
 * tfjs saves every tensor a gradient needs by cloning it (engine
 * `saveTensorsForBackwardMode` → `Identity`), and the stock wasm Identity
 * kernel copies the buffer. In a training step that is hundreds of copies —
 * attention probabilities included — costing time and wasm heap (4 GiB cap).
 * Tensors are immutable (Variable.assign swaps data ids, it never writes in
 * place), so Identity can share the buffer and bump its reference count, as
 * the wasm Reshape kernel already does. Installed once, on import.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';

interface WasmLike {
  incRef(dataId: object): void;
}

let installed = false;

export function installZeroCopyIdentity(): void {
  if (installed) return;
  const stock = tf.getKernel('Identity', 'wasm');
  if (!stock) return; // wasm kernels not registered (should not happen after the import above)
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: (({ inputs, backend }: { inputs: { x: tf.TensorInfo }; backend: WasmLike }) => {
      const { x } = inputs;
      if (x.dtype === 'string') return stock.kernelFunc({ inputs, backend, attrs: {} } as never);
      backend.incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    }) as unknown as tf.KernelFunc,
  });
  installed = true;
}

installZeroCopyIdentity();
