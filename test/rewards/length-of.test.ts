/** `lengthOf: thinking | response` wrapper on a length-based shaper (Kimi), hand-computed. */
import { describe, expect, it } from 'vitest';
import { withLengthOf } from '../../rewards/length-of.ts';
import { makeShaper, shapers } from '../../rewards/registry.ts';
import type { ScoredRollout } from '../../rewards/types.ts';
import { kimi } from '../../rewards/shapers/kimi.ts';
import { PromptHistory } from '../../rewards/history.ts';
import { ro, testRng } from './helpers.ts';

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

describe('lengthOf in the shaper registry', () => {
  const rng = testRng(18);
  /** Random groups with a thinking count ≤ length; some rollouts carry none. */
  function randomBatch(): ScoredRollout[] {
    const out: ScoredRollout[] = [];
    for (let g = 0; g < 3; g++) {
      const cap = rng.int(40, 200);
      for (let i = 0; i < 6; i++) {
        const length = rng.next() < 0.15 ? cap : rng.int(1, cap);
        const thinking = rng.next() < 0.9 ? { thinkingLength: rng.int(0, length) } : {};
        out.push(ro({ promptId: `p${g}`, groupIndex: g, sampleIndex: i, length, ...thinking, finish: length >= cap ? 'length' : 'stop', correct: rng.next() < 0.6, format: { hasAnswerTag: rng.next() < 0.8 }, budget: { cap, target: rng.int(5, cap) } }));
      }
    }
    return out;
  }
  /** A history in which every prompt's accuracy rose (opens lazy-length's gate) and has correct lengths (hapo, laser-d, lapo). */
  function risingHistory(): PromptHistory {
    const h = new PromptHistory({ window: 1000 }); // every step kept (the default window would drop the early ones)
    for (let step = 0; step < 12; step++) {
      const b = randomBatch().map((r) => ({ ...r, correct: rng.next() < step / 12 }));
      h.recordBatch(b, step);
    }
    return h;
  }
  const thinkingAsLength = (b: ScoredRollout[]) => b.map((r) => (r.thinkingLength === undefined ? r : { ...r, length: r.thinkingLength }));
  const LENGTH_FREE = ['correctness', 'format', 'dler'];

  it('exactly the shapers that read `length` take the key: the others ignore length, and reject it', () => {
    for (const type of shapers.names) {
      expect('lengthOf' in shapers.get(type).schema.shape, type).toBe(!LENGTH_FREE.includes(type));
    }
    for (const type of LENGTH_FREE) {
      const f = makeShaper(type);
      for (let t = 0; t < 50; t++) {
        const b = randomBatch();
        const c = { ...ctx, step: 12, history: risingHistory() };
        // Same finish/correctness, other lengths: the same rewards.
        expect(f(b.map((r) => ({ ...r, length: r.finish === 'length' ? r.length : Math.max(1, r.length - 1 - (r.sampleIndex % 3)) })), c), type).toEqual(f(b, c));
      }
      expect(() => makeShaper(type, { lengthOf: 'thinking' }), type).toThrow(/lengthOf/);
    }
  });

  it('every length-based shaper with lengthOf: thinking = the shaper on the thinking counts; default = response', () => {
    for (const type of shapers.names.filter((n) => !LENGTH_FREE.includes(n))) {
      // Configs under which length matters at step 12: thinkprune compares a finished L to its limit (below the caps
      // here), surrogate adds its length term from lengthStartStep on.
      const special: Record<string, object> = { 'grpo-lambda': { fraction: 1 }, thinkprune: { limit: 30 }, surrogate: { lengthStartStep: 0 } };
      const cfg = special[type] ?? {};
      const plain = makeShaper(type, cfg);
      const thinking = makeShaper(type, { ...cfg, lengthOf: 'thinking' });
      const response = makeShaper(type, { ...cfg, lengthOf: 'response' });
      let changed = 0;
      for (let t = 0; t < 40; t++) {
        const b = randomBatch();
        const c = { ...ctx, step: 12, history: risingHistory() };
        const want = plain(thinkingAsLength(b), c);
        expect(thinking(b, c), type).toEqual(want);
        expect(response(b, c), type).toEqual(plain(b, c));
        if (JSON.stringify(want) !== JSON.stringify(plain(b, c))) changed++;
      }
      expect(changed, `${type}: lengthOf thinking never changed a reward`).toBeGreaterThan(0);
    }
  });
});
