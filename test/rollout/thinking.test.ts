/** Thinking-mode budget forcing and token accounting, on a scripted engine with hand-built responses. */
import { describe, expect, it } from 'vitest';
import { generateWithBudgetForcing } from '../../src/rollout/budget-forcing.ts';
import { answerText, splitThinking, type ThinkingFormat } from '../../src/model/thinking.ts';
import type { GenerateOptions, GenerateRequest, RolloutEngine, Sample } from '../../src/rollout/types.ts';

// A tiny vocabulary: ids → text pieces.
const EOS = 0, OPEN = 1, CLOSE = 2, HASH = 3, NL = 4, W = 5, FORTY = 6, TWO = 7;
const TEXT: Record<number, string> = { [OPEN]: '<think>', [CLOSE]: '</think>', [HASH]: '#### ', [NL]: '\n', [W]: 'hmm ', [FORTY]: '4', [TWO]: '2' };
const decode = (ids: number[]) => ids.filter((t) => t !== EOS).map((t) => TEXT[t]).join('');
const FMT: ThinkingFormat = { openId: OPEN, closeId: CLOSE, startsInside: false, closeText: '</think>' };
const TRIGGER = [NL, CLOSE, NL, NL, HASH]; // "\n</think>\n\n#### "
const ANSWER_TRIGGER = [NL, HASH];

/**
 * Scripted engine: prompt 10 → thinks `<think>` + 6 × "hmm " + "#### 42" (a decoy answer inside the block) and never closes;
 * prompt 11 → "<think> hmm hmm </think>\n#### 42" EOS (closes within budget); prompt 12 → "<think> hmm" EOS (ends unclosed);
 * prompt 13 → "<think></think>" + 8 × "hmm " (cut in the answer part). After a trigger ending in "#### " it answers "42" EOS.
 */
class Scripted implements RolloutEngine {
  readonly name = 'scripted';
  calls: GenerateRequest[][] = [];
  async generate(reqs: GenerateRequest[], _o: GenerateOptions): Promise<Sample[][]> {
    this.calls.push(reqs);
    return reqs.map((r) => {
      const p = r.promptIds;
      const full =
        p.at(-1) === HASH ? [FORTY, TWO, EOS]
        : p[0] === 10 ? [OPEN, W, W, W, W, W, W, HASH, FORTY, TWO, W, W, W]
        : p[0] === 11 ? [OPEN, W, W, CLOSE, NL, HASH, FORTY, TWO, EOS]
        : p[0] === 12 ? [OPEN, W, EOS]
        : [OPEN, CLOSE, W, W, W, W, W, W, W, W];
      const tokens = full.slice(0, r.maxTokens);
      const finish: Sample['finish'] = tokens.at(-1) === EOS ? 'stop' : 'length';
      return Array.from({ length: r.n }, () => ({ tokens, text: decode(tokens), finish }));
    });
  }
  async dispose() {}
}

const opts = { answerTrigger: ANSWER_TRIGGER, triggerText: '\n#### ', answerTokens: 4, thinking: { ...FMT, trigger: TRIGGER, triggerText: '\n</think>\n\n#### ' } };

describe('splitThinking / answerText', () => {
  it('counts the block (markers included) and the answer separately', () => {
    expect(splitThinking([OPEN, W, W, CLOSE, NL, HASH, FORTY, EOS], FMT)).toEqual({ thinkingTokens: 4, answerTokens: 4, opened: true, closed: true });
    expect(splitThinking([OPEN, W, W], FMT)).toEqual({ thinkingTokens: 3, answerTokens: 0, opened: true, closed: false });
    // No block opened: all answer.
    expect(splitThinking([W, HASH, FORTY], FMT)).toEqual({ thinkingTokens: 0, answerTokens: 3, opened: false, closed: false });
    // R1-style: the prompt opened the block, so the response starts inside it.
    expect(splitThinking([W, CLOSE, FORTY], { ...FMT, startsInside: true })).toEqual({ thinkingTokens: 2, answerTokens: 1, opened: true, closed: true });
  });

  it('an unclosed block has no answer text even if it contains one', () => {
    const toks = [OPEN, W, HASH, FORTY, TWO];
    expect(answerText(decode(toks), splitThinking(toks, FMT), FMT)).toBeNull();
    const closed = [OPEN, HASH, TWO, CLOSE, HASH, FORTY];
    expect(answerText(decode(closed), splitThinking(closed, FMT), FMT)).toBe('#### 4');
  });
});

