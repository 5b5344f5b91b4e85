/**
 * Trainer checkpoints: `<runDir>/checkpoints/step-NNNNNN/` holding the policy
 * (`model.safetensors` + `model_config.json`), the optimizer moments
 * (`optimizer.safetensors`) and `trainer_state.json` (step, RNG states,
 * per-prompt history, budget-policy state, counters).
 *
 * Atomic: everything is written into a temporary sibling directory, each file
 * fsync'd, then the directory is renamed into place and the parent fsync'd. A
 * kill -9 at any moment leaves either the previous checkpoints alone or the
 * new one complete; leftover temporaries are ignored and cleaned up later.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ModelConfigSchema, type ModelConfig, type NamedTensors } from '../model/config.ts';
import { decodeTensors, encodeTensors } from './state-file.ts';

export interface TrainerCheckpoint {
  step: number;
  modelConfig: ModelConfig;
  weights: NamedTensors;
  optimizer: { step: number; tensors: NamedTensors };
  /** JSON-serialisable trainer state (RNGs, history, budget policy, counters). */
  state: Record<string, unknown>;
}

const STEP_DIR = /^step-(\d+)$/;

function writeSynced(file: string, data: string | Uint8Array): void {
  const fd = openSync(file, 'w');
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // some filesystems refuse fsync on directories; the rename is still atomic
  }
}

export function checkpointsDir(runDir: string): string {
  return path.join(runDir, 'checkpoints');
}

/** Write a checkpoint atomically; keep the newest `keep` step directories. */
export function saveTrainerCheckpoint(runDir: string, ck: TrainerCheckpoint, keep = 2): string {
  const root = checkpointsDir(runDir);
  mkdirSync(root, { recursive: true });
  const name = `step-${String(ck.step).padStart(6, '0')}`;
  const final = path.join(root, name);
  const tmp = path.join(root, `.${name}.tmp-${process.pid}-${Date.now()}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  writeSynced(path.join(tmp, 'model.safetensors'), encodeTensors(ck.weights, { format: 'pt' }));
  writeSynced(path.join(tmp, 'model_config.json'), JSON.stringify(ck.modelConfig, null, 2));
  writeSynced(path.join(tmp, 'optimizer.safetensors'), encodeTensors(ck.optimizer.tensors, { step: String(ck.optimizer.step) }));
  writeSynced(path.join(tmp, 'trainer_state.json'), JSON.stringify({ version: 1, step: ck.step, ...ck.state }));
  fsyncDir(tmp);
  if (existsSync(final)) {
    // Re-saving the same step (e.g. a signal right after a periodic save): swap via a trash name.
    const trash = path.join(root, `.${name}.old-${process.pid}-${Date.now()}`);
    renameSync(final, trash);
    renameSync(tmp, final);
    rmSync(trash, { recursive: true, force: true });
  } else {
    renameSync(tmp, final);
  }
  fsyncDir(root);
  prune(root, keep);
  return final;
}

function prune(root: string, keep: number): void {
  const entries = readdirSync(root);
  const steps = entries.filter((e) => STEP_DIR.test(e)).sort();
  for (const old of steps.slice(0, Math.max(0, steps.length - keep))) rmSync(path.join(root, old), { recursive: true, force: true });
  for (const e of entries) {
    // Temporaries of dead writers (a kill mid-save). Our own pid's are gone after rename.
    if (e.startsWith('.step-') && !e.includes(`-${process.pid}-`)) rmSync(path.join(root, e), { recursive: true, force: true });
  }
}

/** The newest complete checkpoint directory of a run, or null. */
export function latestCheckpoint(runDir: string): string | null {
  const root = checkpointsDir(runDir);
  if (!existsSync(root)) return null;
  const steps = readdirSync(root)
    .filter((e) => STEP_DIR.test(e) && existsSync(path.join(root, e, 'trainer_state.json')))
    .sort();
  return steps.length ? path.join(root, steps[steps.length - 1]) : null;
}

export function loadTrainerCheckpoint(dir: string): TrainerCheckpoint {
  const need = ['model.safetensors', 'model_config.json', 'optimizer.safetensors', 'trainer_state.json'];
  for (const f of need) if (!existsSync(path.join(dir, f))) throw new Error(`checkpoint ${dir}: missing ${f}`);
  const state = JSON.parse(readFileSync(path.join(dir, 'trainer_state.json'), 'utf8')) as Record<string, unknown>;
  const opt = decodeTensors(readFileSync(path.join(dir, 'optimizer.safetensors')), `${dir}/optimizer.safetensors`);
  const { step, version: _v, ...rest } = state as { step: number; version: number };
  return {
    step,
    modelConfig: ModelConfigSchema.parse(JSON.parse(readFileSync(path.join(dir, 'model_config.json'), 'utf8'))),
    weights: decodeTensors(readFileSync(path.join(dir, 'model.safetensors')), `${dir}/model.safetensors`).tensors,
    optimizer: { step: Number(opt.metadata.step ?? 0), tensors: opt.tensors },
    state: rest,
  };
}
