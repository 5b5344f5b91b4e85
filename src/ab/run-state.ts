/**
 * Completion marker of a training run: `<runDir>/done.json`, written only
 * after the trainer returned with every step done (atomically: tmp + rename).
 * A run directory without it is incomplete — resumable from its newest
 * checkpoint — and A/B reruns train it again with `resume`; with it, the run
 * is skipped. The `train` command should write it too (markRunDone).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface DoneMarker {
  /** Last completed step. */
  step: number;
  finishedAt: string;
  /** Anything useful to a reader: recipe name, seed, wall time… */
  [k: string]: unknown;
}

export const DONE_FILE = 'done.json';

export function markRunDone(runDir: string, info: Omit<DoneMarker, 'finishedAt'>): void {
  mkdirSync(runDir, { recursive: true });
  const f = join(runDir, DONE_FILE);
  writeFileSync(`${f}.tmp`, `${JSON.stringify({ ...info, finishedAt: new Date().toISOString() }, null, 1)}\n`);
  renameSync(`${f}.tmp`, f);
}

export function isRunDone(runDir: string): boolean {
  return existsSync(join(runDir, DONE_FILE));
}

export function readRunDone(runDir: string): DoneMarker | null {
  const f = join(runDir, DONE_FILE);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as DoneMarker) : null;
}
