import type { Extractor } from '../verify/types.ts';
import type { ThinkingFormat } from '../model/thinking.ts';
import type { PromptOptions } from './prompts.ts';

export interface Problem {
  id: string;
  /** The question, unformatted. */
  question: string;
  gold: string;
  /** 1..5 for the built-in task; dataset level when known. */
  difficulty?: number;
  /** Built-in task only: token length of the concise reference trace. */
  conciseOracleLength?: number;
}

export interface Task {
  readonly name: string;
  /** Extractors the verifier applies to responses for this task. */
  readonly extractors: Extractor[];
  /** Text appended when budget forcing cuts a response off (e.g. "\n#### "). */
  readonly answerTrigger: string;
  problems(split: 'train' | 'test'): Problem[];
  /** The prompt text given to the model for a problem. */
  formatPrompt(p: Problem): string;
  /** The prompt with a budget policy's addition (e.g. L1's "Think for 512 tokens."); chat tasks put it in the user turn. */
  formatPromptWith?(p: Problem, suffix: string): string;
  /** How chat models are prompted (`withChatTemplate` reads it); absent = defaults. */
  readonly prompt?: PromptOptions;
  /**
   * Thinking-mode responses (set by `withChatTemplate` when the model's template
   * thinks): where the think block is and what closes it when a budget runs out.
   */
  readonly thinking?: ThinkingFormat & { triggerText: string };
  /** The part of a response the verifier reads (after `</think>`; '' when the block never closed). Default: all of it. */
  answerText?(tokens: readonly number[], text: string): string;
}
