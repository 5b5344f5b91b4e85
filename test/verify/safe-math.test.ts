import { describe, expect, it } from 'vitest';
import { math, safeParse } from '../../src/verify/safe-math.ts';
import { verifyAnswer } from '../../src/verify/verify.ts';

describe('restricted mathjs', () => {
  it('disables the code-running entry points on the instance', () => {
    for (const name of ['evaluate', 'parse', 'compile', 'simplify', 'createUnit', 'import', 'derivative']) {
      expect(() => (math as unknown as Record<string, (...a: unknown[]) => unknown>)[name]('1+1'), name).toThrow(/disabled/);
    }
  });
  it('parses only whitelisted trees', () => {
    expect(safeParse('2 x + sqrt(3) / (x + 1)').type).toBe('OperatorNode');
    for (const bad of ['import({})', 'a = 1', 'f(x) = x', '"s"', 'x[1]', '1:3', 'x.y', '{a: 1}', 'a ? b : c', 'evaluate("1")', 'createUnit("u")', '[1, 2]']) {
      expect(() => safeParse(bad), bad).toThrow();
    }
    expect(() => safeParse('('.repeat(200) + '1' + ')'.repeat(200))).toThrow(/nested/);
    expect(() => safeParse('1+'.repeat(12_000) + '1')).toThrow(/too long/);
    expect(safeParse('('.repeat(100) + '1' + ')'.repeat(100)).type).toBe('ParenthesisNode');
    expect(safeParse('1+'.repeat(1_000) + '1').type).toBe('OperatorNode');
  });
  it('a check past its time bound answers timeout, not a verdict', () => {
    expect(verifyAnswer('x^2 + 2x + 1', '(x+1)^2', { timeoutMs: -1 })).toMatchObject({ correct: false, reason: 'timeout' });
  });
});
