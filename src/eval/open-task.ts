/**
 * A Task from a recipe's `task:` section or from the `eval --task` flag:
 *   arith                      the built-in task (its fixed test split)
 *   gsm8k | math500            the shipped data (data/gsm8k-test.jsonl, math500-test.jsonl; BREVITY_DATA overrides)
 *   path/to/file.jsonl         GSM8K-style JSONL (question/answer fields)
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { JSONL_PRESETS, makeArithTask, makeJsonlTask } from '../tasks/index.ts';
import type { Task } from '../tasks/types.ts';
import type { TaskSection } from '../recipe/sections/task.ts';
import { dataDir } from '../util/data-dir.ts';


export function taskFromSection(t: TaskSection): Task {
  const { type, ...opts } = t;
  return type === 'arith' ? makeArithTask(opts as Parameters<typeof makeArithTask>[0]) : makeJsonlTask(opts as Parameters<typeof makeJsonlTask>[0]);
}

export function taskFromFlag(spec: string): Task {
  if (spec === 'arith') return makeArithTask();
  if (spec === 'gsm8k') return makeJsonlTask({ ...JSONL_PRESETS.gsm8k, fields: { ...JSONL_PRESETS.gsm8k.fields }, extractors: [...JSONL_PRESETS.gsm8k.extractors], test: join(dataDir(), 'gsm8k-test.jsonl') });
  if (spec === 'math500' || spec === 'math') return makeJsonlTask({ ...JSONL_PRESETS.math, fields: { ...JSONL_PRESETS.math.fields }, extractors: [...JSONL_PRESETS.math.extractors], test: join(dataDir(), 'math500-test.jsonl') });
  if (spec.endsWith('.jsonl')) {
    if (!existsSync(spec)) throw new Error(`--task ${spec}: file not found`);
    return makeJsonlTask({ name: spec.replace(/^.*\//, '').replace(/\.jsonl$/, ''), test: spec, extractors: ['hash', 'boxed', 'answer_is'] });
  }
  throw new Error(`--task ${spec}: expected arith, gsm8k, math500 or a .jsonl file`);
}
