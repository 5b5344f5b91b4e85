/**
 * Damaged files name themselves: a truncated trainer_state.json or eval
 * result gives the file and the way out, not a bare JSON parse error; `brevity
 * eval <runDir>` skips damaged checkpoints with a warning.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initEngine } from '../../src/engine/index.ts';
import { policyToNamed } from '../../src/model/decoder.ts';
import { resolveRunDir } from '../../src/eval/open-model.ts';
import { readEvalResult } from '../../src/eval/write-results.ts';
import { latestCheckpoint, loadTrainerCheckpoint, readTrainerState, saveTrainerCheckpoint } from '../../src/train/checkpoint.ts';
import { tinyConfig, tinyPolicy } from './tiny-env.ts';

beforeAll(async () => {
  await initEngine();
});

async function twoCheckpoints(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'brevity-damaged-'));
  const p = tinyPolicy(2);
  for (const step of [1, 2]) {
    await saveTrainerCheckpoint(dir, { step, modelConfig: tinyConfig, weights: policyToNamed(p), optimizer: { step, tensors: new Map() }, state: { runId: 'r' } });
  }
  p.dispose();
  return dir;
}

describe('damaged files', () => {
  it('a truncated trainer_state.json is named (and the manifest marks the checkpoint invalid)', async () => {
    const dir = await twoCheckpoints();
    const ck = path.join(dir, 'checkpoints', 'step-000002');
    const f = path.join(ck, 'trainer_state.json');
    truncateSync(f, Math.floor(statSync(f).size / 2));
    expect(() => readTrainerState(ck)).toThrow(new RegExp(`${f.replace(/[/.]/g, '\\$&')}: not valid JSON`));
    await expect(loadTrainerCheckpoint(ck)).rejects.toThrow(/step-000002: damaged checkpoint: trainer_state\.json has \d+ bytes, the manifest says \d+/);
    const skipped: string[] = [];
    expect(path.basename(latestCheckpoint(dir, (d, why) => skipped.push(`${path.basename(d)}: ${why}`))!)).toBe('step-000001');
    expect(skipped).toEqual([expect.stringMatching(/^step-000002: trainer_state\.json has/)]);
  });

  it('brevity eval <runDir> picks the newest valid checkpoint, warning about the damaged one', async () => {
    const dir = await twoCheckpoints();
    const f = path.join(dir, 'checkpoints', 'step-000002', 'model.safetensors');
    writeFileSync(f, readFileSync(f).subarray(0, 100));
    const warnings: string[] = [];
    expect(resolveRunDir(dir, (s) => warnings.push(s))).toBe(path.join(dir, 'checkpoints', 'step-000001'));
    expect(warnings[0]).toMatch(/warning: skipping damaged checkpoint .*step-000002: model\.safetensors has 100 bytes/);
  });

  it('a checkpoint from before manifests (no manifest, no run id) still resumes; a newer one without its manifest does not', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'brevity-legacy-'));
    const p = tinyPolicy(2);
    await saveTrainerCheckpoint(dir, { step: 3, modelConfig: tinyConfig, weights: policyToNamed(p), optimizer: { step: 3, tensors: new Map() }, state: {} });
    p.dispose();
    const ck = path.join(dir, 'checkpoints', 'step-000003');
    rmSync(path.join(ck, 'manifest.json'));
    expect(latestCheckpoint(dir)).toBe(ck);
    expect((await loadTrainerCheckpoint(ck)).step).toBe(3);
    const withId = await twoCheckpoints();
    rmSync(path.join(withId, 'checkpoints', 'step-000002', 'manifest.json'));
    expect(path.basename(latestCheckpoint(withId)!)).toBe('step-000001');
  });

  it('a truncated eval result is named', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'brevity-evaljson-'));
    const f = path.join(dir, 'base.json');
    writeFileSync(f, '{"model": "base", "budg');
    expect(() => readEvalResult(f)).toThrow(new RegExp(`${f.replace(/[/.]/g, '\\$&')}: not valid JSON .*delete a damaged one to recompute it`));
    writeFileSync(f, '{"model": "base"}');
    expect(() => readEvalResult(f)).toThrow(/base\.json: not an eval result/);
  });
});
