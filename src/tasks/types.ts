import type { Extractor } from '../verify/types.ts';

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
}
