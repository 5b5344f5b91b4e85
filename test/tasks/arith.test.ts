import { describe, expect, it } from 'vitest';
import { evaluate } from 'mathjs';
import { makeArithTask, generateArithSplit, difficultyCounts, sampleBaseExample } from '../../src/tasks/arith.ts';
import { parseArith, randomArithExpr, splitOf, ARITH_LIMITS } from '../../src/tasks/arith-expr.ts';
import { arithTrace, conciseOracleLength, MAX_VERBOSE_TOKENS } from '../../src/tasks/arith-traces.ts';
import { parseHashAnswer } from '../../src/tasks/answer.ts';
import { verify } from '../../src/verify/index.ts';
import { builtinTokenizer as tok } from '../../src/model/builtin-tokenizer.ts';
import { makeRng } from '../../src/util/rng.ts';

const task = makeArithTask({ train: { size: 3000, seed: 0 }, test: { size: 1000, seed: 1234 } });
const train = task.problems('train');
const test = task.problems('test');

describe('arith splits', () => {
  it('train and test never share an expression, and each lies in its hash bucket', () => {
    const testQs = new Set(test.map((p) => p.question));
    expect(train.filter((p) => testQs.has(p.question))).toEqual([]);
    expect(test.every((p) => splitOf(p.question) === 'test')).toBe(true);
    expect(train.every((p) => splitOf(p.question) === 'train')).toBe(true);
    // A different seed's test split is disjoint from every train split too.
    const other = generateArithSplit('test', { size: 500, seed: 99 });
    expect(other.every((p) => splitOf(p.question) === 'test')).toBe(true);
  });

  it('has the requested size, distinct problems and exact difficulty counts', () => {
    expect(test).toHaveLength(1000);
    expect(new Set(test.map((p) => p.question)).size).toBe(1000);
    expect(new Set(test.map((p) => p.id)).size).toBe(1000);
    for (let d = 1; d <= 5; d++) expect(test.filter((p) => p.difficulty === d)).toHaveLength(200);
    expect(difficultyCounts(10, [1, 1, 1, 0, 0])).toEqual([4, 3, 3, 0, 0]);
    const mixed = generateArithSplit('train', { size: 100, seed: 3, difficultyMix: [0, 0, 1, 0, 3] });
    expect(mixed.filter((p) => p.difficulty === 3)).toHaveLength(25);
    expect(mixed.filter((p) => p.difficulty === 5)).toHaveLength(75);
  });

  it('is deterministic from the seed and changes with it', () => {
    const a = generateArithSplit('test', { size: 200, seed: 7 });
    const b = generateArithSplit('test', { size: 200, seed: 7 });
    const c = generateArithSplit('test', { size: 200, seed: 8 });
    expect(a).toEqual(b);
    expect(a.map((p) => p.question)).not.toEqual(c.map((p) => p.question));
    expect(arithTrace(a[0]!.question, 'verbose', 3)).toBe(arithTrace(a[0]!.question, 'verbose', 3));
  });

  it('gold answers equal an independent evaluation (mathjs)', () => {
    for (const p of [...test, ...train.slice(0, 1000)]) {
      expect(String(evaluate(p.question))).toBe(p.gold);
    }
  });

  it('respects the operand limits and the difficulty = number of operations', () => {
    const rng = makeRng(5);
    for (let i = 0; i < 2000; i++) {
      const d = 1 + (i % 5);
      const e = randomArithExpr(rng, d);
      expect(e.steps).toHaveLength(d);
      expect(parseArith(e.text).steps).toEqual(e.steps);
      for (const s of e.steps) {
        expect(s.result).toBeGreaterThanOrEqual(0);
        expect(s.result).toBeLessThanOrEqual(ARITH_LIMITS.maxValue);
        if (s.op === '*') expect(s.a).toBeLessThanOrEqual(ARITH_LIMITS.maxMultiplicand);
      }
    }
    expect(() => randomArithExpr(rng, 6)).toThrow(/difficulty/);
    expect(() => parseArith('1+(2*3')).toThrow(/column 7/);
  });
});

describe('arith traces', () => {
  const styles = ['concise', 'verbose', 'direct'] as const;

  it('every trace ends with the correct answer, verifies, and every written equation is true', () => {
    for (const p of test) {
      for (const style of styles) {
        const t = arithTrace(p.question, style, 11);
        expect(parseHashAnswer(t)).toBe(Number(p.gold));
        expect(verify(t, p.gold, { extractors: ['hash'] })).toMatchObject({ correct: true, extracted: p.gold });
        expect(verify(t, String(Number(p.gold) + 1), { extractors: ['hash'] }).correct).toBe(false);
        // Every a=b=c chain on every line is arithmetically true.
        for (const line of t.split('\n')) {
          if (!/^[\d+\-*=]+$/.test(line)) continue;
          const parts = line.split('=');
          for (const part of parts) expect(evaluate(part)).toBe(evaluate(parts[0]!));
        }
      }
    }
  });

  it('concise traces are one operation per line in evaluation order', () => {
    expect(arithTrace('(47+38)*6-29', 'concise')).toBe('47+38=85\n85*6=510\n510-29=481\n#### 481');
    expect(arithTrace('(47+38)*6-29', 'direct')).toBe('#### 481');
    expect(conciseOracleLength('(47+38)*6-29')).toBe(tok.encode('47+38=85\n85*6=510\n510-29=481\n#### 481').length);
  });

  it('verbose traces start with the concise steps, are longer, and fit the sequence budget', () => {
    let concise = 0, verbose = 0;
    for (const p of test) {
      const c = arithTrace(p.question, 'concise');
      const v = arithTrace(p.question, 'verbose', 1);
      const steps = c.split('\n').slice(0, -1).join('\n');
      expect(v.startsWith(steps + '\n')).toBe(true);
      expect(v).toMatch(/(Wait|Hmm|Let|Actually)/);
      const vl = tok.encode(v).length;
      expect(vl).toBeLessThanOrEqual(MAX_VERBOSE_TOKENS);
      expect(tok.encode(task.formatPrompt(p)).length + vl + 1).toBeLessThanOrEqual(256);
      concise += tok.encode(c).length;
      verbose += vl;
    }
    // Verbose traces are ≥ 3.5× concise (so the 60/30/10 base mix averages > 2.5×).
    expect(verbose / concise).toBeGreaterThanOrEqual(3.5);
  });

  it('the base mix is about 60/30/10 verbose/concise/direct', () => {
    const rng = makeRng(2);
    const n = 4000;
    const counts = { verbose: 0, concise: 0, direct: 0 };
    for (let i = 0; i < n; i++) {
      const ex = sampleBaseExample(rng);
      counts[ex.style]++;
      expect(splitOf(ex.prompt.slice(3, -3))).toBe('train');
      expect(parseHashAnswer(ex.response)).toBe(evaluate(ex.prompt.slice(3, -3)));
    }
    expect(counts.verbose / n).toBeCloseTo(0.6, 1);
    expect(counts.concise / n).toBeCloseTo(0.3, 1);
    expect(counts.direct / n).toBeCloseTo(0.1, 1);
  });

  it('the task formats prompts in the built-in format', () => {
    expect(task.formatPrompt({ id: 'x', question: '12*3+7', gold: '43' })).toBe('Q: 12*3+7=?\n');
    expect(task.extractors).toEqual(['hash']);
  });
});
