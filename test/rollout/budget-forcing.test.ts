import { describe, expect, it } from 'vitest';
import { generateWithBudgetForcing } from '../../src/rollout/budget-forcing.ts';
import type { GenerateOptions, GenerateRequest, RolloutEngine, Sample } from '../../src/rollout/types.ts';

const EOS = 0, TRIG = [90, 91];
/**
 * Scripted engine: after the trigger it answers [7, 7, 7, EOS]; otherwise it
 * "thinks" with token 50 for (seed % 10) + 2 tokens and then emits EOS.
 */
class Scripted implements RolloutEngine {
  readonly name = 'scripted';
  calls: GenerateRequest[][] = [];
  async generate(reqs: GenerateRequest[], _o: GenerateOptions): Promise<Sample[][]> {
    this.calls.push(reqs);
    return reqs.map((r) =>
      Array.from({ length: r.n }, () => {
        const answering = r.promptIds.at(-1) === TRIG[1];
        const full = answering ? [7, 7, 7, EOS] : [...new Array((r.seed % 10) + 2).fill(50), EOS];
        const tokens = full.slice(0, r.maxTokens);
        const finish = tokens.at(-1) === EOS ? 'stop' : 'length';
        return { tokens, text: tokens.filter((t) => t !== EOS).map((t) => String.fromCharCode(t)).join(''), finish } as Sample;
      }),
    );
  }
  async dispose() {}
}

describe('generateWithBudgetForcing', () => {
  it('forces an answer only when the budget runs out and counts tokens honestly', async () => {
    const e = new Scripted();
    const reqs = [
      { promptIds: [1, 2], n: 1, maxTokens: 5, seed: 1 }, // thinks 3 + EOS = 4 ≤ 5: natural stop
      { promptIds: [3], n: 1, maxTokens: 5, seed: 8 }, // thinks 10: forced after 5
      { promptIds: [4], n: 1, maxTokens: 6, seed: 9 }, // thinks 11: forced, answer capped at 2
    ];
    const out = await generateWithBudgetForcing(e, reqs, { answerTrigger: TRIG, answerTokens: 4, triggerText: '|A:' });
    expect(out[0][0]).toMatchObject({ forced: false, thinkingTokens: 4, tokensSpent: 4, triggerTokens: 0, finish: 'stop' });
    expect(out[1][0]).toMatchObject({ forced: true, thinkingTokens: 5, triggerTokens: 2, answerTokensUsed: 4, tokensSpent: 9, finish: 'stop' });
    expect(out[1][0].tokens).toEqual([50, 50, 50, 50, 50, 90, 91, 7, 7, 7, EOS]);
    expect(out[1][0].text).toBe('22222|A:\u0007\u0007\u0007');
    // The second phase saw prompt ‖ thinking ‖ trigger with the answer cap.
    expect(e.calls[1]).toHaveLength(2);
    expect(e.calls[1][0].promptIds).toEqual([3, 50, 50, 50, 50, 50, 90, 91]);
    expect(e.calls[1][0].maxTokens).toBe(4);
    const short = await generateWithBudgetForcing(e, [reqs[2]], { answerTrigger: TRIG, answerTokens: 2 });
    expect(short[0][0]).toMatchObject({ forced: true, thinkingTokens: 6, answerTokensUsed: 2, tokensSpent: 8, finish: 'length' });
  });

  it('rejects an empty trigger or a non-positive answer cap', async () => {
    await expect(generateWithBudgetForcing(new Scripted(), [], { answerTrigger: [], answerTokens: 3 })).rejects.toThrow(/answerTrigger/);
    await expect(generateWithBudgetForcing(new Scripted(), [], { answerTrigger: TRIG, answerTokens: 0 })).rejects.toThrow(/answerTokens/);
  });
});
