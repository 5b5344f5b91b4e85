/**
 * Final-answer extraction from a full model response.
 *
 * Explicit markers (`\boxed{…}`/`\fbox{…}`, GSM8K `#### x`, "the answer is …" /
 * "Final answer: …") compete by position: the one that starts last wins, so a closing
 * "The final answer is $10,455$" beats an intermediate `\boxed{200}`. Only when no enabled
 * marker is present do the fallbacks apply, in order: the last math span (`last_math`), then
 * the last number (`last_number`, off in strict mode).
 *
 * Boxes: adjacent boxes separated only by a short connective (`\boxed{1} and \boxed{2}`,
 * `\boxed{k=45} \quad\text{and}\quad \boxed{n=2}`) are one answer, a list. A last box that is
 * unclosed (a cut-off response) or empty means no answer, even if an earlier box was closed.
 *
 * Truncated responses (`truncated: true`, the rollout hit its token cap): only a *complete*
 * final answer counts — a closed box, or a `####` line already ended by a newline. The
 * phrase and fallback extractors are skipped, because the text after them may be cut mid-answer.
 *
 * Cost: boxes are found with lastIndexOf over the whole text; the phrase and fallback
 * scans look at the last TAIL characters only, so a 1 MB response costs well under a millisecond.
 */
import type { Extractor } from './types.ts';

export interface Extraction {
  answer: string | null;
  via?: Extractor;
  reason: string;
}

/** Characters from the end scanned by the phrase and fallback extractors (answers sit at the end). */
const TAIL = 6_000;
/** Longest gap between two boxes that still joins them into one list answer (`} \quad \text{and} \quad \boxed{` is 29). */
const BOX_GAP = 40;

/** Index just past the group closing the `{` at s[open], or -1 when unbalanced. */
export function matchBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      i++; // skip escaped char such as \{ or \}
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return -1;
}

interface Box {
  start: number;
  end: number; // -1 when unclosed
  content: string;
}

function boxBefore(s: string, before: number): Box | null {
  if (before <= 0) return null;
  const a = s.lastIndexOf('\\boxed', before - 1);
  const b = s.lastIndexOf('\\fbox', before - 1);
  const start = Math.max(a, b);
  if (start < 0) return null;
  let i = start + (start === a ? 6 : 5);
  if (/[A-Za-z]/.test(s[i] ?? '')) return boxBefore(s, start); // e.g. \boxedfoo: not a box
  while (s[i] === ' ') i++;
  if (s[i] !== '{') {
    // \boxed 5 : one token
    const m = /^[^\s$.,;]+/.exec(s.slice(i, i + 100));
    return { start, end: m ? i + m[0].length : -1, content: m ? m[0] : '' };
  }
  const end = matchBrace(s, i);
  return { start, end, content: end < 0 ? s.slice(i + 1) : s.slice(i + 1, end - 1) };
}

/** The last box group, or a failure reason. `lenient` (gold answers) accepts an unclosed box. */
export function extractBoxed(s: string, lenient = false): { answer: string | null; pos: number; reason: string } | null {
  const last = boxBefore(s, s.length);
  if (!last) return null;
  if (last.end < 0 && !lenient) return { answer: null, pos: last.start, reason: 'unclosed_box' };
  const items = [last.content];
  let cur = last;
  for (let k = 0; k < 50; k++) {
    const prev = boxBefore(s, cur.start);
    if (!prev || prev.end < 0 || cur.start - prev.end > BOX_GAP) break;
    const gap = s.slice(prev.end, cur.start);
    // A connective: no digits, '=' or sentence end, and empty or containing and/or/,/;.
    if (/[\d=]|\.\s|\n\s*\n/.test(gap)) break;
    if (/[A-Za-z]/.test(gap.replace(/\\[A-Za-z]+/g, '')) && !/\band\b|\bor\b|[,;]/.test(gap)) break;
    items.unshift(prev.content);
    cur = prev;
  }
  const answer = items.map((x) => x.trim()).filter((x) => x !== '').join(', ');
  if (answer === '') return { answer: null, pos: cur.start, reason: 'empty_box' };
  return { answer, pos: cur.start, reason: 'ok' };
}

