/**
 * Resumable evaluations: `<stem>.records.jsonl` beside an eval result gets
 * one line per (budget, problem) as soon as its samples are verified, so an
 * evaluation that dies part-way (a served model going down, a kill) loses
 * only the requests in flight. The first line is a header with the
 * evaluation's fingerprint (model identity, task, problem ids, sampling
 * settings); a rerun with the same fingerprint reuses the finished records
 * and generates only the rest (seeds depend on (seed, problem, budget) only,
 * so the result equals an uninterrupted one). A different fingerprint starts
 * the file afresh. Failed requests (with --max-failures) are logged as
 * `failure` lines and retried by the next rerun.
 *
 *   {"kind":"header","fingerprint":{…}}
 *   {"kind":"record","budget":64,"index":3,"record":{id, samples, correct, tokens, …}}
 *   {"kind":"failure","budget":64,"index":4,"id":"…","error":"…"}
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../model/atomic.ts';
import type { ProblemRecord } from './records.ts';

/** Where finished (budget, problem) records are kept and found again. */
export interface RecordStore {
  readonly file?: string;
  get(budget: number, index: number, id: string): ProblemRecord | undefined;
  put(budget: number, index: number, record: ProblemRecord): void;
  fail(budget: number, index: number, id: string, error: string): void;
}

/** Keeps nothing: the default for evaluations that are cheap to redo (tests, in-memory callers). */
export const noRecords: RecordStore = { get: () => undefined, put() {}, fail() {} };

const key = (budget: number, index: number) => `${budget}:${index}`;

export class RecordLog implements RecordStore {
  private readonly done = new Map<string, ProblemRecord>();
  /** Records reused from an earlier, interrupted run. */
  readonly reused: number;

  private constructor(readonly file: string, fingerprint: unknown, log?: (s: string) => void) {
    const header = JSON.stringify({ kind: 'header', fingerprint });
    if (existsSync(file)) {
      const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
      if (lines[0] === header) {
        for (const l of lines.slice(1)) {
          let x: { kind?: string; budget?: number; index?: number; record?: ProblemRecord };
          try {
            x = JSON.parse(l);
          } catch {
            continue; // a line cut by a kill
          }
          if (x.kind === 'record' && typeof x.budget === 'number' && typeof x.index === 'number' && x.record) this.done.set(key(x.budget, x.index), x.record);
        }
        this.reused = this.done.size;
        if (this.reused) log?.(`eval: resuming from ${file} (${this.reused} finished records)`);
        // Rewrite without cut lines, so appends start on a fresh line.
        writeFileAtomic(file, [header, ...[...this.done].map(([k, r]) => this.line(k, r))].join('\n') + '\n');
        return;
      }
      log?.(`eval: ${file} is from different settings or another model; starting the evaluation afresh`);
    }
    this.reused = 0;
    mkdirSync(dirname(file), { recursive: true });
    writeFileAtomic(file, `${header}\n`);
  }

  /** Open (or start) the record log of an evaluation with this fingerprint. */
  static open(file: string, fingerprint: unknown, log?: (s: string) => void): RecordLog {
    return new RecordLog(file, fingerprint, log);
  }

  private line(k: string, record: ProblemRecord): string {
    const [budget, index] = k.split(':').map(Number);
    return JSON.stringify({ kind: 'record', budget, index, record });
  }

  get(budget: number, index: number, id: string): ProblemRecord | undefined {
    const r = this.done.get(key(budget, index));
    return r && r.id === id ? r : undefined;
  }

  put(budget: number, index: number, record: ProblemRecord): void {
    const k = key(budget, index);
    this.done.set(k, record);
    appendFileSync(this.file, this.line(k, record) + '\n');
  }

  fail(budget: number, index: number, id: string, error: string): void {
    appendFileSync(this.file, JSON.stringify({ kind: 'failure', budget, index, id, error }) + '\n');
  }
}
