/**
 * The verifier's public entry points. Both are synchronous and never throw.
 *
 *   verify(response, gold, opts)   extract the final answer from a full response, then compare
 *   verifyAnswer(gold, pred, opts) compare two already-extracted answers
 *
 * Pipeline: extract (extract.ts) → LaTeX cleanup (latex.ts) → answer tree (structure.ts) →
 * equivalence (compare.ts), with mathjs used only to parse, through a restricted instance
 * (safe-math.ts). Gold answers are cached (a rollout group shares one gold).
 */
import { DEFAULT_EXTRACTORS, extractAnswer, extractGold } from './extract.ts';
import { latexToPlain } from './latex.ts';
import { parseAnswer, show, type Answer } from './structure.ts';
import { clearAstCache, eqAnswer, Timeout, type CompareContext } from './compare.ts';
import type { Extractor, VerifyResult } from './types.ts';
import { parseDecimal } from './rational.ts';

export interface VerifyOptions {
  /** Which extractors apply (default: all; the built-in task passes ['hash']). */
  extractors?: Extractor[];
  /** Strict mode: no last-number fallback. */
  strict?: boolean;
  /**
   * The rollout hit its token cap. Decision: it is correct only if a *complete* final answer
   * was already given — a closed \boxed{} or a `####` line ended by a newline; phrases and
   * fallbacks are not trusted, since they may be cut mid-answer.
   */
  truncated?: boolean;
  /** Time bound of one check (default 100 ms; typical checks take well under 1 ms). */
  timeoutMs?: number;
  /**
   * The only numeric tolerance, off by default: also accept numbers equal after rounding to
   * this many decimals (Math-Verify's `float_rounding`). Without it equality is exact: a
   * decimal equals a value only when it is exactly that value (0.333333 ≠ 1/3, 3.1416 ≠ π).
   */
  floatRounding?: number;
}

/** Longest extracted answer that is parsed at all (longer ones: string equality only). */
const MAX_ANSWER_CHARS = 20_000;
/** Longest extracted answer cleaned up at all. */
const MAX_LATEX_CHARS = 200_000;

/**
 * Candidate readings of one answer string. "1000,99" is also read with a decimal comma and
 * "1 000" with a space thousands separator; any reading may match.
 */
function readings(raw: string): Answer[] {
  // LaTeX cleanup is linear, so it runs on long inputs (10,000 nested boxes shrink to one).
  if (raw.length > MAX_LATEX_CHARS) return [{ t: 'text', s: raw }];
  const plain = latexToPlain(raw);
  if (plain.length > MAX_ANSWER_CHARS) return [{ t: 'text', s: plain }];
  const out: Answer[] = [];
  const dot = plain.replace(/^(-?[1-9]\d{0,2}(?:,\d{3})+)(\.\d+)?$/, (_m, a: string, b = '') => a.replace(/,/g, '') + b);
  const spaced = /^-?[1-9]\d{0,2}(?: \d{3})+(?:\.\d+)?$/.test(plain) ? plain.replace(/ /g, '') : dot;
  out.push(parseAnswer(spaced));
  if (/^-?\d+,\d+$/.test(spaced)) out.push(parseAnswer(spaced.replace(',', '.')));
  return out;
}

const goldCache = new Map<string, { raw: string; answers: Answer[] }>();
function goldReadings(gold: string): { raw: string; answers: Answer[] } {
  let hit = goldCache.get(gold);
  if (!hit) {
    const raw = extractGold(gold);
    hit = { raw, answers: readings(raw) };
    if (goldCache.size > 5_000) goldCache.clear();
    goldCache.set(gold, hit);
  }
  return hit;
}

/** Drop the gold and parse caches (benchmarks measure cold checks). */
export function clearCaches(): void {
  goldCache.clear();
  clearAstCache();
}

const PLAIN = /^\s*\$?\s*(-?\d+(?:\.\d+)?)\s*\$?\s*$/;

