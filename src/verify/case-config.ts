/**
 * Math-Verify test-case configs (data/verifier-cases.*.jsonl `config` field) → VerifyOptions.
 * `extraction: ['latex']` → the LaTeX extractors (boxed, answer phrases, last math span);
 * `['expr']` → last number / bare answer; both → all. A non-default `float_rounding` is passed
 * as `floatRounding`. `strict: false` and `allow_set_relation_comp: true` have no equivalent
 * here and are ignored (the cases needing them are counted as such by the tests and bench).
 */
import { z } from 'zod';
import type { Extractor } from './types.ts';
import type { VerifyOptions } from './verify.ts';

export const CaseConfig = z
  .object({
    harness: z.string().optional(),
    extraction: z.array(z.enum(['latex', 'expr'])).optional(),
    latex_boxed_match_priority: z.number().nullable().optional(),
    float_rounding: z.number().int().optional(),
    strict: z.boolean().optional(),
    allow_set_relation_comp: z.boolean().optional(),
  })
  .loose();
export type CaseConfig = z.infer<typeof CaseConfig>;

/** Math-Verify's default `float_rounding`. */
const DEFAULT_ROUNDING = 6;

export function optionsFromConfig(config: CaseConfig | undefined): VerifyOptions {
  if (!config) return {};
  const extractors: Extractor[] = [];
  const ex = config.extraction ?? ['latex', 'expr'];
  if (ex.includes('latex')) extractors.push('boxed', 'answer_is', 'last_math');
  if (ex.includes('expr')) extractors.push('last_number');
  const opts: VerifyOptions = { extractors };
  if (config.float_rounding !== undefined && config.float_rounding !== DEFAULT_ROUNDING) {
    opts.floatRounding = config.float_rounding;
  }
  return opts;
}

/** Whether the case depends on a Math-Verify setting that differs from its defaults. */
export function usesNonDefault(config: CaseConfig | undefined): boolean {
  if (!config) return false;
  return (
    (config.float_rounding !== undefined && config.float_rounding !== DEFAULT_ROUNDING) ||
    config.strict === false ||
    config.allow_set_relation_comp === true
  );
}
