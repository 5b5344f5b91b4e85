/**
 * Shared types of the method library: scored rollouts, reward shapers, budget
 * policies and the read side of the per-prompt history store.
 *
 * A method (docs/methods.md) is a *combination* of these parts chosen in a recipe;
 * nothing in the trainer branches on a method's name.
 */

/** One sampled response after verification: everything a reward shaper may look at. */
export interface ScoredRollout {
  /** Stable id of the prompt (problem) this response answers; keys the history store. */
  promptId: string;
  /**
   * Which group of the batch this response belongs to (one group = one prompt ×
   * n samples). Group-level shapers group by this index, so it must be unique
   * per group within the batch passed to a shaper (not merely per prompt id).
   */
  groupIndex: number;
  /** Index of this sample inside its group (0..n-1). */
  sampleIndex: number;
  /** Generated token ids (the completion only, no prompt). */
  tokens: number[];
  /** Generated length in tokens (never characters). */
  length: number;
  /**
   * Thinking-mode tasks only: generated tokens inside the `<think>` block
   * (`length − thinkingLength` is the answer). Shapers measure `length` unless
   * wrapped with `withLengthOf(shaper, 'thinking')` (rewards/length-of.ts).
   */
  thinkingLength?: number;
  /** `length` = hit the token cap without a stop token (truncated). */
  finish: 'stop' | 'length';
  /** Whether the verifier accepted the final answer. */
  correct: boolean;
  /** The extracted final answer; null = no answer could be parsed (parse failure). */
  parsed: string | null;
  /** Format flags computed by the task/verifier, e.g. `{ hasAnswerTag: true }`. */
  format: Record<string, boolean>;
  /** The budget this response was generated under (from the budget policy). */
  budget: { cap: number; target?: number };
  /** The prompt's difficulty when known (1..5 for the built-in task). */
  difficulty?: number;
}

/** One recorded outcome of a prompt in the history store. */
export interface PromptOutcome {
  correct: boolean;
  length: number;
  /** Training step the outcome was recorded at. */
  step: number;
  /** Whether the response was truncated at its cap. */
  truncated: boolean;
}

/** Read access to the per-prompt history (see `rewards/history.ts`). */
export interface PromptHistoryReader {
  /** Number of recorded outcomes for the prompt (bounded by the window). */
  count(promptId: string): number;
  /** Every prompt with recorded outcomes, least recently written first. */
  promptIds(): string[];
  /** Fraction correct over the recorded outcomes; undefined when none are recorded. */
  passRate(promptId: string): number | undefined;
  /** Lengths of the recorded correct outcomes, oldest first. */
  correctLengths(promptId: string): number[];
  /**
   * Quantile `q ∈ [0,1]` of the recorded correct lengths (linear interpolation
   * between order statistics, numpy's default); undefined when none are correct.
   */
  correctLengthQuantile(promptId: string, q: number): number | undefined;
  /** The recorded outcomes, oldest first. */
  outcomes(promptId: string): readonly PromptOutcome[];
}

/** What a shaper receives besides the batch. */
export interface ShaperContext {
  /** Current training step (0-based). */
  step: number;
  /** Report a metric; use namespaced names such as `reward/<shaper>/<what>`. */
  logMetric(name: string, value: number): void;
  /** Per-prompt history of outcomes recorded *before* this batch. */
  history: PromptHistoryReader;
}

/**
 * A reward shaper: a pure function of the whole batch (so group- and
 * batch-level shapers see what they need). Returns one value per rollout in
 * batch order; `null` = this shaper opts out for that rollout (see
 * `combineRewards` for how nulls are combined). No I/O.
 */
export type Shaper = (batch: readonly ScoredRollout[], ctx: ShaperContext) => (number | null)[];

/** A budget policy's decision for one prompt at one step. */
export interface BudgetDecision {
  /** Token cap for generation (rollouts finishing here are `finish: 'length'`). */
  cap: number;
  /** Length target the rewards aim at (L1, curriculum), when the method has one. */
  target?: number;
  /** Text to append to the prompt, e.g. L1's "Think for 512 tokens." */
  promptSuffix?: string;
}

/** The prompt as seen by a budget policy. */
export interface BudgetPrompt {
  id: string;
  difficulty?: number;
}

/**
 * A budget policy: decides each prompt's cap/target per step. Deterministic
 * given its config (and seed); `state()`/`loadState()` round-trip everything
 * needed for a resumed run to continue identically. Calling `budgetFor` twice
 * for the same prompt and step returns the same decision without consuming
 * randomness or changing state again.
 */
export interface BudgetPolicy {
  budgetFor(prompt: BudgetPrompt, step: number, history: PromptHistoryReader): BudgetDecision;
  state(): unknown;
  loadState(s: unknown): void;
}
