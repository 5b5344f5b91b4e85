/** `brevity serve rewards` as a process: bad flags exit 2 naming the flag; a corrupt state file names itself. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBrevityRecipe } from '../../src/recipe/index.ts';
import { buildRewardPipeline } from '../../src/serve/build.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'brevity-serve-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('brevity serve rewards', () => {
  it('exits 2 naming a bad flag, before listening', () => {
    const r = spawnSync(process.execPath, ['bin/brevity.js', 'serve', 'rewards', '--recipe', 'recipes/dler.yaml', '--port', 'eighty'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--port: /);
  });

  it('refuses a corrupt state file with its name and the way out', () => {
    const { recipe } = loadBrevityRecipe('recipes/dler.yaml');
    const f = path.join(dir, 'state.json');
    writeFileSync(f, '{"version": 1, "nextStep": ');
    expect(() => buildRewardPipeline(recipe, { stateFile: f })).toThrow(/state\.json: not valid JSON.*move it aside/);
    writeFileSync(f, JSON.stringify({ version: 1, nextStep: -1, scored: 0, history: {}, budget: null }));
    expect(() => buildRewardPipeline(recipe, { stateFile: f })).toThrow(/state\.json: nextStep: .*move it aside/);
  });
});
