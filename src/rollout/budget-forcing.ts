/**
 * Budget forcing for evaluation (s1-style "answer now"): let the model think
 * for at most B = request.maxTokens tokens; if it has not stopped by then,
 * append the task's answer trigger (e.g. "\nAnswer:") and allow a short
 * answer of at most `answerTokens` tokens.
 *
 * Tokens spent are reported honestly:
 *   tokensSpent = thinkingTokens + answerTokensUsed
 * (all generated tokens, stop tokens included); the appended trigger is not
 * generated and is reported separately as `triggerTokens`.
 */
import { mixSeed, sampleSeed } from './sampling.ts';
import type { GenerateOptions, GenerateRequest, RolloutEngine, Sample } from './types.ts';

export interface BudgetForcingOptions {
  /** Token ids appended when the thinking budget runs out (the task's answer trigger). */
  answerTrigger: number[];
  /** Generated-token cap for the forced answer. */
  answerTokens: number;
  /** The trigger as text, spliced into `text` so extractors see it (default ''). */
  triggerText?: string;
  /** Sampling options for both phases (default greedy). */
  generate?: GenerateOptions;
}

export interface ForcedSample extends Sample {
  /** The budget ran out and the answer trigger was appended. */
  forced: boolean;
  thinkingTokens: number;
  triggerTokens: number;
  answerTokensUsed: number;
  /** thinkingTokens + answerTokensUsed. */
  tokensSpent: number;
}

/** Seed of the forced-answer phase of sample j (independent of the thinking phase's draws). */
const answerSeed = (requestSeed: number, j: number) => mixSeed(sampleSeed(requestSeed, j), 0xf0ce);

export async function generateWithBudgetForcing(
  engine: RolloutEngine,
  requests: GenerateRequest[],
  opts: BudgetForcingOptions,
): Promise<ForcedSample[][]> {
  if (!Number.isInteger(opts.answerTokens) || opts.answerTokens < 1)
    throw new Error(`budget forcing: answerTokens must be a positive integer, got ${opts.answerTokens}`);
  if (opts.answerTrigger.length === 0) throw new Error('budget forcing: answerTrigger is empty (give the task answer trigger token ids)');
  const gen = opts.generate ?? { temperature: 0 };
  const thinking = await engine.generate(requests, gen);
  // Phase 2: every truncated sample continues from prompt ‖ thinking ‖ trigger.
  const where: [number, number][] = [];
  const forcedReqs: GenerateRequest[] = [];
  thinking.forEach((samples, i) =>
    samples.forEach((s, j) => {
      if (s.finish !== 'length') return;
      where.push([i, j]);
      forcedReqs.push({
        promptIds: [...requests[i].promptIds, ...s.tokens, ...opts.answerTrigger],
        n: 1,
        maxTokens: opts.answerTokens,
        seed: answerSeed(requests[i].seed, j),
      });
    }),
  );
  const answers = forcedReqs.length > 0 ? await engine.generate(forcedReqs, gen) : [];
  const out: ForcedSample[][] = thinking.map((samples) =>
    samples.map((s) => ({ ...s, forced: false, thinkingTokens: s.tokens.length, triggerTokens: 0, answerTokensUsed: 0, tokensSpent: s.tokens.length })),
  );
  where.forEach(([i, j], k) => {
    const t = thinking[i][j];
    const a = answers[k][0];
    const merged: ForcedSample = {
      tokens: [...t.tokens, ...opts.answerTrigger, ...a.tokens],
      text: t.text + (opts.triggerText ?? '') + a.text,
      finish: a.finish,
      forced: true,
      thinkingTokens: t.tokens.length,
      triggerTokens: opts.answerTrigger.length,
      answerTokensUsed: a.tokens.length,
      tokensSpent: t.tokens.length + a.tokens.length,
    };
    if (gen.logprobs) merged.logprobs = [...(t.logprobs ?? []), ...opts.answerTrigger.map(() => NaN), ...(a.logprobs ?? [])];
    out[i][j] = merged;
  });
  return out;
}
