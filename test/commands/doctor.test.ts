import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const doctor = (env: Record<string, string>) => execFileSync('node', ['bin/brevity.js', 'doctor'], {
  encoding: 'utf8', env: { ...process.env, ...env },
});

describe('brevity doctor', () => {
  it('reports the backend, kernel, threads and why; honours BREVITY_KERNEL', () => {
    const out = doctor({ BREVITY_KERNEL: 'portable' });
    expect(out).toMatch(/^backend\s+wasm/m);
    expect(out).toMatch(/^matmul kernel\s+portable/m);
    expect(out).toMatch(/^wasm\s+\d+ thread/m);
    expect(out).toMatch(/portable kernel forced by BREVITY_KERNEL/);
    expect(out).toMatch(/native addon\s+(found|not available)/);
  });

  it('fails with the variable name on an invalid kernel', () => {
    expect(() => execFileSync('node', ['bin/brevity.js', 'doctor'], {
      encoding: 'utf8', stdio: 'pipe', env: { ...process.env, BREVITY_KERNEL: 'fast' },
    })).toThrow(/BREVITY_KERNEL/);
  });
});
