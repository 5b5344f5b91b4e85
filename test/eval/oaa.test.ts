import { describe, expect, it } from 'vitest';
import { evaluate, anytimeScore } from '../../src/eval/evaluate.ts';
import type { ForcedOutcome } from '../../src/eval/evaluate.ts';
import { formatEvalTable } from '../../src/eval/print.ts';
import { toRecord } from '../../src/eval/records.ts';
import { oaaAuc } from '../../src/eval/stats.ts';
import { summarizeBudget } from '../../src/eval/summarize.ts';
import { toCsv } from '../../src/eval/write-results.ts';
import { charTokenizer, fakeVerify, makeFakeEngine, task } from './fakes.ts';

describe('OAA AUC in evaluation summaries', () => {
  it('equals the per-sample OptimalThinkingBench AUC at t_max = the budget (hand-computed)', () => {
    // budget 40: correct at 10 and 30 tokens, wrong at 5, correct but forced past the budget at 50
    const outcomes = [
      { correct: true, tokens: 10, truncated: false }, { correct: true, tokens: 30, truncated: false },
      { correct: false, tokens: 5, truncated: false }, { correct: true, tokens: 50, truncated: true },
    ];
    const rec = toRecord('p', 1, outcomes, 40);
    expect(rec.oaaCredit).toBeCloseTo(0.75 + 0.25, 12);
    const s = summarizeBudget(40, [rec, toRecord('q', 1, [{ correct: true, tokens: 20, truncated: false }], 40)], { bootstrap: { resamples: 50 } });
    // (0.75 + 0.25 + 0 + 0 + 0.5) / 5 samples
    expect(s.oaaAuc!.estimate).toBeCloseTo(1.5 / 5, 12);
    expect(s.oaaAuc!.estimate).toBeCloseTo(oaaAuc([...outcomes, { correct: true, tokens: 20 }], 40), 12);
    // records written without a budget (older eval files) give no OAA rather than a wrong one
    expect(summarizeBudget(40, [toRecord('p', 1, outcomes)]).oaaAuc).toBeUndefined();
  });

  it('evaluate() reports OAA AUC per budget and the anytime score; table and CSV show them', async () => {
    const r = await evaluate({
      engine: makeFakeEngine(1), task, tokenizer: charTokenizer, verify: fakeVerify, budgets: [16, 64], samplesPerProblem: 1,
      temperature: 1, bootstrap: { resamples: 50 },
      generate: async (reqs) => reqs.map((q) => [{ text: '#### 1', tokens: Math.min(q.maxTokens, 24), truncated: q.maxTokens < 24 } satisfies ForcedOutcome]),
    });
    const acc = (b: number) => r.budgets.find((x) => x.budget === b)!.accuracy.estimate;
    for (const b of r.budgets) {
      const recs = b.records;
      const expected = recs.reduce((s, x) => s + (x.correct ? Math.max(0, 1 - x.tokens / b.budget) : 0), 0) / recs.length;
      expect(b.oaaAuc!.estimate).toBeCloseTo(expected, 12);
    }
    expect(anytimeScore(r)).toBeCloseTo((acc(16) + acc(64)) / 2, 12);
    expect(formatEvalTable(r)).toMatch(/OAA AUC/);
    expect(formatEvalTable(r)).toMatch(/anytime score \(mean accuracy over budgets, uniform budget prior\): \d+\.\d%/);
    expect(toCsv(r).split('\n')[0]).toMatch(/,oaa_auc$/);
  });
});
