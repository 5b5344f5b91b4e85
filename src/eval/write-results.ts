/** Eval results on disk: `<name>.json` (everything, incl. per-problem records) and `<name>.csv` (one row per budget). */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EvalResult } from './evaluate.ts';

export const CSV_COLUMNS = [
  'model', 'budget', 'problems', 'samples', 'accuracy', 'accuracy_lo', 'accuracy_hi', 'mean_tokens', 'mean_tokens_lo', 'mean_tokens_hi',
  'mean_tokens_correct', 'mean_tokens_wrong', 'truncation_rate', 'accuracy_per_1k', 'pass_at_k', 'base', 'length_reduction', 'accuracy_delta', 'aes',
  'oaa_auc',
] as const;

const num = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '' : String(Math.round(x * 1e6) / 1e6));
const cell = (s: string): string => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** Appended to CSV_COLUMNS only when the result has thinking counts (thinking models); other CSVs are unchanged. */
export const THINKING_CSV_COLUMNS = ['mean_thinking_tokens', 'mean_answer_tokens'] as const;

export function toCsv(r: EvalResult): string {
  const thinking = r.budgets.some((b) => b.meanThinkingTokens);
  const columns = [...CSV_COLUMNS, ...(thinking ? THINKING_CSV_COLUMNS : [])];
  const rows = r.budgets.map((b) =>
    [
      r.model, String(b.budget), String(b.problems), String(b.samples), num(b.accuracy.estimate), num(b.accuracy.lo), num(b.accuracy.hi),
      num(b.meanTokens.estimate), num(b.meanTokens.lo), num(b.meanTokens.hi), num(b.meanTokensCorrect.estimate), num(b.meanTokensWrong.estimate),
      num(b.truncationRate.estimate), num(b.accuracyPer1k),
      Object.entries(b.passAtK).map(([k, v]) => `${k}:${num(v)}`).join(' '),
      b.vsBase?.base ?? '', num(b.vsBase?.lengthReduction), num(b.vsBase?.accuracyDelta), num(b.vsBase?.aes), num(b.oaaAuc?.estimate),
      ...(thinking ? [num(b.meanThinkingTokens?.estimate), num(b.meanAnswerTokens?.estimate)] : []),
    ].map(cell).join(','),
  );
  return `${[columns.join(','), ...rows].join('\n')}\n`;
}

/** Atomic write (tmp + rename) so a killed run never leaves half a file. */
function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

/** Writes `<stem>.json` and `<stem>.csv`. */
export function writeEvalResult(stem: string, r: EvalResult): void {
  writeAtomic(`${stem}.json`, `${JSON.stringify(r, null, 1)}\n`);
  writeAtomic(`${stem}.csv`, toCsv(r));
}

/** Read `<stem>.json`; a damaged or foreign file is named in the error. */
export function readEvalResult(path: string): EvalResult {
  let r: EvalResult;
  try {
    r = JSON.parse(readFileSync(path, 'utf8')) as EvalResult;
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON (${(e as Error).message})`;
    throw new Error(`${path}: ${why}; an eval result is written by brevity eval / train (delete a damaged one to recompute it)`);
  }
  if (!r || typeof r !== 'object' || !Array.isArray(r.budgets)) throw new Error(`${path}: not an eval result (no "budgets" list)`);
  return r;
}
