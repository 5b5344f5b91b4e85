/**
 * Opening a run directory: refusal of a fresh start over a run, --overwrite,
 * the lock (live holder refused, stale lock taken over), resume checked
 * before anything runs, and recipe changes refused unless allowed.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../src/recipe/errors.ts';
import { openRunDir, runContents } from '../../src/run/run-dir.ts';
import { acquireRunLock, LOCK_FILE, readLock } from '../../src/run/run-lock.ts';

const tmp = (p: string) => mkdtempSync(path.join(os.tmpdir(), p));
const recipeA = 'train:\n  lr: 0.001\n  steps: 4\nrun:\n  name: x\n';
const recipeB = 'train:\n  lr: 0.002\n  steps: 4\nrun:\n  name: x\n';

/** A directory that looks like a finished run: metrics and one (manifest-less, so invalid) checkpoint. */
function fakeRun(dir: string): void {
  mkdirSync(path.join(dir, 'checkpoints', 'step-000004'), { recursive: true });
  writeFileSync(path.join(dir, 'metrics.jsonl'), '{"step":1}\n');
  writeFileSync(path.join(dir, 'recipe.yaml'), recipeA);
}

const snapshot = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true }).map((e) => {
    const f = path.join(e.parentPath, e.name);
    return `${path.relative(dir, f)}:${e.isFile() ? readFileSync(f, 'utf8') : 'dir'}`;
  }).sort();

describe('openRunDir', () => {
  it('refuses a fresh start into a directory holding a run without touching it; --overwrite moves it aside', () => {
    const root = tmp('brevity-rundir-');
    const dir = path.join(root, 'x');
    fakeRun(dir);
    const before = snapshot(dir);
    expect(runContents(dir)).toEqual(['metrics.jsonl', '1 checkpoint (newest step-000004)']);
    expect(() => openRunDir(dir, { resume: false, recipeText: recipeB, log: () => {} })).toThrow(UsageError);
    try {
      openRunDir(dir, { resume: false, recipeText: recipeB, log: () => {} });
    } catch (e) {
      expect((e as Error).message).toMatch(new RegExp(`${dir.replace(/[/.]/g, '\\$&')} already holds a run`));
      expect((e as Error).message).toMatch(/--resume/);
      expect((e as Error).message).toMatch(/run\.name/);
      expect((e as Error).message).toMatch(/--overwrite/);
    }
    expect(snapshot(dir)).toEqual(before);
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);

    const logs: string[] = [];
    const run = openRunDir(dir, { resume: false, overwrite: true, recipeText: recipeB, log: (s) => logs.push(s) });
    const aside = readdirSync(root).filter((e) => e.startsWith('x.replaced-'));
    expect(aside).toHaveLength(1);
    expect(snapshot(path.join(root, aside[0]))).toEqual(before);
    expect(logs.join('\n')).toMatch(/moved the earlier run to .*x\.replaced-/);
    expect(readFileSync(path.join(dir, 'recipe.yaml'), 'utf8')).toBe(recipeB);
    expect(runContents(dir)).toEqual([]);
    expect(readLock(dir)).toMatchObject({ pid: process.pid, host: os.hostname() });
    run.release();
    expect(existsSync(path.join(dir, LOCK_FILE))).toBe(false);
  });

  it('--resume without a valid checkpoint fails before anything runs, naming the damaged ones', () => {
    const dir = tmp('brevity-rundir-resume-');
    expect(() => openRunDir(dir, { resume: true, recipeText: recipeA })).toThrow(/no valid checkpoint .*nothing to resume/);
    fakeRun(dir);
    expect(() => openRunDir(dir, { resume: true, recipeText: recipeA })).toThrow(/damaged: step-000004 \(no manifest\.json/);
    // Callers that own their directories (A/B) start afresh when there is no checkpoint at all.
    const empty = tmp('brevity-rundir-ab-');
    writeFileSync(path.join(empty, 'metrics.jsonl'), '{"step":1}\n');
    const run = openRunDir(empty, { resume: 'if-checkpoint', recipeText: recipeA });
    expect(run.resume).toBe(false);
    run.release();
  });

  it('a live lock is refused naming its holder; a lock left by a killed process is taken over with a message', () => {
    const dir = tmp('brevity-rundir-lock-');
    const first = openRunDir(dir, { resume: false, recipeText: recipeA });
    const t0 = performance.now();
    expect(() => openRunDir(dir, { resume: false, recipeText: recipeA })).toThrow(
      new RegExp(`in use by another training: pid ${process.pid} on ${os.hostname()}`),
    );
    expect(() => acquireRunLock(dir)).toThrow(/kill \d+/);
    expect(performance.now() - t0).toBeLessThan(5000);
    first.release();

    // A process that took the lock and died without releasing it (SIGKILL).
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(child.stdout);
    writeFileSync(
      path.join(dir, LOCK_FILE),
      JSON.stringify({ pid: deadPid, host: os.hostname(), procStart: null, startedAt: '2026-01-01T00:00:00Z', command: 'brevity train x' }),
    );
    const logs: string[] = [];
    const lock = acquireRunLock(dir, { log: (s) => logs.push(s) });
    expect(logs.join('\n')).toMatch(new RegExp(`taking over a stale lock on .*: process ${deadPid} is gone`));
    expect(readLock(dir)).toMatchObject({ pid: process.pid });
    lock.release();

    // Another host's lock cannot be checked: refused, with the way out.
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: 1, host: 'elsewhere', procStart: null, startedAt: 'x', command: 'y' }));
    expect(() => acquireRunLock(dir)).toThrow(/pid 1 on elsewhere.*\n.*\n.*delete .*lock\.json/);
  });

  it('resuming with a changed recipe is refused with the changed keys, unless allowed', async () => {
    const { saveTrainerCheckpoint } = await import('../../src/train/checkpoint.ts');
    const { tinyConfig, tinyPolicy } = await import('../train/tiny-env.ts');
    const { initEngine } = await import('../../src/engine/index.ts');
    const { policyToNamed } = await import('../../src/model/decoder.ts');
    await initEngine();
    const dir = tmp('brevity-rundir-change-');
    writeFileSync(path.join(dir, 'recipe.yaml'), recipeA);
    const p = tinyPolicy(1);
    await saveTrainerCheckpoint(dir, { step: 2, modelConfig: tinyConfig, weights: policyToNamed(p), optimizer: { step: 2, tensors: new Map() }, state: { runId: 'r1' } });
    p.dispose();
    expect(() => openRunDir(dir, { resume: true, recipeText: recipeB })).toThrow(/recipe differs from .*recipe\.yaml[^]*train\.lr: 0\.001 → 0\.002[^]*--allow-recipe-change/);
    const same = openRunDir(dir, { resume: true, recipeText: recipeA });
    expect(same.checkpoint).toMatch(/step-000002$/);
    expect(same.recipeChanges).toEqual([]);
    same.release();
    const run = openRunDir(dir, { resume: true, recipeText: recipeB, allowRecipeChange: true, log: () => {} });
    expect(run.recipeChanges).toEqual([{ key: 'train.lr', from: 0.001, to: 0.002 }]);
    expect(readFileSync(path.join(dir, 'recipe.yaml'), 'utf8')).toBe(recipeB);
    run.release();
  });
});
