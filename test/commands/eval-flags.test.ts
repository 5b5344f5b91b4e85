/** `brevity eval` numeric flags are checked with a zod schema at the edge (UsageError → exit 2). */
import { describe, expect, it } from 'vitest';
import { parseEvalFlags } from '../../src/commands/eval.ts';
import { UsageError } from '../../src/recipe/errors.ts';

const bad = (raw: Record<string, unknown>): string => {
  try {
    parseEvalFlags(raw);
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
  throw new Error(`accepted ${JSON.stringify(raw)}`);
};

describe('eval flags', () => {
  it('reject what used to run silently: --samples 0, --test-size -3 / 1.5, --temperature -1', () => {
    expect(bad({ samples: '0' })).toMatch(/--samples "0": expected at least 1/);
    expect(bad({ testSize: '-3' })).toMatch(/--test-size "-3": expected at least 1/);
    expect(bad({ testSize: '1.5' })).toMatch(/--test-size "1.5": expected a whole number/);
    expect(bad({ temperature: '-1' })).toMatch(/--temperature "-1": expected ≥ 0/);
    expect(bad({ budgets: ['16', 'x'] })).toMatch(/--budgets \["16","x"\]/);
    expect(bad({ passK: ['0'] })).toMatch(/--pass-k/);
    expect(bad({ seed: 'abc' })).toMatch(/--seed "abc": expected a number/);
    expect(bad({ answerTokens: '' })).toMatch(/--answer-tokens/);
    expect(bad({ maxFailures: '-1' })).toMatch(/--max-failures "-1"/);
    // Every bad flag is listed, not just the first.
    expect(bad({ samples: '0', temperature: 'hot' }).split('\n')).toHaveLength(2);
  });

  it('parses good values to numbers', () => {
    expect(parseEvalFlags({ budgets: ['16', '32'], samples: '4', testSize: '200', temperature: '0', passK: ['1', '4'], seed: '0', answerTokens: '8', maxFailures: '3' })).toEqual({
      budgets: [16, 32], samples: 4, testSize: 200, temperature: 0, passK: [1, 4], seed: 0, answerTokens: 8, maxFailures: 3,
    });
    expect(parseEvalFlags({})).toEqual({ maxFailures: 0 });
  });
});
