import { describe, expect, it } from 'vitest';
import { segmentText, segmentResponse } from '../../src/tasks/arith-segment.ts';
import { builtinTokenizer as tok } from '../../src/model/builtin-tokenizer.ts';

describe('segmentation', () => {
  it('a concise trace is all necessary', () => {
    const s = segmentText('47+38=85\n85*6=510\n#### 510');
    // "47+38=85\n" = 9 tokens, "85*6=510\n" = 9, "#### 510" = 5
    expect(s).toMatchObject({ stepTokens: 18, answerTokens: 5, redundantTokens: 0, redundantShare: 0 });
  });

  it('a direct answer is all answer', () => {
    expect(segmentText('#### 481')).toMatchObject({ stepTokens: 0, answerTokens: 5, redundantTokens: 0 });
  });

  it('verification passes are redundant, hand-counted', () => {
    const text = '12+7=19\nWait, let me double-check.\n12+7=19\nYes, that is correct.\n#### 19';
    const s = segmentText(text);
    // step: "12+7=19\n" = 8; redundant: opener 6+1, repeat 8, closer "Yes , ␣that ␣is ␣correct ." 6+1 = 22; answer "#### 19" = 4
    expect(s.stepTokens).toBe(8);
    expect(s.redundantTokens).toBe(22);
    expect(s.answerTokens).toBe(4);
    expect(s.redundantShare).toBeCloseTo(22 / 34, 10);
    const ids = tok.encode(text);
    expect(s.labels.slice(0, 8).every((l) => l === 'step')).toBe(true);
    expect(s.labels.slice(-4).every((l) => l === 'answer')).toBe(true);
  });

  it('repeated step lines in the leading run and text after the answer are redundant', () => {
    const s = segmentText('2+3=5\n2+3=5\n5*2=10\n#### 10\nWait');
    expect(s.stepTokens).toBe(6 + 7);
    expect(s.redundantTokens).toBe(6 + 1);
    expect(s.answerTokens).toBe(5); // "#### 10" and its newline
  });

  it('special tokens are labelled and not counted; a hedge before any step makes later steps redundant', () => {
    const ids = [...tok.encode('Hmm.\n3*4=12\n#### 12'), tok.eosTokenId];
    const s = segmentResponse(ids);
    expect(s.labels[s.labels.length - 1]).toBe('special');
    expect(s.stepTokens).toBe(0);
    expect(s.redundantTokens).toBe(3 + 7);
    expect(s.answerTokens).toBe(4);
  });
});
