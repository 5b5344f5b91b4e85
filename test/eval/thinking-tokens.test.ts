/**
 * Thinking vs answer tokens in evaluation: evaluate() summaries, the printed
 * table and the CSV report mean thinking and answer tokens per budget for
 * thinking models, and nothing extra for the others. Hand-computed.
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/eval/evaluate.ts';
import type { ForcedGenerator, ForcedOutcome } from '../../src/eval/evaluate.ts';
import { formatEvalTable } from '../../src/eval/print.ts';
import { summarizeBudget } from '../../src/eval/summarize.ts';
import { CSV_COLUMNS, THINKING_CSV_COLUMNS, toCsv } from '../../src/eval/write-results.ts';
import { charTokenizer, fakeVerify, makeFakeEngine, problems, task } from './fakes.ts';

/**
 * Problem i (of the 4 fakes), 2 samples each: sample j thinks T[i][j] tokens and answers A[i][j] (p1 wrong).
 * At the budget 64 every answer fits; at 16 the thinking is cut to min(T, 16) and the answer is forced (3 tokens).
 */
const T = [[4, 6], [10, 20], [30, 30], [0, 50]];
const A = [[2, 2], [3, 5], [4, 4], [6, 8]];
function thinkingGenerator(thinking = true): ForcedGenerator {
  return async (reqs, opts) =>
    reqs.map((r) => {
      const i = Number(charTokenizer.decode(r.promptIds)[1]);
      return [0, 1].map((j): ForcedOutcome => {
        const forced = T[i][j] + A[i][j] > r.maxTokens;
        const th = forced ? Math.min(T[i][j], r.maxTokens) : T[i][j];
        const ans = forced ? 3 : A[i][j];
        return { text: `#### ${i === 1 ? '9' : problems[i].gold}`, tokens: th + ans, truncated: forced, ...(thinking ? { thinkingTokens: th } : {}) };
      }).slice(0, r.n);
    });
}
const common = { engine: makeFakeEngine(), task, tokenizer: charTokenizer, verify: fakeVerify, budgets: [16, 64], samplesPerProblem: 2, temperature: 1, bootstrap: { resamples: 100 } } as const;

describe('thinking vs answer tokens in evaluation', () => {
  it('evaluate(): mean thinking and answer tokens per budget, adding up to mean tokens', async () => {
    const r = await evaluate({ ...common, generate: thinkingGenerator() });
    const [b16, b64] = r.budgets;
    // 64: thinking Σ = 4+6+10+20+30+30+0+50 = 150, answers Σ = 2+2+3+5+4+4+6+8 = 34 over 8 samples.
    expect(b64.meanThinkingTokens!.estimate).toBeCloseTo(150 / 8, 12);
    expect(b64.meanAnswerTokens!.estimate).toBeCloseTo(34 / 8, 12);
    // 16: forced where T + A > 16 (p1 s1, p2 s0, p2 s1, p3 s1): thinking 4+6+10+16+16+16+0+16 = 84;
    // answers 2+2+3+3+3+3+6+3 = 25.
    expect(b16.meanThinkingTokens!.estimate).toBeCloseTo(84 / 8, 12);
    expect(b16.meanAnswerTokens!.estimate).toBeCloseTo(25 / 8, 12);
    for (const b of r.budgets) expect(b.meanThinkingTokens!.estimate + b.meanAnswerTokens!.estimate).toBeCloseTo(b.meanTokens.estimate, 12);
    // A per-problem bootstrap CI around each estimate.
    expect(b64.meanThinkingTokens!.lo).toBeLessThanOrEqual(150 / 8);
    expect(b64.meanThinkingTokens!.hi).toBeGreaterThanOrEqual(150 / 8);
    expect(b64.records.map((x) => x.thinkingTokens)).toEqual([10, 30, 60, 50]);

    const table = formatEvalTable(r).split('\n');
    const head = table[0].split(/\s{2,}/);
    expect(head.slice(0, 6)).toEqual(['budget', 'accuracy %', '95% CI', 'mean tok', 'think tok', 'answer tok']);
    const row64 = table[2].trim().split(/\s{2,}/);
    expect([row64[0], row64[3], row64[4], row64[5]]).toEqual(['64', (184 / 8).toFixed(1), (150 / 8).toFixed(1), (34 / 8).toFixed(1)]);

    const csv = toCsv(r).trim().split('\n').map((l) => l.split(','));
    expect(csv[0]).toEqual([...CSV_COLUMNS, ...THINKING_CSV_COLUMNS]);
    const at = (row: string[], col: string) => Number(row[csv[0].indexOf(col)]);
    expect(at(csv[1], 'mean_thinking_tokens')).toBeCloseTo(84 / 8, 6);
    expect(at(csv[1], 'mean_answer_tokens')).toBeCloseTo(25 / 8, 6);
    expect(at(csv[2], 'mean_thinking_tokens')).toBeCloseTo(150 / 8, 6);
    expect(at(csv[2], 'mean_answer_tokens')).toBeCloseTo(34 / 8, 6);
  });

  it('non-thinking models: no thinking fields, columns or CSV columns', async () => {
    const r = await evaluate({ ...common, generate: thinkingGenerator(false) });
    for (const b of r.budgets) {
      expect(b.meanThinkingTokens).toBeUndefined();
      expect(b.meanAnswerTokens).toBeUndefined();
    }
    expect(formatEvalTable(r)).not.toMatch(/think tok|answer tok/);
    expect(toCsv(r).split('\n')[0]).toBe(CSV_COLUMNS.join(','));
  });

  it('summarizeBudget: hand-built records; a record without a thinking count means no split', () => {
    const recs = [
      { id: 'a', samples: 2, correct: 1, tokens: 30, tokensCorrect: 10, truncated: 0, thinkingTokens: 20 },
      { id: 'b', samples: 2, correct: 2, tokens: 50, tokensCorrect: 50, truncated: 1, thinkingTokens: 44 },
    ];
    const s = summarizeBudget(32, recs, { bootstrap: { resamples: 50 } });
    expect(s.meanThinkingTokens!.estimate).toBeCloseTo(64 / 4, 12);
    expect(s.meanAnswerTokens!.estimate).toBeCloseTo(16 / 4, 12);
    const mixed = summarizeBudget(32, [recs[0], { ...recs[1], thinkingTokens: undefined }]);
    expect(mixed.meanThinkingTokens).toBeUndefined();
    expect(summarizeBudget(32, []).meanThinkingTokens).toBeUndefined();
  });
});
