import { z } from 'zod';

/**
 * `task:` — the problems. The built-in arithmetic task is generated from a
 * seed (train/test disjoint); JSONL tasks read GSM8K/MATH-style files with a
 * field mapping.
 */
export const ArithTaskSchema = z.strictObject({
  type: z.literal('arith'),
  /** Seed of the generator; the same seed gives the same splits. */
  seed: z.number().int().default(1234),
  /** Training problems drawn per split (large enough that a run rarely repeats a prompt). */
  trainSize: z.number().int().positive().default(20000),
  /** Held-out problems (eval.testSize picks a prefix of these). */
  testSize: z.number().int().positive().default(1000),
  /** Relative weight of difficulty levels 1..5 (the base model's training mix is uniform). */
  difficultyMix: z.array(z.number().min(0)).length(5).default([1, 1, 1, 1, 1]),
});

export const JsonlTaskSchema = z.strictObject({
  type: z.literal('jsonl'),
  /** Training file (optional: evaluation-only tasks need just `test`). */
  train: z.string().optional(),
  test: z.string(),
  /** Field names in each JSON line. */
  fields: z
    .strictObject({
      question: z.string().default('question'),
      answer: z.string().default('answer'),
      difficulty: z.string().optional(),
      id: z.string().optional(),
    })
    .default({ question: 'question', answer: 'answer' }),
  /** Answer extractors, in order (GSM8K answers use `hash`, MATH `boxed`). */
  extractors: z.array(z.enum(['boxed', 'hash', 'answer_is', 'last_number'])).default(['boxed', 'hash', 'answer_is']),
  /** Prompt format: `plain` for the tiny built-in model, `chat` for HF models with a chat template. */
  template: z.enum(['plain', 'chat']).default('chat'),
});

export const TaskSchema = z.discriminatedUnion('type', [ArithTaskSchema, JsonlTaskSchema]);
export type TaskSection = z.infer<typeof TaskSchema>;
