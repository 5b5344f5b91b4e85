/**
 * An exclusive lock on a run directory: `<runDir>/lock.json` holding the
 * owner's pid, host name and process start time. Two trainings into one
 * directory would interleave metrics.jsonl and checkpoints, so the second is
 * refused while the first lives.
 *
 * The file is created atomically with its content (written to a temporary
 * name, then hard-linked to lock.json, which fails when it exists), so a
 * reader never sees half a lock. A lock is stale when it was taken on this
 * host and its pid is gone, or the pid now belongs to a process started at
 * another time (pid reuse; Linux /proc start time); a stale lock is taken
 * over with a message. A lock from another host cannot be checked and is
 * never taken over. The lock is released when the holder returns or exits
 * (a SIGKILL leaves it behind: that is what the stale check is for).
 */
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../recipe/errors.ts';

export const LOCK_FILE = 'lock.json';

export interface LockInfo {
  pid: number;
  host: string;
  /** Process start time in clock ticks since boot (Linux), to detect pid reuse; null elsewhere. */
  procStart: number | null;
  startedAt: string;
  command: string;
}

/** Start time of a process (field 22 of /proc/<pid>/stat), or null when unknown. */
function procStart(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const v = Number(fields[19]);
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Read the lock of a run directory (null when there is none; `unreadable` when its content is not a lock). */
export function readLock(runDir: string): LockInfo | 'unreadable' | null {
  let text: string;
  try {
    text = readFileSync(path.join(runDir, LOCK_FILE), 'utf8');
  } catch {
    return null;
  }
  try {
    const l = JSON.parse(text) as LockInfo;
    return typeof l.pid === 'number' && typeof l.host === 'string' ? l : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

/** Why a lock no longer protects anything, or null when its holder may still be running. */
export function staleReason(l: LockInfo | 'unreadable'): string | null {
  if (l === 'unreadable') return 'the lock file is not valid JSON';
  if (l.host !== os.hostname()) return null;
  if (!alive(l.pid)) return `process ${l.pid} is gone`;
  const start = procStart(l.pid);
  if (l.procStart !== null && start !== null && start !== l.procStart) return `pid ${l.pid} now belongs to another process`;
  return null;
}

const describe = (l: LockInfo) => `pid ${l.pid} on ${l.host} (${l.command}, since ${l.startedAt})`;

/** Throw a UsageError (exit 2) when a live process holds the directory's lock. */
export function assertUnlocked(runDir: string): void {
  const l = readLock(runDir);
  if (l === null || staleReason(l) !== null || l === 'unreadable') return;
  throw new UsageError(
    `${runDir} is in use by another training: ${describe(l)}.\n` +
      `  Wait for it to finish, stop it (kill ${l.pid}), or train into another run.name.\n` +
      `  If no such process exists (another machine sharing the folder), delete ${path.join(runDir, LOCK_FILE)}.`,
  );
}

export interface RunLock {
  readonly file: string;
  release(): void;
}

/**
 * Take the lock (taking over a stale one, reported through `log`). Throws a
 * UsageError naming the holder when a live process has it.
 */
export function acquireRunLock(runDir: string, o: { command?: string; log?: (s: string) => void } = {}): RunLock {
  const file = path.join(runDir, LOCK_FILE);
  const info: LockInfo = {
    pid: process.pid,
    host: os.hostname(),
    procStart: procStart(process.pid),
    startedAt: new Date().toISOString(),
    command: o.command ?? process.argv.slice(1).map((a) => path.basename(a)).join(' '),
  };
  const text = `${JSON.stringify(info)}\n`;
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, text);
  try {
    let taken = false;
    for (let attempt = 0; attempt < 3 && !taken; attempt++) {
      try {
        linkSync(tmp, file);
        taken = true;
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const held = readLock(runDir);
      if (held === null) continue; // released in between: try again
      const why = staleReason(held);
      if (why === null) assertUnlocked(runDir); // throws, naming the holder
      o.log?.(`taking over a stale lock on ${runDir}: ${why} (${held === 'unreadable' ? 'unreadable lock' : describe(held)})`);
      rmSync(file, { force: true });
    }
    if (!taken) throw new UsageError(`${runDir}: could not take the lock ${file} (other processes keep taking it); try again`);
  } finally {
    rmSync(tmp, { force: true });
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    try {
      if (readFileSync(file, 'utf8') === text) rmSync(file, { force: true });
    } catch {
      // already gone (the directory was moved or removed)
    }
  };
  process.on('exit', release);
  return { file, release };
}
