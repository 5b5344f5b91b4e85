/**
 * Budget forcing for evaluation (METHODS.md, "Accuracy at budget B"): generate
 * with cap B; a response that did not finish gets the task's answer trigger
 * appended and `answerTokens` more tokens to state an answer. Tokens spent =
 * thinking + trigger + forced answer, so a forced answer is never free.
 *
 * Written against the RolloutEngine interface so any engine works; the
 * rollout module's own `generateWithBudgetForcing` can be passed to
 * evaluate() instead through `generate`.
 */
import type { Tokenizer } from '../model/tokenizer.ts';
import type { GenerateOptions, GenerateRequest, RolloutEngine } from '../rollout/types.ts';

export interface ForcedSample {
  /** Full response text scored by the verifier (thinking + trigger + forced answer when truncated). */
  text: string;
  /** Tokens spent in total. */
  tokens: number;
  /** Hit the budget: the answer was forced. */
  truncated: boolean;
}

/** result[i][j] = sample j of request i (same contract as RolloutEngine.generate). */
export type ForcedGenerator = (requests: GenerateRequest[], opts: GenerateOptions) => Promise<ForcedSample[][]>;

export function makeBudgetForcer(engine: RolloutEngine, tokenizer: Tokenizer, answerTrigger: string, answerTokens: number): ForcedGenerator {
  const triggerIds = tokenizer.encode(answerTrigger);
  return async (requests, opts) => {
    const first = await engine.generate(requests, opts);
    const conts: GenerateRequest[] = [];
    const where: [number, number][] = [];
    first.forEach((samples, i) =>
      samples.forEach((s, j) => {
        if (s.finish !== 'length') return;
        conts.push({
          promptIds: [...requests[i].promptIds, ...s.tokens, ...triggerIds],
          n: 1,
          maxTokens: answerTokens,
          // distinct from the thinking phase's seeds, still a pure function of (seed, j)
          seed: (requests[i].seed * 31 + j + 7_919) >>> 0,
        });
        where.push([i, j]);
      }),
    );
    const forced = conts.length ? await engine.generate(conts, opts) : [];
    const out: ForcedSample[][] = first.map((samples) =>
      samples.map((s) => ({ text: s.text, tokens: s.tokens.length, truncated: false })),
    );
    where.forEach(([i, j], k) => {
      const c = forced[k][0];
      const s = first[i][j];
      out[i][j] = { text: s.text + answerTrigger + c.text, tokens: s.tokens.length + triggerIds.length + c.tokens.length, truncated: true };
    });
    return out;
  };
}
