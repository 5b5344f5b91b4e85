import { describe, expect, it, onTestFinished } from 'vitest';
import { resolveOptions } from '../../src/engine/options.ts';

describe('resolveOptions', () => {
  it('defaults to auto/auto', () => {
    expect(resolveOptions({}, {})).toEqual({ backend: 'auto', kernel: 'auto' });
  });
  it('lets the environment override a recipe setting', () => {
    expect(resolveOptions({ kernel: 'native' }, { BREVITY_KERNEL: 'portable', BREVITY_BACKEND: 'wasm', BREVITY_BLAS_THREADS: '1' }))
      .toEqual({ backend: 'wasm', kernel: 'portable', blasThreads: 1 });
  });
  it('names the variable and the valid values on a typo', () => {
    expect(() => resolveOptions({}, { BREVITY_KERNEL: 'fast' })).toThrow(/BREVITY_KERNEL.*"portable"/);
    expect(() => resolveOptions({ backend: 'cuda' as never }, {})).toThrow(/engine option "backend"/);
  });
  it('rejects unknown option keys (strict)', () => {
    expect(() => resolveOptions({ kernal: 'native' } as never, {})).toThrow();
  });
});

describe('initEngine called again', () => {
  it('keeps the backend, switches the kernel on request, rejects another backend', async () => {
    // The environment overrides options; this test is about the options.
    const saved = { k: process.env.BREVITY_KERNEL, b: process.env.BREVITY_BACKEND };
    delete process.env.BREVITY_KERNEL;
    delete process.env.BREVITY_BACKEND;
    onTestFinished(() => {
      if (saved.k !== undefined) process.env.BREVITY_KERNEL = saved.k;
      if (saved.b !== undefined) process.env.BREVITY_BACKEND = saved.b;
    });
    const { initEngine, engineInfo } = await import('../../src/engine/index.ts');
    const first = await initEngine({ kernel: 'portable' });
    expect(first.backend).toBe('wasm');
    const again = await initEngine({ kernel: 'stock' });
    expect(again.kernel).toBe('stock');
    expect(engineInfo().kernel).toBe('stock');
    await expect(initEngine({ backend: 'tfjs-node' })).rejects.toThrow(/already runs on "wasm"/);
  });
});
