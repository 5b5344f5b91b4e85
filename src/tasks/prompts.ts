/**
 * Prompt formats. The built-in tiny model reads `Q: <question>=?\n` and writes
 * its response right after the newline. Real (chat) models get the question as
 * a user message with an instruction naming the answer format, rendered by the
 * model's own chat template (Jinja, as in `tokenizer_config.json`).
 */
import { Template } from '@huggingface/jinja';

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
