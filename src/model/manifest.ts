/**
 * Checkpoint manifests: `<dir>/manifest.json` lists every other file of a
 * checkpoint directory with its size and SHA-256, plus free-form metadata
 * (the trainer puts its run id and step there). It is written last, as the
 * commit point of a save: a directory whose files all match its manifest is
 * a complete checkpoint; one without a manifest, or with a file missing,
 * truncated or altered after the save, is not (and the trainer falls back to
 * an older one). Directories that never had a manifest (a downloaded Hugging
 * Face model, the shipped base model) are "unverified", not invalid.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const MANIFEST_FILE = 'manifest.json';

export interface ManifestEntry {
  size: number;
  sha256: string;
}

export interface Manifest {
  version: 1;
  files: Record<string, ManifestEntry>;
  meta: Record<string, unknown>;
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const bytes = (d: string | Uint8Array) => (typeof d === 'string' ? Buffer.from(d, 'utf8') : d);

/** The manifest of a set of files about to be written. */
export function buildManifest(files: Record<string, string | Uint8Array>, meta: Record<string, unknown> = {}): Manifest {
  const out: Record<string, ManifestEntry> = {};
  for (const [rel, data] of Object.entries(files)) {
    if (rel === MANIFEST_FILE) continue;
    const b = bytes(data);
    out[rel] = { size: b.length, sha256: sha256(b) };
  }
  return { version: 1, files: out, meta };
}

export type ManifestCheck =
  | { status: 'valid'; manifest: Manifest }
  | { status: 'unverified' }
  | { status: 'invalid'; reason: string };

/** Read a directory's manifest without checking the files (null when absent or unreadable). */
export function readManifest(dir: string): Manifest | null {
  try {
    const m = JSON.parse(readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as Manifest;
    return m && typeof m === 'object' && m.files && typeof m.files === 'object' ? m : null;
  } catch {
    return null;
  }
}

/**
 * Check every file listed in `<dir>/manifest.json`: present, same size (cheap,
 * first), same SHA-256. `required` makes a missing manifest invalid (trainer
 * checkpoints always have one).
 */
export function checkManifest(dir: string, opts: { required?: boolean } = {}): ManifestCheck {
  const file = path.join(dir, MANIFEST_FILE);
  if (!existsSync(file)) {
    return opts.required ? { status: 'invalid', reason: `no ${MANIFEST_FILE} (the save never completed)` } : { status: 'unverified' };
  }
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch (e) {
    return { status: 'invalid', reason: `${file}: not valid JSON (${(e as Error).message})` };
  }
  if (!m || typeof m !== 'object' || m.version !== 1 || typeof m.files !== 'object' || m.files === null) {
    return { status: 'invalid', reason: `${file}: not a version-1 manifest` };
  }
  const entries = Object.entries(m.files);
  for (const [rel, e] of entries) {
    const f = path.join(dir, rel);
    if (!existsSync(f)) return { status: 'invalid', reason: `${rel} is missing` };
    const size = statSync(f).size;
    if (size !== e.size) return { status: 'invalid', reason: `${rel} has ${size} bytes, the manifest says ${e.size}` };
  }
  for (const [rel, e] of entries) {
    if (sha256(readFileSync(path.join(dir, rel))) !== e.sha256) return { status: 'invalid', reason: `${rel} does not match its SHA-256 in the manifest` };
  }
  return { status: 'valid', manifest: m };
}
