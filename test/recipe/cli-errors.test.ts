/**
 * Recipe errors through the real CLI: the message names file:line, key path,
 * what was expected and the nearest valid name; the exit code is 2; and no
 * run directory is created (checked with `train` for every case and `ab` for
 * two — both would create one).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const bin = join(root, 'bin/brevity.js');

function run(cwd: string, args: string[]): Promise<{ code: number | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [bin, ...args], { cwd, timeout: 90_000 });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stderr, stdout }));
  });
}

const cases: { name: string; yaml: string; set?: string[]; expect: RegExp }[] = [
  { name: 'typo', yaml: `extends: base\nrollout:\n  temprature: 0.7\n`, expect: /typo\.yaml:3: rollout\.temprature: unknown key; did you mean "temperature"\?/ },
  { name: 'type', yaml: `extends: base\ntrain:\n  steps: many\n`, expect: /type\.yaml:3: train\.steps: expected number, got string "many"/ },
  { name: 'shaper', yaml: `extends: base\nrewards:\n  - type: kimmi\n`, expect: /shaper\.yaml:3: rewards\[0\]\.type: unknown reward shaper "kimmi"; did you mean "kimi"\?; expected one of: correctness, .*kimi/ },
  { name: 'extends', yaml: 'extends: [base, bsae]\n', expect: /extends\.yaml:1: extends: cannot find "bsae" .*did you mean "base"\?/ },
  { name: 'set', yaml: `extends: base\n`, set: ['train.lr'], expect: /--set train\.lr: expected key\.path=value/ },
];

describe('recipe errors via the CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brevity-cli-'));
  // a local configs/ whose base is the shipped one, so bare `extends:` names resolve here
  mkdirSync(join(dir, 'configs'));
  writeFileSync(join(dir, 'configs/base.yaml'), `extends: ${join(root, 'configs/base')}\n`);
  for (const c of cases) writeFileSync(join(dir, `${c.name}.yaml`), c.yaml);
  // CLI start-up is slow on a loaded 2-core machine: run every case at once
  const sets = (c: (typeof cases)[number]) => (c.set ?? []).flatMap((s) => ['--set', s]);
  const results = Promise.all([
    ...cases.map((c) => run(dir, ['train', `${c.name}.yaml`, ...sets(c)])),
    ...cases.filter((c) => ['typo', 'shaper'].includes(c.name)).map((c) => run(dir, ['ab', `${c.name}.yaml`, '--seeds', '1', ...sets(c)])),
  ]);

  it.each(cases.map((c, i) => ({ ...c, i })))('$name: message, exit code 2, no run directory', async (c) => {
    const all = await results;
    const outs = [all[c.i], ...(c.name === 'typo' ? [all[cases.length]] : c.name === 'shaper' ? [all[cases.length + 1]] : [])];
    for (const r of outs) {
      expect(r.stderr).toMatch(c.expect);
      expect(r.code).toBe(2);
    }
    expect(existsSync(join(dir, 'runs'))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['configs', ...cases.map((x) => `${x.name}.yaml`)].sort());
  });

  it('recipe show prints the resolved recipe', async () => {
    await results;
    const ok = await run(root, ['recipe', 'show', 'recipes/dler.yaml', '--set', 'train.lr=2e-5']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^train:\n(?:  .*\n)*  lr: 0\.00002$/m);
    expect(ok.stdout).toMatch(/^  type: batch-norm$/m);
  });
});
