/**
 * Loaders for the verifier's benchmark data shipped in `data/` (sources and licences in
 * data/README.md), shared by the tests, `npm run bench:verify` and anyone re-running the
 * acceptance numbers.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { dataDir as dataDirOf } from '../util/data-dir.ts';
import type { CaseConfig } from './case-config.ts';

export const dataDir = dataDirOf();

export interface PublicCase {
  gold: string;
  pred: string;
  equal: boolean;
  source: string;
  config?: CaseConfig;
  note?: string;
  line: number;
}
export interface GsmRow { id: string; solution: string; answer: string }
export interface MathRow { unique_id: string; solution: string; answer: string }

function readJsonl<T>(file: string): T[] | null {
  const p = path.join(dataDir, file);
  if (!existsSync(p)) return null;
  return readFileSync(p, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => ({ ...JSON.parse(l), line: i + 1 }));
}

export const loadPublicCases = () => readJsonl<PublicCase>('verifier-cases.public.jsonl');
export const loadGsm8k = () => readJsonl<GsmRow>('gsm8k-test.jsonl');
export const loadMath500 = () => readJsonl<MathRow>('math500-test.jsonl');

/**
 * The public row whose label encodes a Math-Verify parse bug (`1 - 1/\mathrm{e}` "equals"
 * `1 + 1/\mathrm{e}`): we answer the mathematically right `false` and count it as mislabelled.
 */
export const isMislabelled = (c: PublicCase) => c.note !== undefined && /quirk|bug/i.test(c.note) && /1-1\/e|\\mathrm\{e\}/.test(c.note);
