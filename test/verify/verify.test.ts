import { describe, expect, it } from 'vitest';
import { verify, verifyAnswer } from '../../src/verify/verify.ts';

/** [gold, pred, expected] — each line guards one normalization or equivalence rule. */
const PAIRS: [string, string, boolean][] = [
  // numbers, exact and approximate
  ['1000', '1,000', true], ['1000', '1{,}000', true], ['1000', '1\\,000', true], ['1000', '1 000', true],
  ['1000', '\\$1,000', true], ['1000.99', '1000,99', true], ['18', '18.00', true], ['-5', '5', false],
  ['\\frac{1}{3}', '0.33', false], ['\\frac{1}{3}', '0.333333', false], ['\\dfrac{3}{4}', '0.75', true], ['\\tfrac{3}{4}', '3/4', true],
  ['16386.17', '16386.16', false], ['123456789012345678901', '123456789012345678902', false],
  ['1500', '1.5 \\times 10^{3}', true], ['1500', '1.5e3', true], ['\\pi', '3.14', false], ['\\pi', '3.14159265', false],
  ['2\\sqrt{3}', '\\sqrt{12}', true], ['\\frac{\\sqrt{2}}{2}', '\\frac{1}{\\sqrt 2}', true], ['e', '2.718281828', false], ['\\frac{1}{2}', '\\sin\\frac{\\pi}{6}', true], ['3', '\\log_2 8', true],
  ['2^{100}', '2^{100}+1', false], ['10^{10^{10}}', '10^{10^{10}}+1', false],
  // percentages, degrees, units, currency
  ['25', '25\\%', true], ['0.25', '25\\%', true], ['25', '0.25', false], ['28\\%', '28 percent', true],
  ['90', '90^\\circ', true], ['125 miles', '125\\text{ miles}', true], ['12', '12 dollars', true], ['2', '2k', false], ['8', '8\\pi', false],
  // complex numbers
  ['3+4i', '4i+3', true], ['3+4i', '3-4i', false],
  // expressions with variables
  ['x^2+2x+1', '(x+1)^2', true], ['x^2+2x+1', '(x+1)^3', false], ['\\frac{x+2}{7}', '\\frac{x}{7}+\\frac{2}{7}', true],
  ['\\tan^2(y)+1', '\\sec^2(y)', true], ['x^{1000}', 'x^{1000}+1', false], ['2ab', '2ba', true],
  // equations and relations
  ['x=5', '5', true], ['5', 'x = 5', true], ['7 = 11a+c', '11a+c', false], ['2x+4y-3=0', 'y=-\\frac{1}{2}x+\\frac{3}{4}', true],
  ['x < 1', '-x > -1', true], ['x > 5', 'x < 5', false], ['x \\ge 5', 'x >= 5', true], ['0<x<1', '(0,1)', true],
  // intervals, sets, tuples, matrices
  ['[0,1)', '[0,1)', true], ['[0,1)', '[0,1]', false], ['(-\\infty, 3)', 'x < 3', true],
  ['\\{1,2\\}', '\\{2,1\\}', true], ['1,2,3', '3,2,1', true], ['(1,2)', '(2,1)', false], ['\\pm 2', '\\{-2, 2\\}', true],
  ['\\begin{pmatrix}1\\\\2\\end{pmatrix}', '\\begin{pmatrix}2\\\\1\\end{pmatrix}', false],
  ['\\begin{pmatrix}1 & 2\\\\3 & 4\\end{pmatrix}', '\\left[\\begin{array}{cc}1 & 2 \\\\ 3 & 4\\end{array}\\right]', true],
  // functions and forms models write
  ['\\binom{5}{2}', '10', true], ['\\log_2 8', '3', true], ['3', '\\log_{2}(8)', true], ['5!', '120', true],
  ['\\frac{7}{2}', '3\\frac{1}{2}', true], ['i', '\\sqrt{-1}', true], ['e^{i\\pi}', '-1', true], ['\\sin^2 x + \\cos^2 x', '1', true],
  ['y = 2x + 3', '2x + 3', true], ['x=2,y=3', '(2,3)', true], ['|x|', 'x', false], ['\\frac{x}{y}', '\\frac{y}{x}', false],
  ['(-\\infty, 2) \\cup (3, \\infty)', '(3,\\infty) \\cup (-\\infty,2)', true], ['(-\\infty, 2) \\cup (3, \\infty)', '(-\\infty,2]\\cup(3,\\infty)', false],
  // text and multiple choice
  ['\\text{Evelyn}', 'evelyn', true], ['\\text{Evelyn}', 'Briana', false], ['(B)', 'B', true], ['B', '\\text{(C)}', false],
];