describe('budget forcing in thinking mode', () => {
  it('closes the block and forces the answer; counts thinking and answer tokens; unclosed stop = no answer', async () => {
    const e = new Scripted();
    const out = await generateWithBudgetForcing(e, [
      { promptIds: [10], n: 1, maxTokens: 8, seed: 1 },
      { promptIds: [11], n: 1, maxTokens: 16, seed: 2 },
      { promptIds: [12], n: 1, maxTokens: 16, seed: 3 },
      { promptIds: [13], n: 1, maxTokens: 6, seed: 4 },
    ], opts);
    // 10: cut inside the block after 8 tokens (the decoy "####" at index 7 is thinking) → "\n</think>\n\n#### " then "42" EOS.
    const a = out[0][0];
    expect(a).toMatchObject({ forced: true, finish: 'stop', triggerTokens: 5, thinkingTokens: 8, answerTokensUsed: 3, tokensSpent: 11 });
    expect(a.think).toEqual({ thinkingTokens: 8, answerTokens: 3, opened: true, closed: true });
    expect(a.tokens).toEqual([OPEN, W, W, W, W, W, W, HASH, ...TRIGGER, FORTY, TWO, EOS]);
    expect(a.answer).toBe('\n\n#### 42');
    expect(e.calls[1][0].promptIds).toEqual([10, OPEN, W, W, W, W, W, W, HASH, ...TRIGGER]);
    // 11: closed on its own: not forced; 4 thinking (incl. both markers) + 5 answer (incl. EOS).
    expect(out[1][0]).toMatchObject({ forced: false, finish: 'stop', tokensSpent: 9, think: { thinkingTokens: 4, answerTokens: 5, closed: true } });
    expect(out[1][0].answer).toBe('\n#### 42');
    // 12: EOS inside the block: no answer, not forced.
    expect(out[2][0]).toMatchObject({ forced: false, finish: 'stop', answer: null, think: { opened: true, closed: false } });
    // 13: cut after the block closed: only the plain answer trigger is appended.
    const d = out[3][0];
    expect(d).toMatchObject({ forced: true, triggerTokens: 2, think: { thinkingTokens: 2, answerTokens: 4 + 3, closed: true } });
    expect(d.answer).toBe('hmm hmm hmm hmm \n#### 42');
    // Thinking + answer = all generated tokens, for every sample.
    for (const [s] of out) expect(s.think!.thinkingTokens + s.think!.answerTokens).toBe(s.tokensSpent);
  });

  it('an unclosed block at the cap is a truncation: forced, never read as an answer before forcing', async () => {
    const e = new Scripted();
    // answerTokens 1: the forced answer is itself cut ("4"), finish length: still no credit for the decoy "#### 42" in the block.
    const [[s]] = await generateWithBudgetForcing(e, [{ promptIds: [10], n: 1, maxTokens: 10, seed: 1 }], { ...opts, answerTokens: 1 });
    expect(s.forced).toBe(true);
    expect(s.finish).toBe('length');
    expect(s.answer).toBe('\n\n#### 4');
  });

  it('rejects an empty thinking trigger', async () => {
    await expect(generateWithBudgetForcing(new Scripted(), [], { ...opts, thinking: { ...opts.thinking, trigger: [] } })).rejects.toThrow(/thinking.trigger/);
  });
});
