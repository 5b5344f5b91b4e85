/**
 * Trainer checkpoints: `<runDir>/checkpoints/step-NNNNNN/`, each a complete
 * Hugging Face–layout model checkpoint (`config.json`, `model.safetensors`,
 * tokenizer files — so `brevity eval` can load it directly) written with the
 * model's atomic `saveCheckpoint`, plus the trainer's own files:
 *   optimizer.safetensors   AdamW moments `m.<name>` / `v.<name>` (f32), step in the metadata
 *   trainer_state.json      step, RNG states, per-prompt history, budget-policy state, counters
 *
 * Atomic per directory (temp sibling + fsync + rename, see src/model/atomic.ts):
 * a kill -9 at any moment leaves every earlier checkpoint intact and the new
 * one either complete or absent. Older step directories beyond `keep` and
 * temporaries left by killed writers are removed after each save.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { loadCheckpoint, saveCheckpoint } from '../model/checkpoint.ts';
import { recoverDirAtomic } from '../model/atomic.ts';
import type { ModelConfig, NamedTensors } from '../model/config.ts';
import { decodeSafetensors, encodeSafetensors } from '../model/safetensors.ts';

export interface TrainerCheckpoint {
  step: number;
  modelConfig: ModelConfig;
  weights: NamedTensors;
  optimizer: { step: number; tensors: NamedTensors };
  /** JSON-serialisable trainer state (RNGs, history, budget policy, counters). */
  state: Record<string, unknown>;
  /** Extra files to ship with the model (tokenizer files). */
  extraFiles?: Record<string, string | Uint8Array>;
}

const STEP_DIR = /^step-(\d+)$/;
export const OPTIMIZER_FILE = 'optimizer.safetensors';
export const STATE_FILE = 'trainer_state.json';

export function checkpointsDir(runDir: string): string {
  return path.join(runDir, 'checkpoints');
}

export const stepDirName = (step: number) => `step-${String(step).padStart(6, '0')}`;

/** Write a checkpoint atomically; keep the newest `keep` step directories. Returns its directory. */
export async function saveTrainerCheckpoint(runDir: string, ck: TrainerCheckpoint, keep = 2): Promise<string> {
  const root = checkpointsDir(runDir);
  mkdirSync(root, { recursive: true });
  const dir = path.join(root, stepDirName(ck.step));
  await saveCheckpoint(dir, {
    config: ck.modelConfig,
    weights: ck.weights,
    files: {
      ...ck.extraFiles,
      [OPTIMIZER_FILE]: encodeSafetensors(ck.optimizer.tensors, { step: String(ck.optimizer.step) }),
      [STATE_FILE]: JSON.stringify({ version: 1, step: ck.step, ...ck.state }),
    },
  });
  prune(root, keep);
  return dir;
}

function prune(root: string, keep: number): void {
  const entries = readdirSync(root);
  const steps = entries.filter((e) => STEP_DIR.test(e)).sort();
  for (const old of steps.slice(0, Math.max(0, steps.length - keep))) rmSync(path.join(root, old), { recursive: true, force: true });
  for (const e of entries) {
    // Temporaries of writers that were killed mid-save (never our own live ones: saves are synchronous here).
    if (/^step-\d+\.tmp-/.test(e)) rmSync(path.join(root, e), { recursive: true, force: true });
  }
}

/** The newest complete checkpoint directory of a run, or null. */
export function latestCheckpoint(runDir: string): string | null {
  const root = checkpointsDir(runDir);
  if (!existsSync(root)) return null;
  // A save killed between its two renames leaves `step-N.old`: put it back first.
  for (const e of readdirSync(root)) {
    const m = /^(step-\d+)\.old$/.exec(e);
    if (m) recoverDirAtomic(path.join(root, m[1]));
  }
  const steps = readdirSync(root)
    .filter((e) => STEP_DIR.test(e) && existsSync(path.join(root, e, STATE_FILE)))
    .sort();
  return steps.length ? path.join(root, steps[steps.length - 1]) : null;
}

export async function loadTrainerCheckpoint(dir: string): Promise<TrainerCheckpoint> {
  const ck = await loadCheckpoint(dir);
  for (const f of [OPTIMIZER_FILE, STATE_FILE]) if (!ck.files[f]) throw new Error(`checkpoint ${dir}: missing ${f} (not a trainer checkpoint)`);
  const opt = decodeSafetensors(ck.files[OPTIMIZER_FILE], path.join(dir, OPTIMIZER_FILE));
  const { step, version: _v, ...state } = JSON.parse(Buffer.from(ck.files[STATE_FILE]).toString('utf8')) as { step: number; version: number };
  const extraFiles: Record<string, Uint8Array> = {};
  for (const [rel, data] of Object.entries(ck.files)) if (rel !== OPTIMIZER_FILE && rel !== STATE_FILE) extraFiles[rel] = data;
  return {
    step,
    modelConfig: ck.config,
    weights: ck.weights,
    optimizer: { step: Number(opt.metadata?.step ?? 0), tensors: opt.tensors },
    state,
    extraFiles,
  };
}

/** Read only the trainer state of a checkpoint (cheap; for status displays). */
export function readTrainerState(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(dir, STATE_FILE), 'utf8'));
}
