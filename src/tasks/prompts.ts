/**
 * Prompt formats. The built-in tiny model reads `Q: <question>=?\n` and writes
 * its response right after the newline. Real (chat) models get the question as
 * a user message with an instruction naming the answer format, rendered by the
 * model's own chat template (Jinja, as in `tokenizer_config.json`), with
 * `add_generation_prompt` and, for Qwen3, `enable_thinking`.
 */
import { Template } from '@huggingface/jinja';
import { z } from 'zod';
import { answerText, splitThinking, type ThinkingFormat } from '../model/thinking.ts';
import type { ChatTokenizer, Tokenizer } from '../model/tokenizer.ts';
import type { Problem, Task } from './types.ts';

/** Built-in format for the arith task: "Q: (47+38)*6-29=?\n". */
export function builtinPrompt(question: string): string {
  return `Q: ${question}=?\n`;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** Instruction appended to questions for chat models, by answer extractor. */
export const ANSWER_INSTRUCTIONS = {
  hash: 'Solve the problem step by step. End your response with a final line of the form "#### <answer>".',
  boxed: 'Please reason step by step, and put your final answer within \\boxed{}.',
} as const;

/** The messages for a chat model: an optional system prompt, then the question and the instruction. */
export function chatMessages(question: string, opts: { instruction?: string; system?: string } = {}): ChatMessage[] {
  const instruction = opts.instruction ?? ANSWER_INSTRUCTIONS.hash;
  const messages: ChatMessage[] = [];
  if (opts.system) messages.push({ role: 'system', content: opts.system });
  messages.push({ role: 'user', content: `${question}\n\n${instruction}` });
  return messages;
}

/** `task.prompt:` — how a task prompts chat models. */
export const PromptOptionsSchema = z.strictObject({
  /**
   * `auto` (default): the model's chat template when its tokenizer has one
   * (every instruct/reasoning checkpoint), else the task's plain template;
   * `chat` requires a template; `plain` never uses one.
   */
  format: z.enum(['auto', 'chat', 'plain']).default('auto'),
  /** Thinking mode (Qwen3's `enable_thinking`; templates without it ignore it). Default on: these are reasoning models. */
  thinking: z.boolean().default(true),
  /** Optional system message. */
  system: z.string().optional(),
  /** Instruction after the question; default by the task's first extractor (ANSWER_INSTRUCTIONS). */
  instruction: z.string().optional(),
  /**
   * Appended when a budget runs out inside `<think>`: closes the block and cues
   * the answer. Default "\n</think>\n\n" + the task's answer trigger without its
   * leading newlines (GSM8K: "\n</think>\n\n#### ").
   */
  thinkingTrigger: z.string().optional(),
});
export type PromptOptions = z.infer<typeof PromptOptionsSchema>;

export interface ChatTemplateOptions {
  bosToken?: string;
  eosToken?: string;
  /** Append the assistant header so the model answers next (default true: we always prompt for a response). */
  addGenerationPrompt?: boolean;
  /** Extra template variables (e.g. `enable_thinking`). */
  extra?: Record<string, unknown>;
}

/** Render `messages` with a Hugging Face chat template string. */
export function renderChatTemplate(template: string, messages: ChatMessage[], opts: ChatTemplateOptions = {}): string {
  let t: Template;
  try {
    t = new Template(template);
  } catch (e) {
    throw new Error(`chat template does not parse: ${(e as Error).message}`);
  }
  return t.render({
    messages,
    bos_token: opts.bosToken ?? '',
    eos_token: opts.eosToken ?? '',
    add_generation_prompt: opts.addGenerationPrompt ?? true,
    ...opts.extra,
  });
}

const hasTemplate = (t: Tokenizer): t is ChatTokenizer => (t as Partial<ChatTokenizer>).hasChatTemplate === true;

/** The id of a marker that is one token in this vocabulary, else undefined. */
function singleToken(tok: Tokenizer, text: string): number | undefined {
  const ids = tok.encode(text);
  return ids.length === 1 ? ids[0] : undefined;
}

/**
 * Where thinking happens for prompts rendered as `sample`: undefined when the
 * vocabulary has no single-token `<think>`/`</think>` or when the prompt
 * already closed the block (Qwen3 with enable_thinking false renders an empty
 * one). `startsInside`: the template opened the block itself (R1-style).
 */
export function detectThinking(tok: Tokenizer, sample: string): ThinkingFormat | undefined {
  const openId = singleToken(tok, '<think>');
  const closeId = singleToken(tok, '</think>');
  if (openId === undefined || closeId === undefined) return undefined;
  const end = sample.trimEnd();
  if (end.endsWith('</think>')) return undefined;
  return { openId, closeId, closeText: '</think>', startsInside: end.endsWith('<think>') };
}

/**
 * The task as a chat model sees it: prompts rendered with the tokenizer's own
 * chat template (`task.prompt` options), thinking-mode detection and the
 * verifier reading only the answer after `</think>`. Returns the task
 * unchanged for `format: plain`, or `auto` without a template.
 */
export function withChatTemplate(task: Task, tokenizer: Tokenizer): Task {
  if (wrapped.has(task)) return task;
  const o = PromptOptionsSchema.parse(task.prompt ?? {});
  if (o.format === 'plain') return task;
  if (!hasTemplate(tokenizer)) {
    if (o.format === 'chat') throw new Error(`task ${task.name}: prompt.format is "chat" but the model's tokenizer_config.json has no chat_template (set prompt.format: plain)`);
    return task;
  }
  const instruction = o.instruction ?? (task.extractors[0] === 'boxed' ? ANSWER_INSTRUCTIONS.boxed : ANSWER_INSTRUCTIONS.hash);
  const render = (question: string, suffix?: string) =>
    tokenizer.applyChatTemplate(chatMessages(question, { instruction: suffix ? `${instruction} ${suffix}` : instruction, system: o.system }), {
      addGenerationPrompt: true,
      extra: { enable_thinking: o.thinking },
    });
  const format = o.thinking ? detectThinking(tokenizer, render('1+1?')) : undefined;
  const triggerText = o.thinkingTrigger ?? `\n</think>\n\n${task.answerTrigger.replace(/^\n+/, '')}`;
  const out: Task = {
    ...task,
    problems: (split) => task.problems(split),
    formatPrompt: (p) => render(p.question),
    formatPromptWith: (p, suffix) => render(p.question, suffix),
    ...(format
      ? {
          thinking: { ...format, triggerText },
          answerText: (tokens: readonly number[], text: string) => answerText(text, splitThinking(tokens, format), format) ?? '',
        }
      : {}),
  };
  wrapped.add(out);
  return out;
}

/** Tasks already rendered through a chat template (wrapping is idempotent). */
const wrapped = new WeakSet<Task>();

/** Where a budget policy's prompt addition goes: before the prompt's final newline (the built-in format ends "=?\n"). */
export function withSuffix(prompt: string, suffix?: string): string {
  if (!suffix) return prompt;
  return prompt.endsWith('\n') ? `${prompt.slice(0, -1)} ${suffix}\n` : `${prompt} ${suffix}`;
}

/** A problem's prompt with a budget policy's addition ("Think for 64 tokens."): in the user turn for chat tasks. */
export function promptWithSuffix(task: Task, p: Problem, suffix?: string): string {
  if (!suffix) return task.formatPrompt(p);
  return task.formatPromptWith ? task.formatPromptWith(p, suffix) : withSuffix(task.formatPrompt(p), suffix);
}
