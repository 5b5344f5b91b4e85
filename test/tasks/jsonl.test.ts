import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeJsonlTask, parseJsonlProblems, JSONL_PRESETS } from '../../src/tasks/jsonl.ts';
import { dataDir } from '../../src/util/data-dir.ts';

const dir = mkdtempSync(join(tmpdir(), 'jsonl-'));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const fields = { question: 'q', answer: 'a' };

describe('jsonl tasks', () => {
  it('loads any path with a field mapping', () => {
    const test = write('t.jsonl', '{"q":"1+1?","a":2,"lvl":"Level 3"}\n\n{"q":"2+2?","a":"4","lvl":"Level 1"}\n');
    const task = makeJsonlTask({ name: 'toy', test, fields: { ...fields, difficulty: 'lvl' }, promptTemplate: 'Q: {question}\nA:' });
    const ps = task.problems('test');
    expect(ps).toEqual([
      { id: 'toy-test-1', question: '1+1?', gold: '2', difficulty: 3 },
      { id: 'toy-test-3', question: '2+2?', gold: '4', difficulty: 1 },
    ]);
    expect(task.formatPrompt(ps[0]!)).toBe('Q: 1+1?\nA:');
    expect(() => task.problems('train')).toThrow(/no train split/);
  });

  it('errors name the file and line', () => {
    const opts = { name: 'x', split: 'test', fields: { question: 'q', answer: 'a' } };
    expect(() => parseJsonlProblems('{"q":"a","a":"1"}\n{"q": oops}\n', 'f.jsonl', opts)).toThrow(/^f\.jsonl:2: not valid JSON/);
    expect(() => parseJsonlProblems('{"q":"a","a":"1"}\n\n{"q":"b"}\n', 'f.jsonl', opts)).toThrow(/^f\.jsonl:3: answer field "a" is missing \(fields present: q\)/);
    expect(() => parseJsonlProblems('[1,2]\n', 'f.jsonl', opts)).toThrow(/^f\.jsonl:1: expected a JSON object, got an array/);
    expect(() => parseJsonlProblems('{"q":"a","a":null}\n', 'f.jsonl', opts)).toThrow(/^f\.jsonl:1: answer field "a" must be a string or a number, got null/);
    expect(() => makeJsonlTask({ test: join(dir, 'missing.jsonl') }).problems('test')).toThrow(/missing\.jsonl: cannot read the test split \(ENOENT\)/);
  });

  it('drops a UTF-8 byte-order mark before the first line (a file written from the bytes on disk, too)', () => {
    const opts = { name: 'x', split: 'test', fields: { question: 'q', answer: 'a' } };
    const ps = parseJsonlProblems('\uFEFF{"q":"1+1?","a":"2"}\n{"q":"2+2?","a":4}\n', 'bom.jsonl', opts);
    expect(ps.map((p) => [p.question, p.gold])).toEqual([['1+1?', '2'], ['2+2?', '4']]);
    const f = join(dir, 'bom.jsonl');
    writeFileSync(f, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"q":"3+3?","a":"6"}\n')]));
    expect(makeJsonlTask({ test: f, fields: { question: 'q', answer: 'a' } }).problems('test')[0]!.question).toBe('3+3?');
    // Only at the start of the file: elsewhere it is a real character and the line is reported.
    expect(() => parseJsonlProblems('{"q":"a","a":"1"}\n\uFEFF{"q": oops}\n', 'f.jsonl', opts)).toThrow(/^f\.jsonl:2: not valid JSON/);
  });

  it('refuses train/test overlap', () => {
    const a = write('a.jsonl', '{"q":"x","a":"1"}\n{"q":"y","a":"2"}\n');
    const b = write('b.jsonl', '{"q":"z","a":"1"}\n{"q":"y","a":"2"}\n');
    expect(() => makeJsonlTask({ train: a, test: b, fields }).problems('test')).toThrow(/appears in both/);
  });

  it('reads the shipped GSM8K and MATH-500 test sets with the presets', () => {
    const gsm = makeJsonlTask({ ...JSONL_PRESETS.gsm8k, test: join(dataDir(), 'gsm8k-test.jsonl') }).problems('test');
    expect(gsm).toHaveLength(1319);
    expect(gsm[0]!.id).toBe('gsm8k-test-0');
    expect(gsm.every((p) => /^-?\d+$/.test(p.gold))).toBe(true);
    const math = makeJsonlTask({ ...JSONL_PRESETS.math, test: join(dataDir(), 'math500-test.jsonl') }).problems('test');
    expect(math).toHaveLength(500);
    expect(math.every((p) => p.difficulty! >= 1 && p.difficulty! <= 5)).toBe(true);
  });
});
