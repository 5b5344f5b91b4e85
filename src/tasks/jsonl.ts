/**
 * Tasks read from JSON Lines files (GSM8K, MATH-500, or any file with a
 * question and an answer field per line). The loader takes any path and a
 * field mapping; malformed lines fail with `path:line: what is wrong, how to fix`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Problem, Task } from './types.ts';
import type { Extractor } from '../verify/types.ts';
import { PromptOptionsSchema } from './prompts.ts';

export const JsonlFieldsSchema = z.strictObject({
  question: z.string().default('question'),
  answer: z.string().default('answer'),
  /** Optional: without it ids are `<name>-<split>-<line>`. */
  id: z.string().optional(),
  /** Optional difficulty field (MATH `level`); must hold an integer or a string ending in one ("Level 3"). */
  difficulty: z.string().optional(),
});

export const JsonlTaskOptionsSchema = z.strictObject({
  name: z.string().min(1).default('jsonl'),
  /** Paths of the splits; a task may have only a test split (evaluation) or only train. */
  train: z.string().optional(),
  test: z.string().optional(),
  fields: JsonlFieldsSchema.default({ question: 'question', answer: 'answer' }),
  /** GSM8K answers follow "####"; MATH answers are \boxed{}. */
  extractors: z.array(z.enum(['boxed', 'hash', 'answer_is', 'last_number'])).min(1).default(['hash']),
  answerTrigger: z.string().default('\n#### '),
  /** Prompt template; "{question}" is replaced by the question. Chat models use src/tasks/prompts.ts instead. */
  promptTemplate: z.string().default('Question: {question}\nAnswer:'),
  /** Chat models: the model's own chat template, thinking mode (see src/tasks/prompts.ts). */
  prompt: PromptOptionsSchema.default({ format: 'auto', thinking: true }),
}).refine((o) => o.train !== undefined || o.test !== undefined, 'a jsonl task needs a "train" or a "test" path');
export type JsonlTaskOptions = z.input<typeof JsonlTaskOptionsSchema>;

/** Presets for the data shipped in data/ (paths are given by the caller). */
export const JSONL_PRESETS = {
  gsm8k: { name: 'gsm8k', fields: { question: 'question', answer: 'answer', id: 'id' }, extractors: ['hash'], answerTrigger: '\n#### ' },
  math: {
    name: 'math', fields: { question: 'problem', answer: 'answer', id: 'unique_id', difficulty: 'level' },
    extractors: ['boxed'], answerTrigger: '\n\nThe final answer is $\\boxed{',
  },
} as const satisfies Record<string, Partial<JsonlTaskOptions>>;

function fieldValue(obj: Record<string, unknown>, field: string, where: string, kind: string): string {
  if (!(field in obj)) {
    throw new Error(`${where}: ${kind} field "${field}" is missing (fields present: ${Object.keys(obj).join(', ') || 'none'}); set fields.${kind} to the right one`);
  }
  const v = obj[field];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw new Error(`${where}: ${kind} field "${field}" must be a string or a number, got ${v === null ? 'null' : typeof v}`);
}

/**
 * Parse JSONL text into problems; `path` and 1-based line numbers name errors.
 * Blank lines are skipped; a UTF-8 byte-order mark (written by some Windows
 * editors) before the first line is dropped.
 */
export function parseJsonlProblems(text: string, path: string, opts: { name: string; split: string; fields: z.infer<typeof JsonlFieldsSchema> }): Problem[] {
  const { fields } = opts;
  const problems: Problem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const where = `${path}:${i + 1}`;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      throw new Error(`${where}: not valid JSON (${(e as Error).message}); each line must be one JSON object`);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      throw new Error(`${where}: expected a JSON object, got ${Array.isArray(obj) ? 'an array' : typeof obj}`);
    }
    const rec = obj as Record<string, unknown>;
    const question = fieldValue(rec, fields.question, where, 'question');
    const gold = fieldValue(rec, fields.answer, where, 'answer');
    if (question.trim() === '') throw new Error(`${where}: question field "${fields.question}" is empty`);
    const id = fields.id ? fieldValue(rec, fields.id, where, 'id') : `${opts.name}-${opts.split}-${i + 1}`;
    const p: Problem = { id, question, gold };
    if (fields.difficulty) {
      const d = fieldValue(rec, fields.difficulty, where, 'difficulty');
      const m = /(-?\d+)\s*$/.exec(d);
      if (!m) throw new Error(`${where}: difficulty field "${fields.difficulty}" = ${JSON.stringify(d)} does not end in an integer`);
      p.difficulty = Number(m[1]);
    }
    problems.push(p);
  });
  if (problems.length === 0) throw new Error(`${path}: no problems (the file is empty)`);
  return problems;
}

export function loadJsonlProblems(path: string, opts: { name: string; split: string; fields: z.infer<typeof JsonlFieldsSchema> }): Problem[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: cannot read the ${opts.split} split (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseJsonlProblems(text, path, opts);
}

export function makeJsonlTask(options: JsonlTaskOptions): Task {
  const opts = JsonlTaskOptionsSchema.parse(options);
  const cache = new Map<'train' | 'test', Problem[]>();
  const load = (split: 'train' | 'test'): Problem[] => {
    const path = opts[split];
    if (path === undefined) throw new Error(`task "${opts.name}" has no ${split} split; set "${split}:" to a JSONL path`);
    return loadJsonlProblems(path, { name: opts.name, split, fields: opts.fields });
  };
  return {
    name: opts.name,
    extractors: opts.extractors as Extractor[],
    answerTrigger: opts.answerTrigger,
    problems(split) {
      let ps = cache.get(split);
      if (ps) return ps;
      ps = load(split);
      const other = split === 'train' ? 'test' : 'train';
      if (opts[other] !== undefined) {
        // Train and test must not overlap: a shared question would leak the test set.
        const otherQs = new Set(load(other).map((p) => p.question.trim()));
        const dup = ps.find((p) => otherQs.has(p.question.trim()));
        if (dup) throw new Error(`task "${opts.name}": problem ${dup.id} appears in both the train (${opts.train}) and test (${opts.test}) files; remove it from one`);
      }
      cache.set(split, ps);
      return ps;
    },
    formatPrompt: (p) => opts.promptTemplate.replaceAll('{question}', p.question),
    prompt: opts.prompt,
  };
}