function extractHash(s: string, truncated: boolean): { answer: string | null; pos: number; reason: string } | null {
  const pos = s.lastIndexOf('####');
  if (pos < 0) return null;
  const rest = s.slice(pos + 4);
  const nl = rest.indexOf('\n');
  if (truncated && nl < 0) return { answer: null, pos, reason: 'truncated' };
  const answer = (nl < 0 ? rest : rest.slice(0, nl)).trim();
  return answer ? { answer, pos, reason: 'ok' } : { answer: null, pos, reason: 'empty_answer' };
}

/** Inline `$…$` / `\(…\)` spans may not cross a line (Math-Verify's rule); display ones may. */
export function mathSpans(s: string): { start: number; end: number; content: string }[] {
  const out: { start: number; end: number; content: string }[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '\\' && (s[i + 1] === '(' || s[i + 1] === '[')) {
      const close = s[i + 1] === '(' ? '\\)' : '\\]';
      const j = s.indexOf(close, i + 2);
      if (j < 0) break;
      const content = s.slice(i + 2, j);
      if (close === '\\]' || !content.includes('\n')) out.push({ start: i, end: j + 2, content });
      i = j + 2;
    } else if (c === '\\') {
      i += 2;
    } else if (c === '$') {
      const dbl = s[i + 1] === '$';
      const open = dbl ? 2 : 1;
      let j = i + open;
      while (j < s.length && !(s[j] === '$' && s[j - 1] !== '\\')) j++;
      if (j >= s.length) break;
      const content = s.slice(i + open, j);
      const end = dbl && s[j + 1] === '$' ? j + 2 : j + 1;
      if (dbl || !content.includes('\n')) out.push({ start: i, end, content });
      i = end;
    } else i++;
  }
  return out;
}

const ANSWER_PHRASE = /(?:final\s+answer|answer)\s*(?:is|:|=)\s*:?/gi;

function extractAnswerIs(tail: string, offset: number): { answer: string | null; pos: number; reason: string } | null {
  let m: RegExpExecArray | null;
  let last: RegExpExecArray | null = null;
  ANSWER_PHRASE.lastIndex = 0;
  while ((m = ANSWER_PHRASE.exec(tail))) last = m;
  if (!last) return null;
  let rest = tail.slice(last.index + last[0].length);
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
  return answer ? { answer, pos: offset + last.index, reason: 'ok' } : null;
}

const NUMBER = /-?\$?(?:[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d{0,2}(?: \d{3})+(?!\d)|\d+)(?:[.,]\d+)?(?:\s*(?:\\?%|percent\b|pct\b))?/g;

function extractLastNumber(tail: string): string | null {
  const t = tail.trim();
  // A short bare answer ("W(x)=1orW(x)=-1", "28 percent", "1 000") is taken whole.
  if (t.length <= 80 && !/[A-Za-z]{4,}/.test(t.replace(/percent/g, ''))) return t || null;
  let m: RegExpExecArray | null;
  let last: string | null = null;
  NUMBER.lastIndex = 0;
  while ((m = NUMBER.exec(tail))) last = m[0];
  return last;
}

export const DEFAULT_EXTRACTORS: readonly Extractor[] = ['boxed', 'hash', 'answer_is', 'last_math', 'last_number'];

export function extractAnswer(response: string, extractors: readonly Extractor[], truncated = false): Extraction {
  const on = new Set(extractors);
  const tailStart = Math.max(0, response.length - TAIL);
  const tail = response.slice(tailStart);
  type Cand = { answer: string | null; pos: number; reason: string; via: Extractor };
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
    return best.answer ? { answer: best.answer, via: best.via, reason: 'ok' } : { answer: null, reason: best.reason };
  }
  if (truncated) return { answer: null, reason: 'truncated' };
  if (on.has('last_math')) {
    const spans = mathSpans(tail);
    for (let k = spans.length - 1; k >= 0; k--) {
      const c = spans[k].content.trim();
      if (c) return { answer: c, via: 'last_math', reason: 'ok' };
    }
  }
  if (on.has('last_number')) {
    const n = extractLastNumber(tail);
    if (n) return { answer: n, via: 'last_number', reason: 'ok' };
  }
  return { answer: null, reason: 'no_answer' };
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
