import { describe, expect, it } from 'vitest';
import { PromptHistory } from '../../rewards/history.ts';
import { group } from './helpers.ts';

const o = (correct: boolean, length: number, step = 0) => ({ correct, length, step, truncated: false });

describe('PromptHistory', () => {
  it('window keeps the most recent outcomes', () => {
    const h = new PromptHistory({ window: 3 });
    [o(true, 10), o(false, 20), o(true, 30), o(true, 40), o(false, 50)].forEach((x) => h.record('a', x));
    expect(h.outcomes('a').map((x) => x.length)).toEqual([30, 40, 50]);
    expect(h.count('a')).toBe(3);
    expect(h.passRate('a')).toBeCloseTo(2 / 3);
    expect(h.correctLengths('a')).toEqual([30, 40]);
    expect(h.correctLengthQuantile('a', 0.5)).toBe(35);
    expect(h.correctLengthQuantile('a', 0)).toBe(30);
    expect(h.correctLengthQuantile('a', 1)).toBe(40);
  });
  it('unknown prompt / no correct', () => {
    const h = new PromptHistory();
    h.record('w', o(false, 5));
    expect(h.passRate('x')).toBeUndefined();
    expect(h.count('x')).toBe(0);
    expect(h.correctLengthQuantile('w', 0.5)).toBeUndefined();
    expect(h.passRate('w')).toBe(0);
  });
  it('LRU cap on prompts evicts the least recently written', () => {
    const h = new PromptHistory({ maxPrompts: 2 });
    h.record('a', o(true, 1));
    h.record('b', o(true, 1));
    h.passRate('b'); // reads do not change recency
    h.record('a', o(true, 2));
    h.record('c', o(true, 1));
    expect(h.size).toBe(2);
    expect(h.count('b')).toBe(0);
    expect(h.count('a')).toBe(2);
  });
  it('recordBatch records each rollout with its step and truncation', () => {
    const h = new PromptHistory();
    h.recordBatch(group(0, [[10, true], [100, false, 'length']], { promptId: 'q' }), 3);
    expect(h.outcomes('q')).toEqual([
      { correct: true, length: 10, step: 3, truncated: false },
      { correct: false, length: 100, step: 3, truncated: true },
    ]);
  });
  it('toJSON / fromJSON round-trip, and the restored store evicts the same way', () => {
    const h = new PromptHistory({ window: 2, maxPrompts: 2 });
    h.record('a', o(true, 1, 0));
    h.record('b', o(false, 2, 0));
    h.record('a', o(true, 3, 1));
    const r = PromptHistory.fromJSON(JSON.parse(JSON.stringify(h.toJSON())));
    expect(r.toJSON()).toEqual(h.toJSON());
    h.record('c', o(true, 1, 2));
    r.record('c', o(true, 1, 2));
    expect(r.toJSON()).toEqual(h.toJSON());
    expect(r.count('b')).toBe(0);
  });
  it('fromJSON rejects malformed input', () => {
    expect(() => PromptHistory.fromJSON({ version: 2 })).toThrow();
  });
});
