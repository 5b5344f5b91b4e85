/**
 * The reward service's state on disk: per-prompt history, the budget policy's
 * state and the next step. Written atomically (temp file + fsync + rename) on
 * SIGTERM/SIGINT and every `saveEvery` requests, read back on start, so a
 * restarted service scores the next request exactly as the old one would have.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { PromptHistory, HistoryJSONSchema } from '../../rewards/history.ts';
import { writeFileAtomic } from '../model/atomic.ts';
import type { RewardPipeline } from './reward-pipeline.ts';

const StateSchema = z.strictObject({
  version: z.literal(1),
  nextStep: z.number().int().nonnegative(),
  scored: z.number().int().nonnegative(),
  history: HistoryJSONSchema,
  budget: z.unknown(),
});

export function saveServeState(file: string, p: RewardPipeline): void {
  const state: z.infer<typeof StateSchema> = {
    version: 1,
    nextStep: p.nextStep,
    scored: p.scored,
    history: p.history.toJSON(),
    budget: p.parts.budget.state() ?? null,
  };
  writeFileAtomic(file, JSON.stringify(state));
}

/** Read a state file (undefined when absent); errors name the file and how to start over. */
export function readServeState(file: string): { nextStep: number; scored: number; history: PromptHistory; budget: unknown } | undefined {
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message}); move it aside to start with an empty history`);
  }
  const s = StateSchema.safeParse(json);
  if (!s.success) {
    const iss = s.error.issues[0];
    throw new Error(`${file}: ${iss.path.join('.') || 'state'}: ${iss.message}; move it aside to start with an empty history`);
  }
  return { nextStep: s.data.nextStep, scored: s.data.scored, history: PromptHistory.fromJSON(s.data.history), budget: s.data.budget };
}
