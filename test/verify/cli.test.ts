import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import os from 'node:os';
import path from 'node:path';
import { register } from '../../src/commands/verify.ts';
import { verifyFile } from '../../src/verify/verify-file.ts';

const ROWS = [
  JSON.stringify({ gold: '5', pred: 'so $x = 5$', equal: true }),
  'not json at all',
  JSON.stringify({ gold: 5, pred: '5' }),
  JSON.stringify({ gold: '\\frac{1}{3}', pred: '0.33', equal: true }), // disagrees: 0.33 ≠ 1/3
  '',
  JSON.stringify({ gold: '2', pred: 'The answer is \\boxed{2}.', source: 'mine' }),
  JSON.stringify({ gold: '\\frac{1}{3}', pred: '0.3333', equal: true, config: { extraction: ['expr'], float_rounding: 4 } }),
].join('\n');

function file(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'brevity-verify-'));
  const p = path.join(dir, 'rows.jsonl');
  writeFileSync(p, ROWS);
  return p;
}

describe('brevity verify <file.jsonl>', () => {
  it('scores rows, reports malformed lines by number, explains failures, ends with the tally', () => {
    const out: string[] = [];
    const err: string[] = [];
    const p = file();
    const sum = verifyFile(p, { explain: true }, (s) => out.push(s), (s) => err.push(s));
    expect(sum).toEqual({ passed: 3, failed: 1, skipped: 2, labelled: 3, agreed: 2 });
    expect(err[0]).toMatch(/rows\.jsonl:2: skipped: not valid JSON/);
    expect(err[1]).toMatch(/rows\.jsonl:3: skipped: field 'gold'/);
    expect(out.join('\n')).toMatch(/line 4: expected true, got false \(not_equal\)/);
    expect(out.join('\n')).toMatch(/extracted: {2}"0\.33"/);
    expect(out).toContain('agreement: 2/3 (66.7%)');
    expect(out[out.length - 1]).toBe('3 passed, 1 failed');
  });
  it('rejects unknown extractors with the valid list', () => {
    expect(() => verifyFile(file(), { extractors: 'boxed,nope' }, () => {}, () => {})).toThrow(/unknown nope; valid: boxed, hash/);
  });
  it('runs as a commander command and is registered in src/cli.ts', async () => {
    // In-process (spawning the whole CLI loads every command's dependencies: slow on 2 cores).
    const program = new Command('brevity').exitOverride();
    register(program);
    const out: string[] = [];
    const log = console.log;
    const error = console.error;
    console.log = (s: string) => void out.push(s);
    console.error = () => {};
    try {
      await program.parseAsync(['node', 'brevity', 'verify', file()]);
    } finally {
      console.log = log;
      console.error = error;
    }
    expect(out[out.length - 1]).toBe('3 passed, 1 failed');
    // Rows failed: the status says so (1), unlike a clean file (0).
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
    expect(readFileSync(new URL('../../src/cli.ts', import.meta.url), 'utf8')).toMatch(/commands\/verify\.ts/);
  });
  it('exits 0 when every row passes; a BOM on line 1 and 10,000 box openers are read, not errors', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'brevity-verify-'));
    const p = path.join(dir, 'ok.jsonl');
    const rows = [
      { gold: '5', pred: '\\boxed{5}', equal: true },
      { gold: '5', pred: '\\boxedx'.repeat(12_000) + ' so \\boxed{5}', equal: true },
      { gold: '5', pred: '\\boxed{2+2=5}', equal: false },
    ];
    writeFileSync(p, '\uFEFF' + rows.map((r) => JSON.stringify(r)).join('\n'));
    const program = new Command('brevity').exitOverride();
    register(program);
    const out: string[] = [];
    const log = console.log;
    console.log = (s: string) => void out.push(s);
    try {
      await program.parseAsync(['node', 'brevity', 'verify', p, '--explain']);
    } finally {
      console.log = log;
    }
    expect(out[out.length - 1]).toBe('3 passed, 0 failed');
    expect(process.exitCode ?? 0).toBe(0);
  });
  it('--explain says why a row is rejected', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'brevity-verify-'));
    const p = path.join(dir, 'why.jsonl');
    const rows = [
      { gold: '5', pred: '\\boxed{5 \\text{ thousand}}' },
      { gold: '5', pred: '\\boxed{2+2=5}' },
      { gold: '5', pred: 'It might be 5 or 6, and then' },
    ];
    writeFileSync(p, rows.map((r) => JSON.stringify(r)).join('\n'));
    const out: string[] = [];
    verifyFile(p, { explain: true }, (s) => out.push(s), () => {});
    const text = out.join('\n');
    expect(text).toMatch(/why: +box holds words that change the number/);
    expect(text).toMatch(/why: +false equation/);
    expect(text).toMatch(/why: +no committed final answer/);
  });
});
