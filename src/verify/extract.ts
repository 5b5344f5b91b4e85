/**
 * Final-answer extraction from a full model response.
 *
 * Explicit markers (`\boxed{…}`/`\fbox{…}`, GSM8K `#### x`, "the answer is …" /
 * "Final answer: …") compete by position: the one that starts last wins, so a closing
 * "The final answer is $10,455$" beats an intermediate `\boxed{200}`. Only when no enabled
 * marker is present does the fallback apply, and it reads only a final-answer statement
 * (commitment.ts): the last math span in it (`last_math`), else its last number
 * (`last_number`, off in strict mode). A marked answer that is hedged, bounded, negated or
 * taken back, or a response spraying three or more different boxes, is no answer.
 *
 * Boxes: adjacent boxes separated only by a short connective (`\boxed{1} and \boxed{2}`,
 * `\boxed{k=45} \quad\text{and}\quad \boxed{n=2}`) are one answer, a list. A last box that is
 * unclosed (a cut-off response) or empty means no answer, even if an earlier box was closed.
 * A box inside a box is part of it (`\boxed{\boxed{42}}` is 42).
 *
 * Truncated responses (`truncated: true`, the rollout hit its token cap): only a *complete*
 * final answer counts — a closed box, or a `####` line already ended by a newline. The
 * phrase and fallback extractors are skipped, because the text after them may be cut mid-answer.
 *
 * Cost: one linear scan for boxes; the phrase and fallback scans look at the last TAIL
 * characters only, so a 1 MB response costs a few milliseconds.
 */
import type { Extractor } from './types.ts';
import { mathSpans, scanBoxes } from './scan.ts';
import { alternatives, boxIsOperand, distinctBoxes, finalStatement, hedgedAfter, hedgedBefore, hedgedSentence } from './commitment.ts';

export { matchBrace, mathSpans } from './scan.ts';

export interface Extraction {
  answer: string | null;
  via?: Extractor;
  reason: string;
  /** Human-readable reason when there is no answer (for `--explain`). */
  why?: string;
  /** Other forms offered with "or" beside the answer: each must equal it (commitment.ts). */
  alternatives?: string[];
}

/** Characters from the end scanned by the phrase and fallback extractors (answers sit at the end). */
const TAIL = 6_000;
/** Longest gap between two boxes that still joins them into one list answer (`} \quad \text{and} \quad \boxed{` is 29). */
const BOX_GAP = 40;
/** Distinct boxed answers from which a response counts as spraying candidates. */
const SPRAY = 3;

interface Found {
  answer: string | null;
  pos: number;
  end: number;
  reason: string;
  why?: string;
  /** Boxes: contents of the boxes before the final group, then the final answer. */
  earlier?: string[];
}

/** The last box group, or a failure reason. `lenient` (gold answers) accepts an unclosed box. */
export function extractBoxed(s: string, lenient = false): Found | null {
  const boxes = scanBoxes(s);
  if (!boxes.length) return null;
  const last = boxes[boxes.length - 1];
  if (last.end < 0 && !lenient) return { answer: null, pos: last.start, end: s.length, reason: 'unclosed_box', why: 'the last box is never closed' };
  const items = [last.content];
  let cur = last;
  for (let k = boxes.length - 2; k >= 0 && k >= boxes.length - 51; k--) {
    const prev = boxes[k];
    if (cur.start - prev.end > BOX_GAP) break;
    const gap = s.slice(prev.end, cur.start);
    // A connective: no digits, '=' or sentence end, and empty or containing and/or/,/;.
    if (/[\d=]|\.\s|\n\s*\n/.test(gap)) break;
    if (/[A-Za-z]/.test(gap.replace(/\\[A-Za-z]+/g, '')) && !/\band\b|\bor\b|[,;]/.test(gap)) break;
    items.unshift(prev.content);
    cur = prev;
  }
  const answer = items.map((x) => x.trim()).filter((x) => x !== '').join(', ');
  const end = last.end < 0 ? s.length : last.end;
  if (answer === '') return { answer: null, pos: cur.start, end, reason: 'empty_box', why: 'the last box is empty' };
  const group = boxes.indexOf(cur);
  return { answer, pos: cur.start, end, reason: 'ok', earlier: boxes.slice(0, group).map((b) => b.content).concat(answer) };
}

