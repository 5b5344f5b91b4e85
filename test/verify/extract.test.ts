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
    expect(extractAnswer('so $x=2$ and then $y = 3$ ok', [...ALL]).answer).toBe('y = 3');
    expect(extractAnswer('we get 12 apples and then 15 pears in total', [...ALL]).answer).toBe('15');
    expect(extractAnswer('we get 12 apples and then 15 pears in total', ['boxed', 'answer_is', 'last_math']).answer).toBeNull();
    expect(extractAnswer('the total is 1,000.99 dollars or so', ['last_number']).answer).toBe('1,000.99');
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