describe('verifyAnswer: normalization and equivalence', () => {
  it.each(PAIRS)('gold %s vs pred %s → %s', (gold, pred, expected) => {
    const r = verifyAnswer(gold, pred);
    expect(r.correct, JSON.stringify(r)).toBe(expected);
    expect(['equal', 'not_equal']).toContain(r.reason);
  });
});

describe('verify: responses and options', () => {
  it('built-in task style: #### extractor only', () => {
    expect(verify('3 + 4 = 7\n#### 7', '7', { extractors: ['hash'] }).correct).toBe(true);
    expect(verify('the answer is 7', '7', { extractors: ['hash'] })).toMatchObject({ correct: false, reason: 'no_answer' });
  });
  it('strict mode turns off the last-number fallback', () => {
    expect(verify('I think it is 5', '5').correct).toBe(true);
    expect(verify('I think it is 5', '5', { strict: true })).toMatchObject({ correct: false, reason: 'no_answer' });
  });
  it('truncated responses count only with a complete final answer already given', () => {
    expect(verify('so \\boxed{42} and then I continue to che', '42', { truncated: true }).correct).toBe(true);
    expect(verify('The answer is 42', '42', { truncated: true })).toMatchObject({ correct: false, reason: 'truncated' });
    expect(verify('#### 4', '42', { extractors: ['hash'], truncated: true }).correct).toBe(false);
  });
  it('unclosed and empty boxes are not correct', () => {
    expect(verify('\\boxed{5', '5')).toMatchObject({ correct: false, reason: 'unclosed_box' });
    expect(verify('\\boxed{}', '5')).toMatchObject({ correct: false, reason: 'empty_box' });
  });
  it('floatRounding is opt-in', () => {
    expect(verifyAnswer('\\frac{1}{3}', '0.33').correct).toBe(false);
    expect(verifyAnswer('\\frac{1}{3}', '0.33', { floatRounding: 2 }).correct).toBe(true);
  });
  it('reports extraction and normalization', () => {
    const r = verify('Thus $\\boxed{\\frac{14}{3}}$.', '$\\frac{14}{3}$');
    expect(r).toMatchObject({ correct: true, extracted: '\\frac{14}{3}', via: 'boxed', reason: 'equal' });
    expect(r.normalized).toBe('(14)/(3)');
  });
  it('is not symmetric: gold equations need the equation; a predicted equation must be true as written', () => {
    expect(verifyAnswer('a + 3z = 0', '0').correct).toBe(false);
    expect(verifyAnswer('0', 'a + 3z = 0')).toMatchObject({ correct: false, why: expect.stringMatching(/false equation/) });
    expect(verifyAnswer('0', 'k = 0').correct).toBe(true);
  });
  it('an answer offered with "or" beside other forms counts only when every form is correct', () => {
    expect(verify('so $AB=\\frac{5}{4}=1\\frac{1}{4}$, or $\\boxed{1.25}$.', '1.25').correct).toBe(true);
    expect(verify('so $AB=\\frac{5}{3}$, or $\\boxed{1.25}$.', '1.25')).toMatchObject({ correct: false, reason: 'no_committed_answer' });
    expect(verify('\\boxed{1.25}, or $\\frac{5}{4}$.', '\\frac54').correct).toBe(true);
    expect(verify('\\boxed{1.25}, or 2.', '1.25').correct).toBe(false);
  });
  it('says why a case is rejected', () => {
    expect(verify('\\boxed{5 \\text{ thousand}}', '5').why).toBe('box holds words that change the number');
    expect(verify('\\boxed{2+2=5}', '5').why).toMatch(/^false equation/);
    expect(verify('It could be 5 or 6, then we', '5').why).toMatch(/^no committed final answer/);
    expect(verify('\\boxed{0.333333}', '\\frac13').why).toMatch(/decimal is not exactly/);
    expect(verify('\\boxed{5} or \\boxed{6}', '5').correct).toBe(false);
  });
});
