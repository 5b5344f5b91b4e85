import { describe, expect, it } from 'vitest';
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