function compare(gold: string, pred: string, extracted: string, opts: VerifyOptions, via?: Extractor): VerifyResult {
  // Fast path: both plain integers/decimals (GSM8K) — exact BigInt comparison, no parsing.
  const gp = PLAIN.exec(gold);
  const pp = gp && PLAIN.exec(pred);
  if (gp && pp && opts.floatRounding === undefined) {
    const a = parseDecimal(gp[1]);
    const b = parseDecimal(pp[1]);
    if (a && b) {
      const correct = a.n === b.n && a.d === b.d;
      const r: VerifyResult = { correct, extracted, normalized: pp[1], reason: correct ? 'equal' : 'not_equal', via, goldNormalized: gp[1] };
      if (!correct) r.why = 'a different number (compared exactly)';
      return r;
    }
  }
  const deadline = performance.now() + (opts.timeoutMs ?? 100);
  const g = goldReadings(gold);
  let normalized: string | null = null;
  let goldNormalized: string | null = null;
  try {
    const ps = readings(pred);
    normalized = show(ps[0]);
    goldNormalized = show(g.answers[0]);
    if (g.raw.trim() === pred.trim() && pred.trim() !== '') {
      return { correct: true, extracted, normalized, reason: 'equal', via, goldNormalized };
    }
    const ctx: CompareContext = { deadline, floatRounding: opts.floatRounding };
    for (const ga of g.answers) for (const pa of ps) {
      if (eqAnswer(ga, pa, ctx)) return { correct: true, extracted, normalized, reason: 'equal', via, goldNormalized };
    }
    return { correct: false, extracted, normalized, reason: 'not_equal', via, goldNormalized, why: ctx.why ?? 'different value' };
  } catch (e) {
    const reason = e instanceof Timeout ? 'timeout' : 'error';
    const why = e instanceof Timeout ? 'the check exceeded its time bound' : 'the answer could not be read';
    return { correct: false, extracted, normalized, reason, via, goldNormalized, why };
  }
}

export function verify(response: string, gold: string, opts: VerifyOptions = {}): VerifyResult {
  try {
    if (typeof response !== 'string' || typeof gold !== 'string') {
      return { correct: false, extracted: null, normalized: null, reason: 'no_answer' };
    }
    let extractors: readonly Extractor[] = opts.extractors ?? DEFAULT_EXTRACTORS;
    if (opts.strict) extractors = extractors.filter((e) => e !== 'last_number');
    const ex = extractAnswer(response, extractors, opts.truncated ?? false);
    if (ex.answer === null) {
      const reason = opts.truncated && ex.reason === 'no_answer' ? 'truncated' : ex.reason;
      return { correct: false, extracted: null, normalized: null, reason, why: ex.why ?? 'no final answer found' };
    }
    const r = compare(gold, ex.answer, ex.answer, opts, ex.via);
    // An answer offered with "or" beside other forms counts only if every form is correct.
    for (const alt of ex.alternatives ?? []) {
      if (!r.correct) break;
      if (!compare(gold, alt, alt, opts).correct) {
        return { ...r, correct: false, reason: 'no_committed_answer', why: `the final answer is offered beside a different one ("or ${alt.trim()}")` };
      }
    }
    return r;
  } catch {
    return { correct: false, extracted: null, normalized: null, reason: 'error', why: 'internal error (please report)' };
  }
}

/** Compare already-extracted answers (math delimiters and LaTeX allowed on both). */
export function verifyAnswer(goldAnswer: string, predAnswer: string, opts: VerifyOptions = {}): VerifyResult {
  try {
    if (typeof predAnswer !== 'string' || typeof goldAnswer !== 'string' || predAnswer.trim() === '') {
      return { correct: false, extracted: null, normalized: null, reason: 'no_answer' };
    }
    return compare(goldAnswer, predAnswer, predAnswer, opts);
  } catch {
    return { correct: false, extracted: predAnswer ?? null, normalized: null, reason: 'error' };
  }
}
