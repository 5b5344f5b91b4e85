export interface VerifyResult {
  correct: boolean;
  /** The final-answer string pulled from the response, or null when none was found. */
  extracted: string | null;
  /** The canonical form compared against gold, when normalization succeeded. */
  normalized: string | null;
  /** Short machine-readable reason: 'equal', 'not_equal', 'no_answer', 'truncated', 'parse_error', 'timeout', … */
  reason: string;
}

/** Which extractors apply; tasks decide (the built-in task uses only `####`). */
export type Extractor = 'boxed' | 'hash' | 'answer_is' | 'last_number';
