/**
 * Budget forcing for evaluation (s1-style "answer now"): let the model think
 * for at most B = request.maxTokens tokens; if it has not stopped by then,
 * append the task's answer trigger (e.g. "\nAnswer:") and allow a short
 * answer of at most `answerTokens` tokens.
 *
 * Thinking models (`thinking` set, see thinking.ts): when the budget runs out
 * inside the `<think>` block, the appended text is `thinkingTrigger` — by
 * default "\n</think>\n\n" followed by the answer trigger — which closes the
 * block and cues the answer; when it runs out after the block closed, only
 * the answer trigger is appended. A block the model ends (EOS) without closing
 * has no answer and is not forced.
 *
 * Tokens spent are reported honestly:
 *   tokensSpent = phase-1 tokens + answerTokensUsed = think.thinkingTokens + think.answerTokens
 * (all generated tokens, stop tokens included); the appended trigger is not
 * generated and is reported separately as `triggerTokens`.
 */
import { mixSeed, sampleSeed } from './sampling.ts';
import { answerText, isUnclosed, splitThinking, type ThinkingFormat, type ThinkingSplit } from '../model/thinking.ts';
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
  /** Thinking-mode responses: close the think block before forcing the answer. */
  thinking?: ThinkingFormat & {
    /** Ids appended when the budget runs out inside the block (default: "\n</think>\n\n" + the answer trigger, encoded by the caller). */
    trigger: number[];
    /** Its text (spliced into `text`). */
    triggerText: string;
  };
}

export interface ForcedSample extends Sample {
  /** The budget ran out and the answer trigger was appended. */
  forced: boolean;
  /** Tokens generated before forcing (all of them when not forced). */
  thinkingTokens: number;
  triggerTokens: number;
  answerTokensUsed: number;
  /** thinkingTokens + answerTokensUsed. */
  tokensSpent: number;
  /** Thinking mode only: the generated tokens split at `</think>` (forced trigger excluded). */
  think?: ThinkingSplit;
  /**
   * The text the verifier reads: the response after the think block
   * (null = the block never closed: no answer), or all of `text` without thinking mode.
   */
  answer: string | null;
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
  const th = opts.thinking;
  if (th && th.trigger.length === 0) throw new Error('budget forcing: thinking.trigger is empty (e.g. the ids of "\\n</think>\\n\\n#### ")');
  const gen = opts.generate ?? { temperature: 0 };
  const thinking = await engine.generate(requests, gen);
  // Phase 2: every truncated sample continues from prompt ‖ generated ‖ trigger.
  const where: [number, number, number[], string][] = [];
  const forcedReqs: GenerateRequest[] = [];
  thinking.forEach((samples, i) =>
    samples.forEach((s, j) => {
      if (s.finish !== 'length') return;
      const inside = th !== undefined && isUnclosed(splitThinking(s.tokens, th));
      const [trig, trigText] = inside ? [th.trigger, th.triggerText] : [opts.answerTrigger, opts.triggerText ?? ''];
      where.push([i, j, trig, trigText]);
      forcedReqs.push({
        promptIds: [...requests[i].promptIds, ...s.tokens, ...trig],
        n: 1,
        maxTokens: opts.answerTokens,
        seed: answerSeed(requests[i].seed, j),
      });
    }),
  );
  const answers = forcedReqs.length > 0 ? await engine.generate(forcedReqs, gen) : [];
  const out: ForcedSample[][] = thinking.map((samples) =>
    samples.map((s) => {
      const base = { ...s, forced: false, thinkingTokens: s.tokens.length, triggerTokens: 0, answerTokensUsed: 0, tokensSpent: s.tokens.length };
      if (!th) return { ...base, answer: s.text };
      const think = splitThinking(s.tokens, th);
      return { ...base, think, answer: answerText(s.text, think, th) };
    }),
  );
  where.forEach(([i, j, trig, trigText], k) => {
    const t = thinking[i][j];
    const a = answers[k][0];
    const text = t.text + trigText + a.text;
    const merged: ForcedSample = {
      tokens: [...t.tokens, ...trig, ...a.tokens],
      text,
      finish: a.finish,
      forced: true,
      thinkingTokens: t.tokens.length,
      triggerTokens: trig.length,
      answerTokensUsed: a.tokens.length,
      tokensSpent: t.tokens.length + a.tokens.length,
      answer: text,
    };
    if (th) {
      const s1 = splitThinking(t.tokens, th);
      // The trigger closed the block when it was open; the forced answer is answer either way.
      merged.think = { ...s1, closed: s1.opened, answerTokens: s1.answerTokens + a.tokens.length };
      merged.answer = answerText(text, merged.think, th);
    }
    if (gen.logprobs) merged.logprobs = [...(t.logprobs ?? []), ...trig.map(() => NaN), ...(a.logprobs ?? [])];
    out[i][j] = merged;
  });
  return out;
}
