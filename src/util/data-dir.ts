/**
 * Where the files shipped with brevity live: `data/` in the package (resolved
 * from this file, not the working directory), or `BREVITY_DATA`; and the
 * shipped models (`models/base`), which recipes name by a relative path.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function dataDir(): string {
  return process.env.BREVITY_DATA ?? path.join(packageRoot, 'data');
}

/**
 * A relative model path names a folder under the working directory or, when
 * there is none, the one shipped in the package — so `models/base` works from
 * any folder. Paths that exist (or are absolute) are returned unchanged.
 */
export function shippedPath(p: string): string {
  if (path.isAbsolute(p) || existsSync(p)) return p;
  const shipped = path.join(packageRoot, p);
  return existsSync(shipped) ? shipped : p;
}
