/**
 * Scoring a user's JSONL of gold/prediction pairs (`brevity verify <file.jsonl>`): a user's own gold/prediction pairs.
 *
 * Each line is a JSON object with `gold` and `pred` (a full response or a bare answer), an
 * optional `equal` (the expected verdict) and an optional Math-Verify `config`. With `equal`,
 * a row passes when the verdict agrees with it; without, when the prediction is judged correct.
 * Malformed lines are reported with their line number and skipped. The last line printed is
 * always `N passed, M failed`; `brevity verify` exits 1 when a row failed (2 on usage errors).
 * `--explain` shows, for each failing row, the extraction, the normalized forms and *why* an
 * answer was rejected ("box holds words that change the number", "false equation: …",
 * "no committed final answer: …").
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { verify, type VerifyOptions } from './verify.ts';
import { CaseConfig, optionsFromConfig } from './case-config.ts';
import { EXTRACTORS, type Extractor } from './types.ts';

/** One row. Extra keys (source, tags, notes) are allowed: users' files carry their own metadata. */
const Row = z
  .object({
    gold: z.string(),
    pred: z.string(),
    equal: z.boolean().optional(),
    config: CaseConfig.optional(),
  })
  .loose();


export interface VerifyFileOptions {
  explain?: boolean;
  strict?: boolean;
  extractors?: string;
  floatRounding?: string;
}

export interface VerifyFileSummary {
  passed: number;
  failed: number;
  skipped: number;
  labelled: number;
  agreed: number;
}

export function verifyFile(path: string, opts: VerifyFileOptions, log: (s: string) => void, warn: (s: string) => void): VerifyFileSummary {
  const text = readFileSync(path, 'utf8').replace(/^\uFEFF/, ''); // a UTF-8 BOM is not part of line 1
  const lines = text.split(/\r?\n/);
  let extractors: Extractor[] | undefined;
  if (opts.extractors) {
    extractors = opts.extractors.split(',').map((x) => x.trim()) as Extractor[];
    const bad = extractors.filter((x) => !(EXTRACTORS as readonly string[]).includes(x));
    if (bad.length) throw new Error(`--extractors: unknown ${bad.join(', ')}; valid: ${EXTRACTORS.join(', ')}`);
  }
  const rounding = opts.floatRounding !== undefined ? Number(opts.floatRounding) : undefined;
  if (rounding !== undefined && !(Number.isInteger(rounding) && rounding >= 0 && rounding <= 12)) {
    throw new Error(`--float-rounding: expected an integer 0..12, got '${opts.floatRounding}'`);
  }
  const sum: VerifyFileSummary = { passed: 0, failed: 0, skipped: 0, labelled: 0, agreed: 0 };
  lines.forEach((line, idx) => {
    if (!line.trim()) return;
    const where = `${path}:${idx + 1}`;
    let row: z.infer<typeof Row>;
    try {
      const parsed = Row.safeParse(JSON.parse(line));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        warn(`${where}: skipped: field '${issue.path.join('.') || '(row)'}': ${issue.message} (each line needs string 'gold' and 'pred', optional boolean 'equal')`);
        sum.skipped++;
        return;
      }
      row = parsed.data;
    } catch (e) {
      warn(`${where}: skipped: not valid JSON (${(e as Error).message})`);
      sum.skipped++;
      return;
    }
    const vopts: VerifyOptions = { ...optionsFromConfig(row.config) };
    if (extractors) vopts.extractors = extractors;
    if (opts.strict) vopts.strict = true;
    if (rounding !== undefined) vopts.floatRounding = rounding;
    const r = verify(row.pred, row.gold, vopts);
    const pass = row.equal === undefined ? r.correct : r.correct === row.equal;
    if (row.equal !== undefined) {
      sum.labelled++;
      if (pass) sum.agreed++;
    }
    if (pass) sum.passed++;
    else {
      sum.failed++;
      if (opts.explain) {
        const cut = (s: string | null | undefined) => (s == null ? 'null' : JSON.stringify(s.length > 200 ? s.slice(0, 200) + '…' : s));
        log(`line ${idx + 1}: expected ${row.equal ?? true}, got ${r.correct} (${r.reason})`);
        if (!r.correct) log(`  why:        ${r.why ?? r.reason}`);
        log(`  gold:       ${cut(row.gold)} → ${cut(r.goldNormalized)}`);
        log(`  extracted:  ${cut(r.extracted)}${r.via ? ` (via ${r.via})` : ''}`);
        log(`  normalized: ${cut(r.normalized)}`);
      }
    }
  });
  if (sum.labelled) {
    log(`agreement: ${sum.agreed}/${sum.labelled} (${((100 * sum.agreed) / sum.labelled).toFixed(1)}%)`);
  }
  if (sum.skipped) log(`skipped ${sum.skipped} malformed line(s)`);
  log(`${sum.passed} passed, ${sum.failed} failed`);
  return sum;
}
