/**
 * `loadTokenizer(dir)`: one entry point for both tokenizer kinds.
 * - `brevity-tokenizer.json` present → the built-in fixed-vocabulary tokenizer
 *   (format defined in builtin-tokenizer.ts);
 * - else `tokenizer.json` → a Hugging Face tokenizer (hf-tokenizer.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Tokenizer } from './tokenizer.ts';
import { BUILTIN_TOKENIZER_FILE, isBuiltinTokenizerDir, loadBuiltinTokenizer } from './builtin-tokenizer.ts';
import { loadHfTokenizer } from './hf-tokenizer.ts';

/** Files that make up a tokenizer; checkpoints copy whichever exist. */
export const TOKENIZER_FILES = [
  BUILTIN_TOKENIZER_FILE,
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'vocab.json',
  'merges.txt',
  'generation_config.json',
] as const;

export function loadTokenizer(dir: string): Tokenizer {
  if (isBuiltinTokenizerDir(dir)) return loadBuiltinTokenizer(dir);
  if (existsSync(path.join(dir, 'tokenizer.json'))) return loadHfTokenizer(dir);
  throw new Error(`${dir}: no tokenizer found (expected ${BUILTIN_TOKENIZER_FILE} or tokenizer.json)`);
}

/** The tokenizer files present in `dir`, for `saveCheckpoint(…, { files })`. */
export function readTokenizerFiles(dir: string): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const f of TOKENIZER_FILES) {
    const p = path.join(dir, f);
    if (existsSync(p)) out[f] = new Uint8Array(readFileSync(p));
  }
  return out;
}
