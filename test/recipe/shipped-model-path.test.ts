/**
 * Recipes name the shipped model as `models/base`, relative to the working
 * directory. From a folder that has no `models/base`, the package's own copy
 * is used; a local folder of that name still wins.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const bin = join(root, 'bin/brevity.js');
const show = (cwd: string) => spawnSync(process.execPath, [bin, 'recipe', 'show', join(root, 'recipes/quickstart.yaml')], { cwd, encoding: 'utf8', timeout: 60_000 });

describe('a shipped model path from any folder', () => {
  it('resolves models/base to the package copy when the working directory has none', () => {
    const r = show(mkdtempSync(join(tmpdir(), 'brevity-cwd-')));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(join(root, 'models/base'));
  });
  it('keeps a local models/base', () => {
    const dir = mkdtempSync(join(tmpdir(), 'brevity-cwd-'));
    cpSync(join(root, 'models/base/config.json'), join(dir, 'models/base/config.json'));
    const r = show(dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/checkpoint: models\/base\b/);
    expect(r.stdout).not.toContain(join(root, 'models/base'));
  });
});
