import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/eval/evaluate.ts';
import { writeEvalResult } from '../../src/eval/write-results.ts';
import { formatBeforeAfter, formatEvalTable } from '../../src/eval/print.ts';
import { charTokenizer, fakeVerify, makeFakeEngine, task } from './fakes.ts';

describe('evaluate', () => {
  it('computes the accuracy–tokens curve with budget forcing (hand-computed)', async () => {
    const engine = makeFakeEngine();
    const r = await evaluate({
      engine, task, tokenizer: charTokenizer, verify: fakeVerify, budgets: [16, 64], samplesPerProblem: 2, temperature: 1, passK: [1, 2], bootstrap: { resamples: 200 },
    });
    const [b16, b64] = r.budgets;
    // lengths 11, 16, 26, 46; at 16: p2, p3 forced (16 thinking + 1 answer = 17; the trigger is not generated); p2's forced answer right
    expect(b16.accuracy.estimate).toBeCloseTo(0.5, 12);
    expect(b16.meanTokens.estimate).toBeCloseTo((11 + 16 + 17 + 17) / 4, 12);
    expect(b16.meanTokensCorrect.estimate).toBeCloseTo((11 + 17) / 2, 12);
    expect(b16.meanTokensWrong.estimate).toBeCloseTo((16 + 17) / 2, 12);
    expect(b16.truncationRate.estimate).toBeCloseTo(0.5, 12);
    expect(b16.accuracyPer1k).toBeCloseTo((0.5 / 15.25) * 1000, 9);
    expect(b16.passAtK).toEqual({ '1': 0.5, '2': 0.5 });
    expect(b16.samples).toBe(8);
    expect(b64.accuracy.estimate).toBeCloseTo(0.75, 12);
    expect(b64.meanTokens.estimate).toBeCloseTo((11 + 16 + 26 + 46) / 4, 12);
    expect(b64.truncationRate.estimate).toBe(0);
    expect(b16.byDifficulty).toEqual([
      { difficulty: 1, problems: 2, accuracy: 0.5, meanTokens: 13.5, truncationRate: 0 },
      { difficulty: 2, problems: 2, accuracy: 0.5, meanTokens: 17, truncationRate: 1 },
    ]);
    expect(b16.accuracy.lo).toBeLessThanOrEqual(0.5);
    expect(b16.accuracy.hi).toBeGreaterThanOrEqual(0.5);
  });

  it('seeds depend on problem and budget only, so arms share them', async () => {
    const a = makeFakeEngine(1);
    const b = makeFakeEngine(0.5);
    for (const engine of [a, b]) await evaluate({ engine, task, tokenizer: charTokenizer, verify: fakeVerify, budgets: [32], samplesPerProblem: 1, temperature: 1 });
    expect(a.calls[0].map((r) => r.seed)).toEqual(b.calls[0].map((r) => r.seed));
    expect(new Set(a.calls[0].map((r) => r.seed)).size).toBe(4);
  });

  it('compares against a named base (length reduction, ΔAcc, AES) and writes JSON + CSV', async () => {
    const common = { task, tokenizer: charTokenizer, verify: fakeVerify, budgets: [64], samplesPerProblem: 1, temperature: 1 } as const;
    const base = await evaluate({ ...common, engine: makeFakeEngine(1), model: 'base' });
    const short = await evaluate({ ...common, engine: makeFakeEngine(0.5), base, model: 'short' });
    const v = short.budgets[0].vsBase!;
    // thinking halves: lengths 9 (round 2.5→3 +6), 11, 16, 26 vs 11, 16, 26, 46
    const L = (3 + 6 + 5 + 6 + 10 + 6 + 20 + 6) / 4;
    expect(v.base).toBe('base');
    expect(v.lengthReduction).toBeCloseTo((24.75 - L) / 24.75, 12);
    expect(v.accuracyDelta).toBeCloseTo(0, 12);
    expect(v.aes).toBeCloseTo((24.75 - L) / 24.75, 12);
    const ba = formatBeforeAfter(base, short).split('\n');
    expect(ba[0].split(/\s{2,}/)).toEqual(['budget', 'acc % base', 'acc % short', 'Δacc pts', 'tokens base', 'tokens short', 'length −%']);
    expect(ba[1].trim().split(/\s+/)).toEqual(['64', '75.0', '75.0', '0.0', '24.8', L.toFixed(1), ((100 * (24.75 - L)) / 24.75).toFixed(1)]);
    expect(formatEvalTable(short)).toMatch(/len −% vs base/);
    const dir = mkdtempSync(join(tmpdir(), 'brevity-eval-'));
    writeEvalResult(join(dir, 'eval'), short);
    const json = JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8'));
    expect(json.budgets[0].records).toHaveLength(4);
    const csv = readFileSync(join(dir, 'eval.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(2);
    expect(csv[0].split(',')[1]).toBe('budget');
    expect(csv[1].split(',').slice(0, 2)).toEqual(['short', '64']);
  });
});
