import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ScoredRollout } from '../../rewards/types.ts';
import { MetricsWriter, quantileOf, rolloutStats, summaryLine } from '../../src/train/metrics.ts';

const r = (length: number, correct: boolean, finish: 'stop' | 'length' = 'stop', parsed: string | null = '1'): ScoredRollout => ({
  promptId: 'p', groupIndex: 0, sampleIndex: 0, tokens: new Array(length).fill(3), length, finish, correct, parsed, format: {}, budget: { cap: 100 },
});

describe('step metrics', () => {
  it('accuracy, length quantiles overall / correct / wrong, truncation and parse-failure ratios', () => {
    const m = rolloutStats([r(10, true), r(20, true), r(30, false, 'length', null), r(40, false)]);
    expect(m).toMatchObject({
      accuracy: 0.5,
      'length/mean': 25,
      'length/p50': 25,
      'length/p90': 37,
      'length/correct_mean': 15,
      'length/wrong_mean': 35,
      'length/wrong_p90': 39,
      'length/truncated_ratio': 0.25,
      'verify/parse_fail_ratio': 0.25,
    });
    expect(rolloutStats([r(5, false)])['length/correct_mean']).toBeUndefined();
    expect(quantileOf([1, 2, 3, 4], 0.5)).toBe(2.5);
  });

  it('metrics.jsonl: drops non-finite values, truncates after a step on resume, skips a torn last line', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'brevity-metrics-'));
    const w = new MetricsWriter(dir);
    w.reset();
    for (let s = 1; s <= 4; s++) w.write({ step: s, 'loss/policy': s === 2 ? NaN : s });
    appendFileSync(w.file, '{"step": 5, "loss/pol'); // a kill -9 mid-write
    w.truncateAfter(3);
    const rows = MetricsWriter.read(dir);
    expect(rows.map((x) => x.step)).toEqual([1, 2, 3]);
    expect(rows[1]['loss/policy']).toBeUndefined();
    expect(summaryLine({ step: 3, 'reward/mean': 0.5, lr: 1e-4 }, 10)).toMatch(/^step 3\/10 {2}reward 0\.500/);
  });
});
