import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';

describe('cli', () => {
  it('prints help naming the program', () => {
    const out = execFileSync('node', ['bin/brevity.js', '--help'], { encoding: 'utf8' });
    expect(out).toMatch(/Usage: brevity/);
  });
});
