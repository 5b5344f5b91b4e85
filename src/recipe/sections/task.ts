import { z } from 'zod';
import { ArithTaskOptionsSchema } from '../../tasks/arith.ts';
import { JsonlTaskOptionsSchema } from '../../tasks/jsonl.ts';

/**
 * `task:` — a discriminated union over the task registry (src/tasks/index.ts):
 * `{ type: arith, train: {size, seed, difficultyMix}, test: {…} }` or
 * `{ type: jsonl, train?, test?, fields, extractors, … }`. Each option is the
 * task module's own options schema plus `type`.
 */
export const TaskSchema = z.discriminatedUnion('type', [
  ArithTaskOptionsSchema.extend({ type: z.literal('arith') }),
  z
    .strictObject({ type: z.literal('jsonl'), ...JsonlTaskOptionsSchema.shape })
    .refine((o) => o.train !== undefined || o.test !== undefined, { message: 'a jsonl task needs a "train" or a "test" path' }),
]);
export type TaskSection = z.infer<typeof TaskSchema>;
