/** Chat-template prompts and thinking-mode detection with the real Qwen3 tokenizer and an R1-style template. */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HfTokenizer } from '../../src/model/hf-tokenizer.ts';
import { builtinTokenizer } from '../../src/model/builtin-tokenizer.ts';
import { makeJsonlTask } from '../../src/tasks/jsonl.ts';
import { withChatTemplate } from '../../src/tasks/prompts.ts';
import type { PromptOptions } from '../../src/tasks/prompts.ts';
import { qwenTokenizerDir, R1_STYLE_TEMPLATE } from '../../scripts/make-tiny-hf.ts';

let tj: Record<string, unknown>;
let tc: Record<string, unknown>;
let qwen: HfTokenizer;
let r1: HfTokenizer;
beforeAll(() => {
  const d = qwenTokenizerDir();
  tj = JSON.parse(readFileSync(path.join(d, 'tokenizer.json'), 'utf8'));
  tc = JSON.parse(readFileSync(path.join(d, 'tokenizer_config.json'), 'utf8'));
  qwen = new HfTokenizer(tj, tc);
  r1 = new HfTokenizer(tj, { ...tc, chat_template: R1_STYLE_TEMPLATE });
});

const dataTest = path.join(new URL('../..', import.meta.url).pathname, 'data', 'gsm8k-test.jsonl');
const gsm = (prompt: Partial<PromptOptions> = {}) =>
  makeJsonlTask({ name: 'gsm8k', test: dataTest, fields: { question: 'question', answer: 'answer', id: 'id' }, answerTrigger: '\n#### ', prompt: prompt as PromptOptions });
const p = { id: 'x', question: 'What is 6*7?', gold: '42' };

describe('withChatTemplate', () => {
  it('Qwen3, thinking on: the model opens <think> itself; trigger closes it and cues "#### "', () => {
    const t = withChatTemplate(gsm(), qwen);
    const s = t.formatPrompt(p);
    expect(s.startsWith('<|im_start|>user\nWhat is 6*7?\n\nSolve the problem step by step.')).toBe(true);
    expect(s.endsWith('<|im_end|>\n<|im_start|>assistant\n')).toBe(true);
    expect(t.thinking).toEqual({ openId: 151667, closeId: 151668, closeText: '</think>', startsInside: false, triggerText: '\n</think>\n\n#### ' });
    const closed = qwen.encode('<think>\nsix sevens #### 41</think>\n\n#### 42<|im_end|>');
    expect(t.answerText!(closed, qwen.decode(closed))).toBe('\n\n#### 42');
    const open = qwen.encode('<think>\nsix sevens #### 42');
    expect(t.answerText!(open, qwen.decode(open))).toBe(''); // unclosed: no answer
  });

  it('Qwen3, thinking off: the template renders an empty block and no thinking format is set', () => {
    const t = withChatTemplate(gsm({ thinking: false }), qwen);
    expect(t.formatPrompt(p).endsWith('<|im_start|>assistant\n<think>\n\n</think>\n\n')).toBe(true);
    expect(t.thinking).toBeUndefined();
    expect(t.answerText).toBeUndefined();
  });

  it('R1-style template: the prompt opens the block, responses start inside it', () => {
    const t = withChatTemplate(gsm(), r1);
    expect(t.formatPrompt(p).endsWith('<|im_start|>assistant\n<think>\n')).toBe(true);
    expect(t.thinking?.startsInside).toBe(true);
    const resp = qwen.encode('six sevens</think>\n\n#### 42');
    expect(t.answerText!(resp, qwen.decode(resp))).toBe('\n\n#### 42');
  });

  it('budget-policy suffixes go in the user turn; system and instruction options; idempotent', () => {
    const t = withChatTemplate(gsm({ system: 'Be brief.', instruction: 'Answer with "#### n".' }), qwen);
    const s = t.formatPromptWith!(p, 'Think for 64 tokens.');
    expect(s).toBe('<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhat is 6*7?\n\nAnswer with "#### n". Think for 64 tokens.<|im_end|>\n<|im_start|>assistant\n');
    expect(withChatTemplate(t, qwen)).toBe(t);
  });

  it('plain format and template-less tokenizers keep the task prompt; chat without a template is an error', () => {
    const plain = gsm({ format: 'plain' });
    expect(withChatTemplate(plain, qwen)).toBe(plain);
    const auto = gsm();
    expect(withChatTemplate(auto, builtinTokenizer)).toBe(auto);
    expect(() => withChatTemplate(gsm({ format: 'chat' }), builtinTokenizer)).toThrow(/no chat_template.*prompt.format: plain/);
  });
});
