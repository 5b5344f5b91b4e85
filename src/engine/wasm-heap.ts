/**
 * Access to the tfjs wasm backend's internals that our kernels need: each
 * tensor's byte offset in the wasm heap, the heap itself, and zero-copy
 * "view" tensors that alias a slice of another tensor's memory.
 *
 * The heap is an ArrayBuffer that is replaced when wasm memory grows, so a
 * view must be re-read after every allocation (`heap()` does that).
 */
import type { DataId, TensorInfo } from '@tensorflow/tfjs-core';

/** The parts of tfjs-backend-wasm's BackendWasm we use (not exported as types). */
export interface WasmBackend {
  wasm: {
    HEAPF32: Float32Array;
    HEAPU8: Uint8Array;
    cwrap: (name: string, ret: null | string, args: string[]) => (...args: unknown[]) => unknown;
    tfjs: { registerTensor: (id: number, size: number, offset: number) => void; disposeData: (id: number) => void };
  };
  dataIdMap: {
    get(dataId: DataId): { id: number; memoryOffset: number; shape: number[]; dtype: string; refCount: number };
    set(dataId: DataId, value: unknown): void;
    delete(dataId: DataId): void;
  };
  dataIdNextNumber: number;
  makeOutput(shape: number[], dtype: string, memoryOffset?: number): TensorInfo;
  disposeData(dataId: DataId, force?: boolean): boolean;
}

/** The current heap buffer (fresh after any allocation). */
export function heap(backend: WasmBackend): ArrayBuffer {
  return backend.wasm.HEAPF32.buffer as ArrayBuffer;
}

/** Offset of a tensor's first element, in float32 elements. */
export function floatOffset(backend: WasmBackend, t: TensorInfo): number {
  const byteOffset = backend.dataIdMap.get(t.dataId).memoryOffset;
  if (byteOffset % 4 !== 0) throw new Error(`wasm tensor at byte ${byteOffset} is not float-aligned`);
  return byteOffset / 4;
}

/** The wasm-side integer id of a tensor (what the backend's C++ kernels take). */
export function wasmId(backend: WasmBackend, t: TensorInfo): number {
  return backend.dataIdMap.get(t.dataId).id;
}

/**
 * A tensor that aliases `shape` floats starting `floatOffsetInto` elements into
 * `base`'s memory. It must be released with `releaseView` (never disposeData:
 * that would free memory the view does not own).
 */
export function makeView(backend: WasmBackend, base: TensorInfo, floatOffsetInto: number, shape: number[]): TensorInfo {
  const memoryOffset = backend.dataIdMap.get(base.dataId).memoryOffset + floatOffsetInto * 4;
  return backend.makeOutput(shape, 'float32', memoryOffset);
}

export function releaseView(backend: WasmBackend, view: TensorInfo): void {
  const { id } = backend.dataIdMap.get(view.dataId);
  backend.wasm.tfjs.disposeData(id);
  backend.dataIdMap.delete(view.dataId);
}
