/** `lengthOf: thinking | response` wrapper on a length-based shaper (Kimi), hand-computed. */
import { describe, expect, it } from 'vitest';
import { withLengthOf } from '../../rewards/length-of.ts';
import { kimi } from '../../rewards/shapers/kimi.ts';
import { PromptHistory } from '../../rewards/history.ts';
import { ro } from './helpers.ts';

const ctx = { step: 0, logMetric: () => {}, history: new PromptHistory() };

describe('withLengthOf', () => {
  // Two correct responses: A thinks 90 and answers 10 (L 100); B thinks 20 and answers 60 (L 80).
  const batch = [ro({ length: 100, thinkingLength: 90, correct: true, sampleIndex: 0 }), ro({ length: 80, thinkingLength: 20, correct: true, sampleIndex: 1 })];
  const shaper = kimi.make({} as never);

  it('response (default): all generated tokens — B is shorter: λ_A = 0.5 − 1 = −0.5, λ_B = 0.5', () => {
    expect(withLengthOf(shaper)(batch, ctx)).toEqual([-0.5, 0.5]);
    expect(withLengthOf(shaper, 'response')(batch, ctx)).toEqual([-0.5, 0.5]);
  });

  it('thinking: only <think> tokens — still B is shorter (20 < 90), same order here', () => {
    expect(withLengthOf(shaper, 'thinking')(batch, ctx)).toEqual([-0.5, 0.5]);
  });

  it('thinking flips the ranking when the long response thought less', () => {
    // A: L 100 with 10 thinking; B: L 80 with 70 thinking. By response A is longer, by thinking B is.
    const b = [ro({ length: 100, thinkingLength: 10, correct: true }), ro({ length: 80, thinkingLength: 70, correct: true, sampleIndex: 1 })];
    expect(withLengthOf(shaper, 'response')(b, ctx)).toEqual([-0.5, 0.5]);
    expect(withLengthOf(shaper, 'thinking')(b, ctx)).toEqual([0.5, -0.5]);
    // The shaper's input is a copy: the batch itself keeps the response length.
    expect(b[0].length).toBe(100);
  });

  it('rollouts without a thinking count (non-thinking tasks) keep their length', () => {
    const b = [ro({ length: 30, correct: true }), ro({ length: 60, correct: true, sampleIndex: 1 })];
    expect(withLengthOf(shaper, 'thinking')(b, ctx)).toEqual([0.5, -0.5]);
  });
});