function extractHash(s: string, truncated: boolean): Found | null {
  const pos = s.lastIndexOf('####');
  if (pos < 0) return null;
  const rest = s.slice(pos + 4);
  const nl = rest.indexOf('\n');
  if (truncated && nl < 0) return { answer: null, pos, end: s.length, reason: 'truncated', why: 'the #### line is cut off' };
  const answer = (nl < 0 ? rest : rest.slice(0, nl)).trim();
  const end = nl < 0 ? s.length : pos + 4 + nl;
  return answer ? { answer, pos, end, reason: 'ok' } : { answer: null, pos, end, reason: 'empty_answer', why: 'nothing after ####' };
}

const ANSWER_PHRASE = /(?:final\s+answer|answer)\s*(?:is|:|=)\s*:?/gi;

function extractAnswerIs(tail: string, offset: number): Found | null {
  let m: RegExpExecArray | null;
  let last: RegExpExecArray | null = null;
  ANSWER_PHRASE.lastIndex = 0;
  while ((m = ANSWER_PHRASE.exec(tail))) last = m;
  if (!last) return null;
  const from = last.index + last[0].length;
  let rest = tail.slice(from);
  // The sentence: up to a newline or a '.'/'!'/'?' followed by space or end, outside math.
  const spans = mathSpans(rest);
  let end = rest.length;
  let k = 0;
  for (let i = 0; i < rest.length; i++) {
    while (k < spans.length && spans[k].end <= i) k++;
    if (k < spans.length && i >= spans[k].start) continue; // inside math
    const c = rest[i];
    if (c === '\n' && i > 0 && rest.slice(0, i).trim()) { end = i; break; }
    if ((c === '.' || c === '!' || c === '?') && (i + 1 >= rest.length || /\s/.test(rest[i + 1]))) { end = i; break; }
  }
  rest = rest.slice(0, end);
  // "The maximum number of points … is 19" → after the last ' is ' outside math.
  const isAt = rest.lastIndexOf(' is ');
  if (isAt >= 0 && !mathSpans(rest).some((sp) => isAt > sp.start && isAt < sp.end)) {
    rest = rest.slice(isAt + 4);
  }
  const inner = mathSpans(rest);
  const answer = (inner.length ? inner.map((x) => x.content).join(' ') : rest).trim().replace(/[.,;:!?]+$/, '').trim();
  return answer ? { answer, pos: offset + last.index, end: offset + from + end, reason: 'ok' } : null;
}

