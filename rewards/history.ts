/**
 * Per-prompt history store: each prompt's recent outcomes (correct, length),
 * bounded per prompt (a sliding window of the last `window` outcomes) and
 * overall (at most `maxPrompts` prompts; the least recently *written* prompt is
 * evicted first — reads never change recency, so reading is side-effect free
 * and a resumed run evicts exactly what an uninterrupted one would).
 *
 * Budget policies (difficulty-aware DLER, PALU) and shapers read it through
 * `PromptHistoryReader`; the trainer records each step's scored rollouts after
 * rewards are computed and saves `toJSON()` with every checkpoint.
 */
import { z } from 'zod';
import type { PromptHistoryReader, PromptOutcome, ScoredRollout } from './types.ts';
import { quantile } from './util.ts';

export const HistoryConfigSchema = z.strictObject({
  /** Outcomes kept per prompt. 32 = the last 2–4 groups at n = 8–16. */
  window: z.number().int().min(1).default(32).describe('Outcomes kept per prompt. 32 = the last 2–4 groups at n = 8–16.'),
  /** Prompts kept (LRU by last write). Bounds memory on large datasets. */
  maxPrompts: z.number().int().min(1).default(100_000).describe('Prompts kept (LRU by last write). Bounds memory on large datasets.'),
});
export type HistoryConfig = z.infer<typeof HistoryConfigSchema>;

const OutcomeSchema = z.strictObject({
  correct: z.boolean(),
  length: z.number(),
  step: z.number(),
  truncated: z.boolean(),
});

export const HistoryJSONSchema = z.strictObject({
  version: z.literal(1),
  config: HistoryConfigSchema,
  /** Prompts in LRU order, least recently written first. */
  prompts: z.array(z.tuple([z.string(), z.array(OutcomeSchema)])).describe('Prompts in LRU order, least recently written first.'),
});
export type HistoryJSON = z.infer<typeof HistoryJSONSchema>;

export class PromptHistory implements PromptHistoryReader {
  readonly config: HistoryConfig;
  private readonly byPrompt = new Map<string, PromptOutcome[]>();

  constructor(config: Partial<HistoryConfig> = {}) {
    this.config = HistoryConfigSchema.parse(config);
  }

  /** Number of prompts currently held. */
  get size(): number {
    return this.byPrompt.size;
  }

  /** Record one outcome for a prompt (moves it to most-recently-written). */
  record(promptId: string, outcome: PromptOutcome): void {
    const list = this.byPrompt.get(promptId) ?? [];
    this.byPrompt.delete(promptId);
    list.push({ ...outcome });
    if (list.length > this.config.window) list.splice(0, list.length - this.config.window);
    this.byPrompt.set(promptId, list);
    while (this.byPrompt.size > this.config.maxPrompts) {
      const oldest = this.byPrompt.keys().next().value as string;
      this.byPrompt.delete(oldest);
    }
  }

  /** Record every rollout of a scored batch, in batch order. */
  recordBatch(batch: readonly ScoredRollout[], step: number): void {
    for (const r of batch) {
      this.record(r.promptId, { correct: r.correct, length: r.length, step, truncated: r.finish === 'length' });
    }
  }

  outcomes(promptId: string): readonly PromptOutcome[] {
    return this.byPrompt.get(promptId) ?? [];
  }

  count(promptId: string): number {
    return this.byPrompt.get(promptId)?.length ?? 0;
  }

  promptIds(): string[] {
    return [...this.byPrompt.keys()];
  }

  passRate(promptId: string): number | undefined {
    const list = this.byPrompt.get(promptId);
    if (!list || list.length === 0) return undefined;
    return list.filter((o) => o.correct).length / list.length;
  }

  correctLengths(promptId: string): number[] {
    return (this.byPrompt.get(promptId) ?? []).filter((o) => o.correct).map((o) => o.length);
  }

  correctLengthQuantile(promptId: string, q: number): number | undefined {
    const ls = this.correctLengths(promptId);
    return ls.length === 0 ? undefined : quantile(ls, q);
  }

  toJSON(): HistoryJSON {
    return {
      version: 1,
      config: { ...this.config },
      prompts: [...this.byPrompt.entries()].map(([id, list]) => [id, list.map((o) => ({ ...o }))]),
    };
  }

  static fromJSON(json: unknown): PromptHistory {
    const data = HistoryJSONSchema.parse(json);
    const h = new PromptHistory(data.config);
    for (const [id, list] of data.prompts) h.byPrompt.set(id, list.map((o) => ({ ...o })));
    return h;
  }
}

/** A read-only history with nothing recorded (for tests and stateless use). */
export const emptyHistory: PromptHistoryReader = Object.freeze({
  count: () => 0,
  promptIds: () => [],
  passRate: () => undefined,
  correctLengths: () => [],
  correctLengthQuantile: () => undefined,
  outcomes: () => [],
});
