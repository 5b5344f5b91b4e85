/**
 * Where the evaluation data shipped with brevity lives: `data/` in the package
 * (resolved from this file, not the working directory), or `BREVITY_DATA`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function dataDir(): string {
  return process.env.BREVITY_DATA ?? path.join(packageRoot, 'data');
}
