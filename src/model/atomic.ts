/**
 * Crash-safe file and directory writes: write to a temporary sibling, fsync,
 * then rename over the target, so a reader (or a restart after a kill) sees
 * either the old or the new content, never a half-written one.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

function fsyncPath(p: string, flags = 'r'): void {
  let fd: number | undefined;
  try {
    fd = openSync(p, flags);
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function writeAndSync(file: string, data: string | Uint8Array): void {
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

let counter = 0;
const tmpName = (target: string) => `${target}.tmp-${process.pid}-${Date.now()}-${counter++}`;

/** Atomically replace `file` with `data` (temp file in the same directory + fsync + rename). */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(path.resolve(file));
  mkdirSync(dir, { recursive: true });
  const tmp = tmpName(path.resolve(file));
  try {
    writeAndSync(tmp, data);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  fsyncPath(dir);
}

/**
 * Atomically replace directory `dir` by one holding exactly `files`
 * (relative path → content; subdirectories allowed). Everything is written
 * and fsynced in a temporary sibling first. Linux cannot rename a directory
 * over a non-empty one, so the old directory is first moved to `<dir>.old`;
 * a kill between the two renames leaves `<dir>.old` complete, and
 * `recoverDirAtomic` (called by readers) moves it back.
 */
export function writeDirAtomic(dir: string, files: Record<string, string | Uint8Array>): void {
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  mkdirSync(parent, { recursive: true });
  recoverDirAtomic(target);
  const tmp = tmpName(target);
  try {
    mkdirSync(tmp);
    const subdirs = new Set<string>([tmp]);
    for (const [rel, data] of Object.entries(files)) {
      if (path.isAbsolute(rel) || rel.split(/[\\/]/).includes('..')) throw new Error(`writeDirAtomic: bad relative path "${rel}"`);
      const f = path.join(tmp, rel);
      const d = path.dirname(f);
      if (!subdirs.has(d)) {
        mkdirSync(d, { recursive: true });
        subdirs.add(d);
      }
      writeAndSync(f, data);
    }
    for (const d of subdirs) fsyncPath(d);
    const old = `${target}.old`;
    rmSync(old, { recursive: true, force: true });
    if (existsSync(target)) renameSync(target, old);
    renameSync(tmp, target);
    fsyncPath(parent);
    rmSync(old, { recursive: true, force: true });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** If a save was killed between its two renames, restore `<dir>.old` as `dir`. */
export function recoverDirAtomic(dir: string): void {
  const target = path.resolve(dir);
  const old = `${target}.old`;
  if (!existsSync(target) && existsSync(old)) renameSync(old, target);
}
