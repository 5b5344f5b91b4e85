/**
 * Trainer checkpoints: `<runDir>/checkpoints/step-NNNNNN/`, each a complete
 * Hugging Face–layout model checkpoint (`config.json`, `model.safetensors`,
 * tokenizer files — so `brevity eval` can load it directly) written with the
 * model's atomic `saveCheckpoint`, plus the trainer's own files:
 *   optimizer.safetensors   AdamW moments `m.<name>` / `v.<name>` (f32), step in the metadata
 *   trainer_state.json      step, RNG states, per-prompt history, budget-policy state, counters
 *
 *   manifest.json           sizes + SHA-256 of every file, the run id and step; written last
 *
 * Atomic per directory (temp sibling + fsync + rename, see src/model/atomic.ts):
 * a kill -9 at any moment leaves every earlier checkpoint intact and the new
 * one either complete or absent; the manifest catches damage after the save
 * (a truncated or altered file), and resume falls back to the newest valid
 * checkpoint. Pruning keeps the newest `keep` (train.keepCheckpoints, default
 * 2, so there is always one to fall back to) and only ever deletes
 * checkpoints carrying the current run's id.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { loadCheckpoint, saveCheckpoint } from '../model/checkpoint.ts';
import { recoverDirAtomic } from '../model/atomic.ts';
import { checkManifest, MANIFEST_FILE, readManifest } from '../model/manifest.ts';
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

/**
 * Write a checkpoint atomically, its manifest (sizes, SHA-256, run id, step)
 * last; then prune. Returns its directory.
 */
export async function saveTrainerCheckpoint(runDir: string, ck: TrainerCheckpoint, keep = 2): Promise<string> {
  const root = checkpointsDir(runDir);
  mkdirSync(root, { recursive: true });
  const dir = path.join(root, stepDirName(ck.step));
  const runId = typeof ck.state.runId === 'string' ? ck.state.runId : null;
  await saveCheckpoint(dir, {
    config: ck.modelConfig,
    weights: ck.weights,
    files: {
      ...ck.extraFiles,
      [OPTIMIZER_FILE]: encodeSafetensors(ck.optimizer.tensors, { step: String(ck.optimizer.step) }),
      [STATE_FILE]: JSON.stringify({ version: 1, step: ck.step, ...ck.state }),
    },
    meta: { runId, step: ck.step },
  });
  if (runId) pruneCheckpoints(runDir, runId, ck.step, keep);
  return dir;
}

/** Step directories of a run, oldest first. */
export function stepDirs(runDir: string): { name: string; step: number; dir: string }[] {
  const root = checkpointsDir(runDir);
  if (!existsSync(root)) return [];
  const out = [];
  for (const e of readdirSync(root)) {
    const m = STEP_DIR.exec(e);
    if (m) out.push({ name: e, step: Number(m[1]), dir: path.join(root, e) });
  }
  return out.sort((a, b) => a.step - b.step);
}

/**
 * Delete checkpoints of run `runId` only — never another run's, never a
 * directory whose manifest is unreadable: keep the newest `keep` at or before
 * `step`; remove this run's directories after `step` (left by a timeline that
 * was abandoned when a resume fell back past a damaged checkpoint) and
 * temporaries of killed writers (the run lock guarantees no live writer).
 */
export function pruneCheckpoints(runDir: string, runId: string, step: number, keep: number): void {
  const root = checkpointsDir(runDir);
  const own = stepDirs(runDir).filter((d) => readManifest(d.dir)?.meta?.runId === runId);
  const older = own.filter((d) => d.step <= step);
  const doomed = [...older.slice(0, Math.max(0, older.length - keep)), ...own.filter((d) => d.step > step)];
  for (const d of doomed) rmSync(d.dir, { recursive: true, force: true });
  for (const e of readdirSync(root)) if (/^step-\d+\.tmp-/.test(e)) rmSync(path.join(root, e), { recursive: true, force: true });
}

/** Is `dir` a complete trainer checkpoint? Checks the manifest (sizes + SHA-256) and the trainer's files. */
export function checkTrainerCheckpoint(dir: string): { ok: true } | { ok: false; reason: string } {
  const c = checkManifest(dir, { required: true });
  if (c.status !== 'valid') {
    if (isLegacyCheckpoint(dir)) return { ok: true };
    return { ok: false, reason: c.status === 'invalid' ? c.reason : 'no manifest' };
  }
  for (const f of [OPTIMIZER_FILE, STATE_FILE, 'config.json']) {
    if (!c.manifest.files[f]) return { ok: false, reason: `${f} is not in the manifest (not a trainer checkpoint)` };
  }
  return { ok: true };
}

/**
 * A checkpoint written before manifests and run ids existed (brevity ≤ 0.1.0 of
 * early December 2026): no manifest.json, and a readable trainer_state.json
 * without a runId. It is accepted unverified, so older runs still resume.
 * Every checkpoint written since carries a runId, so a newer one without a
 * manifest is an incomplete save and stays refused.
 */
function isLegacyCheckpoint(dir: string): boolean {
  if (existsSync(path.join(dir, MANIFEST_FILE))) return false;
  const files = [OPTIMIZER_FILE, STATE_FILE, 'config.json', 'model.safetensors'];
  if (!files.every((f) => existsSync(path.join(dir, f)))) return false;
  try {
    const state = JSON.parse(readFileSync(path.join(dir, STATE_FILE), 'utf8')) as Record<string, unknown>;
    return typeof state === 'object' && state !== null && typeof state.step === 'number' && state.runId === undefined;
  } catch {
    return false;
  }
}

/**
 * The newest *valid* checkpoint directory of a run, or null. Damaged or
 * incomplete ones (see checkTrainerCheckpoint) are skipped, each reported
 * through `onSkip(dir, reason)`.
 */
export function latestCheckpoint(runDir: string, onSkip?: (dir: string, reason: string) => void): string | null {
  const root = checkpointsDir(runDir);
  if (!existsSync(root)) return null;
  // A save killed between its two renames leaves `step-N.old`: put it back first.
  for (const e of readdirSync(root)) {
    const m = /^(step-\d+)\.old$/.exec(e);
    if (m) recoverDirAtomic(path.join(root, m[1]));
  }
  for (const d of stepDirs(runDir).reverse()) {
    const c = checkTrainerCheckpoint(d.dir);
    if (c.ok) return d.dir;
    onSkip?.(d.dir, c.reason);
  }
  return null;
}

export async function loadTrainerCheckpoint(dir: string): Promise<TrainerCheckpoint> {
  const ck = await loadCheckpoint(dir);
  for (const f of [OPTIMIZER_FILE, STATE_FILE]) if (!ck.files[f]) throw new Error(`checkpoint ${dir}: missing ${f} (not a trainer checkpoint)`);
  const opt = decodeSafetensors(ck.files[OPTIMIZER_FILE], path.join(dir, OPTIMIZER_FILE));
  const { step, version: _v, ...state } = parseJson(ck.files[STATE_FILE], path.join(dir, STATE_FILE)) as { step: number; version: number };
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
  const f = path.join(dir, STATE_FILE);
  return parseJson(readFileSync(f), f) as Record<string, unknown>;
}

/** JSON.parse that names the file (a truncated trainer_state.json must not give a bare "Unexpected end of JSON input"). */
function parseJson(data: Uint8Array, file: string): unknown {
  try {
    return JSON.parse(Buffer.from(data).toString('utf8'));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message}); the checkpoint is damaged: resume falls back to an older one`);
  }
}
