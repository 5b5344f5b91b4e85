import { describe, expect, it } from 'vitest';
import { extractAnswer, extractGold, mathSpans } from '../../src/verify/extract.ts';

const ALL = ['boxed', 'hash', 'answer_is', 'last_math', 'last_number'] as const;

describe('extractAnswer', () => {
  it('takes the last box, with nested braces', () => {
    expect(extractAnswer('first \\boxed{1} then \\boxed{\\frac{1}{2}}.', [...ALL]).answer).toBe('\\frac{1}{2}');
    expect(extractAnswer('\\fbox{7}', [...ALL]).answer).toBe('7');
  });
  it('joins adjacent boxes into one list, not distant ones', () => {
    expect(extractAnswer('\\boxed{1} and \\boxed{2}', [...ALL]).answer).toBe('1, 2');
    expect(extractAnswer('\\boxed{k=45} \\quad \\text{and} \\quad \\boxed{n=2}', [...ALL]).answer).toBe('k=45, n=2');
    expect(extractAnswer('we get \\boxed{200}. Then the second CD gives 5% more, so \\boxed{255}', [...ALL]).answer).toBe('255');
  });
  it('an unclosed or empty last box is no answer, even after a closed one', () => {
    expect(extractAnswer('\\boxed{3} so \\boxed{\\frac{1}{2', [...ALL])).toMatchObject({ answer: null, reason: 'unclosed_box' });
    expect(extractAnswer('\\boxed{}', [...ALL])).toMatchObject({ answer: null, reason: 'empty_box' });
  });
  it('reads #### lines; under truncation only a newline-terminated one', () => {
    expect(extractAnswer('a\n#### 1,234\n', ['hash']).answer).toBe('1,234');
    expect(extractAnswer('#### 4', ['hash'], true)).toMatchObject({ answer: null, reason: 'truncated' });
    expect(extractAnswer('#### 42\nmore', ['hash'], true).answer).toBe('42');
  });
  it('answer phrases: the later of box and phrase wins; the value after the last " is "', () => {
    expect(extractAnswer('\\boxed{200} ... Final Answer: The final answer is $10,455$. I hope it is correct.', [...ALL]).answer).toBe('10,455');
    expect(extractAnswer('Final Answer: The maximum number of points in the domain of $f(x)$ is 19. <|im_start|>', [...ALL]).answer).toBe('19');
    expect(extractAnswer('The answer is 7.78.', [...ALL]).answer).toBe('7.78');
    expect(extractAnswer('so $\\boxed{5}$. Let me double-check: the answer is correct.', [...ALL]).answer).toBe('5');
    expect(extractAnswer('The answer is Evelyn.', [...ALL]).answer).toBe('Evelyn');
  });
  it('fallbacks: last math span, then last number; strict callers drop last_number', () => {
    expect(extractAnswer('so $x=2$ and then $y = 3$.', [...ALL]).answer).toBe('y = 3');
    expect(extractAnswer('we get 12 apples and then 15 pears in total.', [...ALL]).answer).toBe('15');
    expect(extractAnswer('we get 12 apples and then 15 pears in total.', ['boxed', 'answer_is', 'last_math']).answer).toBeNull();
    // no period and ending on a word: possibly cut off, so no answer
    expect(extractAnswer('we get 12 apples and then 15 pears in total', [...ALL]).answer).toBeNull();
    expect(extractAnswer('the total is 1,000.99 dollars.', ['last_number']).answer).toBe('1,000.99');
  });
  it('fallbacks read only a committed final-answer statement', () => {
    // hedged ("or so"), truncated mid-sentence, or a last sentence that states nothing
    expect(extractAnswer('the total is 1,000.99 dollars or so', ['last_number'])).toMatchObject({ answer: null, reason: 'no_answer' });
    expect(extractAnswer('First 3 + 2 = 5. Then we multiply 5 by', [...ALL]).answer).toBeNull();
    expect(extractAnswer('We add 3 and 2 to get 5. Next we check the other case.', [...ALL]).answer).toBeNull();
    expect(extractAnswer('We add 3 and 2. Therefore the total is 5.', [...ALL]).answer).toBe('5');
    expect(extractAnswer('It is either 5 or 6.', [...ALL]).answer).toBeNull();
  });
  it('marked answers that are hedged, negated, taken back or sprayed are no answer', () => {
    expect(extractAnswer('The answer is not \\boxed{5}.', [...ALL]).reason).toBe('no_committed_answer');
    expect(extractAnswer('\\boxed{5}, or maybe 6.', [...ALL]).reason).toBe('no_committed_answer');
    expect(extractAnswer('\\boxed{5}. Wait, that is wrong.', [...ALL]).reason).toBe('no_committed_answer');
    expect(extractAnswer('\\boxed{3}. Or \\boxed{4}. Or \\boxed{5}.', [...ALL]).reason).toBe('no_committed_answer');
    expect(extractAnswer('Maybe the answer is 5.', [...ALL]).reason).toBe('no_committed_answer');
    // honest: a bound outside the box, prose after it, adjacent boxes as one list
    expect(extractAnswer('Zach can have at most $\\boxed{2}$ pencils left over.', [...ALL]).answer).toBe('2');
    expect(extractAnswer('So $\\boxed{49}$ has a remainder of 1 when divided by 2, 3, 4, or 6.', [...ALL]).answer).toBe('49');
    expect(extractAnswer('\\boxed{1} and \\boxed{2} and \\boxed{3}', [...ALL]).answer).toBe('1, 2, 3');
    // "or" offers alternatives: kept for the caller, which requires them all to be equal
    expect(extractAnswer('so $AB=\\frac{5}{4}$, or $\\boxed{1.25}$.', [...ALL]).alternatives).toEqual(['AB=\\frac{5}{4}']);
    expect(extractAnswer('It is 4. Or \\boxed{5}.', [...ALL]).reason).toBe('no_committed_answer');
  });
  it('boxes: nested boxes are one; 10,000 openers are scanned without recursion', () => {
    expect(extractAnswer('\\boxed{\\boxed{42}}', [...ALL]).answer).toBe('\\boxed{42}');
    expect(extractAnswer('\\boxedx'.repeat(20_000) + ' so \\boxed{5}', [...ALL]).answer).toBe('5');
    expect(extractAnswer('\\boxed'.repeat(20_000) + '. So \\boxed{5}', [...ALL]).answer).toBe('5');
    expect(extractAnswer('\\boxed{'.repeat(20_000) + '5', [...ALL]).reason).toBe('unclosed_box');
  });
  it('inline math may not cross lines; display math may', () => {
    expect(mathSpans('a $ \n 9 \n $ b').length).toBe(0);
    expect(mathSpans('a \\[ \n 9 \n \\] b')[0].content.trim()).toBe('9');
    expect(mathSpans('$ \\frac12 \\$ = 3 $')[0].content).toContain('\\$ = 3');
  });
  it('gold answers: boxes (even unclosed), doubled backslashes, else the whole string', () => {
    expect(extractGold('\\(\\boxed{1}\\) and \\(\\boxed{-2}\\).')).toBe('1, -2');
    expect(extractGold('\\\\boxed{W(n) = 1')).toBe('W(n) = 1');
    expect(extractGold('$125$ miles')).toBe('$125$ miles');
  });
});
