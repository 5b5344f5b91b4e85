export interface VerifyResult {
  correct: boolean;
  /** The final-answer string pulled from the response, or null when none was found. */
  extracted: string | null;
  /** The canonical form compared against gold, when normalization succeeded. */
  normalized: string | null;
  /** Short machine-readable reason: 'equal', 'not_equal', 'no_answer', 'truncated', 'parse_error', 'timeout', … */
  reason: string;
  /** Which extractor produced `extracted` (added field; absent when nothing was extracted). */
  via?: Extractor;
  /** Canonical form of the gold answer (added field, for `--explain`). */
  goldNormalized?: string | null;
  /**
   * Why the answer was rejected, in words (for `--explain`): "box holds words that change the
   * number", "false equation", "no committed final answer: …", "a decimal is not exactly …".
   */
  why?: string;
}

/**
 * Which extractors apply; tasks decide (the built-in task uses only `####`).
 * `last_math` (added) is the last `$…$` / `\(…\)` / `\[…\]` span, Math-Verify's latex fallback.
 */
export const EXTRACTORS = ['boxed', 'hash', 'answer_is', 'last_math', 'last_number'] as const;
export type Extractor = (typeof EXTRACTORS)[number];
