/**
 * Fuzz: thousands of random and adversarial strings. The verifier must never throw, stay
 * within its time bound, and never accept an answer that is not equal to the gold.
 */
import { describe, expect, it } from 'vitest';
import { verify, verifyAnswer } from '../../src/verify/verify.ts';

/** Deterministic PRNG (mulberry32), so a failure is reproducible. */
function rng(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOKENS = [
  '\\boxed{', '\\fbox{', '}', '{', '(', ')', '[', ']', '\\frac', '\\sqrt', '^', '_', '\\left(', '\\right)', '$', '$$',
  '\\(', '\\)', '\\[', '\\]', '####', 'The answer is', 'Final answer:', '=', '<', '>', '\\le', ',', ';', ' and ', ' or ',
  '\\pm', '%', '\\%', '\\text{', '\\begin{pmatrix}', '\\end{pmatrix}', '&', '\\\\', 'x', 'y', 'i', 'e', '\\pi', '\\infty',
  '0', '1', '2', '9', '.', '-', '+', '*', '/', ' ', '\n', '\\', '\\$', 'import(', 'createUnit(', 'evaluate(', '"', "'",
  'constructor', '__proto__', '\\sin', '\\log', '!', '\\{', '\\}', '10^{10^{10}}', '\\mathrm{e}', '1,000', '⦃', '«', '¦',
];

const GOLD = '\\frac{123457}{99991}'; // a value no random string hits by chance
/** timeoutMs is 100; a hang would take seconds. The slack absorbs GC and a loaded 2-core machine. */
const BOUND_MS = 1000;

function timed<T>(f: () => T): [T, number] {
  const t = performance.now();
  const r = f();
  return [r, performance.now() - t];
}

describe('verifier fuzz', () => {
  it('random token soups: no throw, bounded time, no false positive', () => {
    const rand = rng(12345);
    let worst = 0;
    for (let k = 0; k < 3000; k++) {
      const n = 1 + Math.floor(rand() * 40);
      let s = '';
      for (let j = 0; j < n; j++) s += TOKENS[Math.floor(rand() * TOKENS.length)];
      const [r, ms] = timed(() => verify(s, GOLD));
      const [r2] = timed(() => verifyAnswer(GOLD, s));
      worst = Math.max(worst, ms);
      expect(typeof r.correct).toBe('boolean');
      expect(r.correct, s).toBe(false);
      expect(r2.correct, s).toBe(false);
    }
    expect(worst).toBeLessThan(BOUND_MS);
  });

  const big = 'x'.repeat(1 << 20);
  const ADVERSARIAL: string[] = [
    '\\frac{'.repeat(5000), '('.repeat(100_000), ')'.repeat(100_000), '{'.repeat(50_000) + '}'.repeat(50_000),
    '\\boxed{' + '('.repeat(10_000) + '1' + ')'.repeat(10_000) + '}', '\\boxed{10^{10^{10}}}', '\\boxed{10^{10^{10^{10}}}}',
    '\\boxed{9^{9^{9^{9}}}}', '\\boxed{2^{1000000}}', '\\boxed{(10^{400})!}', '\\boxed{1e999999}', '\\boxed{' + '9'.repeat(5000) + '}',
    big, '$' + big + '$', '\\boxed{' + big + '}', '\\boxed{'.repeat(20_000), '}'.repeat(20_000) + '\\boxed{1}',
    '#### ' + '1'.repeat(100_000), 'The answer is ' + '$'.repeat(50_000), '\\sqrt'.repeat(20_000),
    '\\boxed{import("fs")}', '\\boxed{createUnit("foo")}', '\\boxed{evaluate("1+1")}', '\\boxed{f(x) = x; f(2)}',
    '\\boxed{parse("1")}', '\\boxed{x.constructor}', '\\boxed{[1,2][1]}', '\\boxed{"abc"}',
    '\\boxed{{1:2}}', '\\boxed{1 ? 2 : 3}', '\\boxed{simplify("x")}', '\\boxed{cos.constructor("return 1")()}',
    '\\boxed{\\begin{pmatrix}' + '1&'.repeat(5000) + '\\end{pmatrix}}', '\\boxed{' + '1,'.repeat(20_000) + '}',
    '\\boxed{' + 'x^'.repeat(3000) + '2}', '\\boxed{' + '\\pm 1'.repeat(2000) + '}', '\\boxed{' + '='.repeat(5000) + '}',
    '\\left('.repeat(5000), '\u0000\u0001\u0002', '\uD800', '\\boxed{\\text{' + '«'.repeat(1000) + '}}',
  ];

  it.each(ADVERSARIAL.map((s, i) => [i, s] as const))('adversarial input #%i: no throw, bounded, not accepted', (_i, s) => {
    const [r, ms] = timed(() => verify(s, GOLD));
    expect(r.correct).toBe(false);
    expect(ms).toBeLessThan(BOUND_MS * 2); // 1 MB inputs are scanned once in full
    const [r2, ms2] = timed(() => verifyAnswer(GOLD, s));
    expect(r2.correct).toBe(false);
    expect(ms2).toBeLessThan(BOUND_MS * 2);
    // The same input as gold: still no throw.
    expect(typeof verify('\\boxed{1}', s).correct).toBe('boolean');
  });

  it('huge exponents are never equal through overflow', () => {
    expect(verifyAnswer('10^{10^{10}}', '10^{10^{10}}+1').correct).toBe(false);
    expect(verifyAnswer('10^{10^{10}}', '10^{10^{11}}').correct).toBe(false);
    expect(verifyAnswer('2^{1000}', '2^{1000}+1').correct).toBe(false);
    expect(verifyAnswer('2^{1000}', '2^{999}\\cdot 2').correct).toBe(true);
  });

  it('non-string input returns a verdict instead of throwing', () => {
    expect(verify(undefined as unknown as string, '1').correct).toBe(false);
    expect(verifyAnswer(null as unknown as string, '1').correct).toBe(false);
  });
});
