import { PromptHistory } from '../../rewards/history.ts';
import type { PromptHistoryReader, ScoredRollout, ShaperContext } from '../../rewards/types.ts';

/** A rollout with test defaults; `length` and `correct` are what most tests vary. */
export function ro(p: Partial<ScoredRollout> & { length: number }): ScoredRollout {
  return {
    promptId: `p${p.groupIndex ?? 0}`,
    groupIndex: 0,
    sampleIndex: 0,
    tokens: [],
    finish: 'stop',
    correct: false,
    parsed: '1',
    format: {},
    budget: { cap: 100 },
    ...p,
  };
}

/** A group of rollouts from `[length, correct, finish?]` triples. */
export function group(
  groupIndex: number,
  specs: [number, boolean, ('stop' | 'length')?][],
  extra: Partial<ScoredRollout> = {},
): ScoredRollout[] {
  return specs.map(([length, correct, finish], sampleIndex) =>
    ro({ groupIndex, sampleIndex, length, correct, finish: finish ?? 'stop', ...extra }),
  );
}

export interface TestCtx extends ShaperContext {
  metrics: Record<string, number>;
}

export function ctx(step = 0, history: PromptHistoryReader = new PromptHistory()): TestCtx {
  const metrics: Record<string, number> = {};
  return { step, history, metrics, logMetric: (k, v) => (metrics[k] = v) };
}

/** Small seeded generator for property tests (mulberry32). */
export function testRng(seed: number): { next(): number; int(lo: number, hi: number): number } {
  let s = seed >>> 0;
  const next = () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)) };
}

export function expectClose(actual: readonly (number | null)[], expected: readonly (number | null)[], digits = 6): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ ${expected.length}: ${JSON.stringify(actual)}`);
  actual.forEach((a, i) => {
    const e = expected[i];
    if (e === null || a === null) {
      if (a !== e) throw new Error(`[${i}] expected ${e}, got ${a} in ${JSON.stringify(actual)}`);
      return;
    }
    if (Math.abs(a - e) > Math.pow(10, -digits) / 2) throw new Error(`[${i}] expected ${e}, got ${a} in ${JSON.stringify(actual)}`);
  });
}
