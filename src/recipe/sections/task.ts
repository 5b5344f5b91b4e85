import { tasks } from '../../tasks/index.ts';

/**
 * `task:` — the discriminated union the task registry (src/tasks/index.ts)
 * derives: `{ type: arith, train: {size, seed, difficultyMix}, test: {…} }` or
 * `{ type: jsonl, train?, test?, fields, extractors, … }`, each the task
 * module's own options schema plus `type`.
 */
export const TaskSchema = tasks.union().superRefine((t, ctx) => {
  if (t.type === 'jsonl' && t.train === undefined && t.test === undefined) {
    ctx.addIssue({ code: 'custom', message: 'a jsonl task needs a "train" or a "test" path' });
  }
});
export type TaskSection = (typeof TaskSchema)['_output'];
