/**
 * Task registry: recipes name a task by these keys (`task: { type: arith, … }`).
 */
import { makeArithTask, ArithTaskOptionsSchema } from './arith.ts';
import { makeJsonlTask, JsonlTaskOptionsSchema } from './jsonl.ts';

export const tasks = {
  arith: { schema: ArithTaskOptionsSchema, make: makeArithTask },
  jsonl: { schema: JsonlTaskOptionsSchema, make: makeJsonlTask },
} as const;
export type TaskName = keyof typeof tasks;

export type { Task, Problem } from './types.ts';
export { makeArithTask, generateArithSplit, sampleBaseExample, type ArithTask } from './arith.ts';
export { makeJsonlTask, JSONL_PRESETS } from './jsonl.ts';
export { arithTrace, conciseOracleLength, type TraceStyle } from './arith-traces.ts';
export { segmentResponse, segmentText } from './arith-segment.ts';
export { builtinPrompt, chatMessages, renderChatTemplate } from './prompts.ts';
