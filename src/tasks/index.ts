/**
 * Task registry: recipes name a task by these keys (`task: { type: arith, … }`).
 * Adding a task is one module plus one line here; the recipe's `task:` schema
 * (src/recipe/sections/task.ts) is derived from it.
 */
import { z } from 'zod';
import { defineRegistry } from '../util/registry.ts';
import { makeArithTask, ArithTaskOptionsSchema } from './arith.ts';
import { makeJsonlTask, JsonlTaskOptionsSchema } from './jsonl.ts';
import type { Task } from './types.ts';

export const tasks = defineRegistry('task', {
  arith: { schema: ArithTaskOptionsSchema, make: makeArithTask as (o: z.output<typeof ArithTaskOptionsSchema>) => Task },
  jsonl: { schema: JsonlTaskOptionsSchema, make: makeJsonlTask as (o: z.output<typeof JsonlTaskOptionsSchema>) => Task },
});
export type TaskName = (typeof tasks.names)[number];

/** A validated `task:` section → the task. */
export function makeTask(spec: { type: string }): Task {
  const { type, config } = tasks.split(spec);
  return (tasks.get(type).make as (o: unknown) => Task)(config);
}

export type { Task, Problem } from './types.ts';
export { makeArithTask, generateArithSplit, sampleBaseExample, type ArithTask } from './arith.ts';
export { makeJsonlTask, JSONL_PRESETS } from './jsonl.ts';
export { arithTrace, conciseOracleLength, type TraceStyle } from './arith-traces.ts';
export { segmentResponse, segmentText } from './arith-segment.ts';
export { builtinPrompt, chatMessages, renderChatTemplate } from './prompts.ts';