const NUMBER = /-?\$?(?:[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d{0,2}(?: \d{3})+(?!\d)|\d+)(?:[.,]\d+)?(?:\s*(?:\\?%|percent\b|pct\b))?/g;

/** A short bare answer ("W(x)=1orW(x)=-1", "28 percent", "1 000"): the whole response is the answer. */
function bareAnswer(t: string): string | null {
  return t.length <= 80 && !/[A-Za-z]{4,}/.test(t.replace(/percent/g, '')) && /[\dA-Za-z]/.test(t) ? t : null;
}

function lastNumber(s: string): string | null {
  let m: RegExpExecArray | null;
  let last: string | null = null;
  NUMBER.lastIndex = 0;
  while ((m = NUMBER.exec(s))) last = m[0];
  return last;
}

export const DEFAULT_EXTRACTORS: readonly Extractor[] = ['boxed', 'hash', 'answer_is', 'last_math', 'last_number'];

/** Whether a marked answer is committed; the reason when not. */
function uncommitted(response: string, best: Found & { via: Extractor }): string | null {
  if (best.via === 'boxed' && best.earlier && distinctBoxes(best.earlier) >= SPRAY) {
    return `answer spraying: ${distinctBoxes(best.earlier)} different boxed answers`;
  }
  if (best.via === 'boxed' && boxIsOperand(response, best.pos, best.end)) {
    return 'the box is part of a larger expression or scaled ("-\\boxed{5}", "\\boxed{5}^2", "\\boxed{5} thousand")';
  }
  if (best.via === 'answer_is' ? hedgedSentence(response, best.pos) : hedgedBefore(response, best.pos)) {
    return 'the final answer is negated or hedged ("not", "maybe", "we should not answer" …)';
  }
  if (hedgedAfter(response, best.end)) return 'the text after the final answer hedges or takes it back';
  return null;
}

export function extractAnswer(response: string, extractors: readonly Extractor[], truncated = false): Extraction {
  const on = new Set(extractors);
  const tailStart = Math.max(0, response.length - TAIL);
  const tail = response.slice(tailStart);
  type Cand = Found & { via: Extractor };
  const cands: Cand[] = [];
  if (on.has('boxed')) {
    const b = extractBoxed(response);
    if (b) cands.push({ ...b, via: 'boxed' });
  }
  if (on.has('hash')) {
    const h = extractHash(response, truncated);
    if (h) cands.push({ ...h, via: 'hash' });
  }
  if (on.has('answer_is') && !truncated) {
    const a = extractAnswerIs(tail, tailStart);
    if (a) cands.push({ ...a, via: 'answer_is' });
  }
  if (cands.length) {
    // "\boxed{5}. Let me check the answer is correct" or a later "#### Notes" heading: a
    // phrase or #### line with no math in it (no digit, no LaTeX) does not override a box.
    const boxed = cands.find((c) => c.via === 'boxed' && c.answer);
    const usable = cands.filter((c) => !(boxed && c.via !== 'boxed' && c.answer && !/[\d\\$]/.test(c.answer)));
    const best = usable.reduce((x, y) => (y.pos > x.pos ? y : x));
    if (!best.answer) return { answer: null, reason: best.reason, why: best.why };
    const why = uncommitted(response, best);
    if (why) return { answer: null, reason: 'no_committed_answer', why };
    const alts = best.via === 'answer_is' ? [] : alternatives(response, best.pos, best.end);
    if (alts === null) return { answer: null, reason: 'no_committed_answer', why: 'the final answer is offered as one of several ("… or \\boxed{5}")' };
    return alts.length ? { answer: best.answer, via: best.via, reason: 'ok', alternatives: alts } : { answer: best.answer, via: best.via, reason: 'ok' };
  }
  if (truncated) return { answer: null, reason: 'truncated', why: 'cut off before a complete final answer' };
  if (!on.has('last_math') && !on.has('last_number')) return { answer: null, reason: 'no_answer', why: 'no answer marker' };
  const t = tail.trim();
  // The whole response is one math span, or a short bare answer: that is the answer.
  const whole = mathSpans(t);
  if (on.has('last_math') && whole.length === 1 && whole[0].start === 0 && t.slice(whole[0].end).replace(/[\s.]/g, '') === '') {
    const c = whole[0].content.trim();
    if (c) return { answer: c, via: 'last_math', reason: 'ok' };
  }
  if (on.has('last_number') && !whole.length) {
    const bare = bareAnswer(t);
    if (bare) return { answer: bare, via: 'last_number', reason: 'ok' };
  }
  const st = finalStatement(tail);
  if (st.text === null) return { answer: null, reason: 'no_answer', why: `no committed final answer: ${st.why}` };
  if (on.has('last_math')) {
    for (let k = st.spans.length - 1; k >= 0; k--) {
      const c = st.spans[k].trim();
      if (c) return { answer: c, via: 'last_math', reason: 'ok' };
    }
  }
  if (on.has('last_number')) {
    const n = lastNumber(st.text);
    if (n) return { answer: n, via: 'last_number', reason: 'ok' };
  }
  return { answer: null, reason: 'no_answer', why: 'no committed final answer: the last sentence holds no number or math' };
}

/**
 * A gold answer as given by a dataset: its last box group when it has one (accepting an
 * unclosed box), else the whole string. Math delimiters are removed later, in normalization.
 */
export function extractGold(gold: string): string {
  const g = gold.replace(/(?<!\\)\\\\(?=(?:boxed|fbox)\b)/g, '\\');
  const b = extractBoxed(g, true);
  if (b?.answer) return b.answer.replace(/\$+\s*$/, '');
  return g;
}
