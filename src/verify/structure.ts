/**
 * Plain answer text (from latex.ts) → an answer tree:
 *   list   `a, b` / `a; b` / `a and b` / `a or b` / `A ∪ B` / `⦃a, b⦄` (unordered)
 *   tuple  `(a, b)`, `[a, b)`, `a:b`, a `;`-group `p=5, q=2` (ordered; brackets kept, since
 *          for two items they are an interval's ends)
 *   matrix `⟦a & b ¦ c & d⟧`
 *   rel    `lhs op rhs [op …]` with op in = < > <= >= != ≈ ∈ ∉ ≁ (≁: a negated order)
 *   text / choice / expr (with a `%` flag)
 * `±` expands to a two-element list. Units, currency and degrees beside a number ("125
 * miles", "15 «cm»^(2)") are dropped; any other word makes a text answer (units.ts).
 */
import { isUnitPhrase } from './units.ts';

export type Answer =
  | { t: 'expr'; src: string; pct: boolean }
  /**
   * `words`: a number with words that may change it ("5 thousand"), holding the answer
   * without them. A predicted one never equals a number; a gold one stands for `words`.
   */
  | { t: 'text'; s: string; words?: string }
  | { t: 'choice'; c: string }
  | { t: 'list'; items: Answer[]; set: boolean }
  | { t: 'tuple'; items: Answer[]; open: string; close: string }
  | { t: 'matrix'; rows: Answer[][] }
  | { t: 'rel'; parts: string[]; ops: string[] };

const OPEN = '([{⦃⟦';
const CLOSE = ')]}⦄⟧';

/** Split at top level (bracket depth 0) where `sep` matches at position i; returns pieces. */
function splitTop(s: string, sepAt: (s: string, i: number) => number): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (OPEN.includes(c)) depth++;
    else if (CLOSE.includes(c)) depth = Math.max(0, depth - 1);
    else if (depth === 0) {
      const len = sepAt(s, i);
      if (len > 0) {
        out.push(s.slice(start, i));
        start = i + len;
        i += len - 1;
      }
    }
  }
  out.push(s.slice(start));
  return out;
}

/** Index of the bracket closing s[0], treating ( [ as interchangeable (intervals), or -1. */
function closingOf(s: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    if (OPEN.includes(s[i])) depth++;
    else if (CLOSE.includes(s[i]) && --depth === 0) return i;
  }
  return -1;
}

const LIST_SEP = /^(?:,\s*(?:and|or)\b|,|;|∪|\s+(?:and|or)\s+|or(?=[A-Za-z(\[\d-]))/i;
function listSepAt(s: string, i: number): number {
  const c = s[i];
  if (c !== ',' && c !== ';' && c !== '∪' && c !== ' ' && c !== 'o') return 0;
  const m = LIST_SEP.exec(s.slice(i, i + 12));
  if (!m) return 0;
  if (c === 'o' && !/[\d)\]]/.test(s[i - 1] ?? '')) return 0;
  return m[0].length;
}

const REL_OPS = ['<=', '>=', '!=', '=', '<', '>', '≈', '∈', '∉', '≁'];
function relAt(s: string, i: number): number {
  for (const op of REL_OPS) if (s.startsWith(op, i)) return op.length;
  return 0;
}

/** Words that are math, not prose (function and constant names, Greek letters). */
export const MATH_WORDS = new Set([
  'sqrt', 'nthRoot', 'sin', 'cos', 'tan', 'sec', 'csc', 'cot', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh',
  'log', 'ln', 'exp', 'abs', 'floor', 'ceil', 'pi', 'Infinity', 'binom',
  'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'varepsilon', 'zeta', 'eta', 'theta', 'vartheta', 'iota', 'kappa',
  'lambda', 'mu', 'nu', 'xi', 'rho', 'sigma', 'tau', 'upsilon', 'phi', 'varphi', 'chi', 'psi', 'omega',
  'Gamma', 'Delta', 'Theta', 'Lambda', 'Xi', 'Pi', 'Sigma', 'Phi', 'Psi', 'Omega',
]);

/** A name standing for the answer, not part of it: `x`, `f(x)`, `a_3`, `|AB|`, `(p,q,r)`, `V_1:V_2`. */
export function isLabel(s: string): boolean {
  const t = s.trim();
  return /^[A-Za-z(|][A-Za-z0-9_(),:|' ]*$/.test(t) && /[A-Za-z]/.test(t) && !/^\(?\d/.test(t);
}

/**
 * Words beside a number: units of measure, currency and degrees are dropped ("125 miles",
 * `15\text{ cm}^2`, `\$5`); any other word makes the whole answer a text answer marked
 * `words` ("box holds words that change the number"): `5\text{ thousand}`, `5 or more`,
 * `\text{not } 5`, `5\text{ apples}` (see units.ts for the choice about counted nouns).
 * Returns the number alone, the input unchanged, or `{ base }` for "words that may change it"
 * (`base`: the answer without its words, which a *gold* answer still stands for).
 */
function dropUnits(s: string): string | { base: string } {
  if (s.includes('«')) {
    const texts = [...s.matchAll(/«([^»]*)»/g)].map((m) => m[1]);
    const stripped = s.replace(/«[^»]*»(?:\^\([^()]*\))?/g, ' ').trim();
    if (!/[A-Za-z0-9]/.test(stripped)) return s.replace(/[«»]/g, ''); // a text answer
    if (!texts.every((t) => t.trim() === '' || isUnitPhrase(t, true))) return { base: stripped };
    s = stripped;
  }
  // Plain number followed by words: "125 miles", "1,000.99 m²", "5 apples".
  const m = /^([-+]?[\d.,]+%?)\s*([A-Za-z][A-Za-z .²³^()23/]*)$/.exec(s);
  if (m) {
    if (isUnitPhrase(m[2], false)) return m[1];
    const words = m[2].match(/[A-Za-z]+/g) ?? [];
    if (words.some((w) => w.length >= 3 && !MATH_WORDS.has(w))) return { base: m[1] };
  }
  // Prose words before a number: "about 5", "not 5", "approximately 5".
  const b = /^([A-Za-z][A-Za-z ]*?)\s+([-+]?[\d.,]+%?)$/.exec(s);
  if (b && (b[1].match(/[A-Za-z]+/g) ?? []).some((w) => w.length >= 3 && !MATH_WORDS.has(w)) && !isUnitPhrase(b[1], false)) return { base: b[2] };
  return s;
}

function stripOuter(s: string): string {
  // '!' is kept: in an extracted answer "5!" is a factorial.
  return s.trim().replace(/^[\s,;:]+|[\s.,;:?]+$/g, '').trim();
}

const MAX_DEPTH = 12;

export function parseAnswer(input: string, depth = 0): Answer {
  const s = stripOuter(input);
  if (depth > MAX_DEPTH) return { t: 'expr', src: s, pct: false };

  // Lists: ';' groups first (each a tuple of its comma items), then commas / and / or / ∪.
  const semi = splitTop(s, (x, i) => (x[i] === ';' ? 1 : 0)).map((x) => x.trim()).filter(Boolean);
  if (semi.length > 1) {
    return {
      t: 'list',
      set: false,
      items: semi.map((g) => {
        const parts = splitTop(g, listSepAt).map((x) => x.trim()).filter(Boolean);
        return parts.length > 1
          ? { t: 'tuple', items: parts.map((p) => parseAnswer(p, depth + 1)), open: '', close: '' }
          : parseAnswer(g, depth + 1);
      }),
    };
  }
  const parts = splitTop(s, listSepAt).map((x) => x.trim()).filter(Boolean);
  if (parts.length > 1) return { t: 'list', set: false, items: parts.map((p) => parseAnswer(p, depth + 1)) };
  if (parts.length === 0) return { t: 'text', s: '' };

  const pm = splitTop(s, (x, i) => (x[i] === '±' ? 1 : 0));
  if (pm.length === 2) {
    const a = pm[0].trim();
    const b = pm[1].trim();
    const items = a
      ? [`(${a})+(${b})`, `(${a})-(${b})`]
      : [`(${b})`, `-(${b})`];
    return { t: 'list', set: false, items: items.map((x) => parseAnswer(x, depth + 1)) };
  }

  const relParts: string[] = [];
  const ops: string[] = [];
  {
    let depthB = 0;
    let start = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (OPEN.includes(c)) depthB++;
      else if (CLOSE.includes(c)) depthB = Math.max(0, depthB - 1);
      else if (depthB === 0) {
        const len = relAt(s, i);
        if (len) {
          relParts.push(s.slice(start, i).trim());
          ops.push(s.slice(i, i + len));
          start = i + len;
          i += len - 1;
        }
      }
    }
    relParts.push(s.slice(start).trim());
  }
  if (ops.length > 0 && relParts.every((p) => p !== '')) return { t: 'rel', parts: relParts, ops };

  const ratio = splitTop(s, (x, i) => (x[i] === ':' ? 1 : 0));
  if (ratio.length > 1 && ratio.every((p) => p.trim())) {
    return { t: 'tuple', items: ratio.map((p) => parseAnswer(p, depth + 1)), open: '', close: '' };
  }

  const first = s[0];
  if (OPEN.includes(first) && closingOf(s) === s.length - 1) {
    const inner = s.slice(1, -1);
    const last = s[s.length - 1];
    if (first === '⟦') {
      const rows = inner
        .split('¦')
        .map((r) => r.split('&').map((c) => c.trim()))
        .filter((r) => r.some((c) => c !== ''));
      return { t: 'matrix', rows: rows.map((r) => r.map((c) => parseAnswer(c, depth + 1))) };
    }
    const items = splitTop(inner, (x, i) => (x[i] === ',' ? 1 : 0)).map((x) => x.trim());
    if (first === '⦃') {
      return { t: 'list', set: true, items: items.filter(Boolean).map((p) => parseAnswer(p, depth + 1)) };
    }
    if (items.length > 1 && items.every(Boolean)) {
      return { t: 'tuple', items: items.map((p) => parseAnswer(p, depth + 1)), open: first, close: last };
    }
    if ((first === '(' && last === ')') || (first === '[' && last === ']') || first === '{') {
      // A parenthesised single item: "(C)" is a choice, "(x+1)" just x+1.
      const one = parseAnswer(inner, depth + 1);
      return one;
    }
  }

  const kept = dropUnits(s);
  if (typeof kept !== 'string') return { t: 'text', s: s.replace(/[«»]/g, ' ').replace(/\s+/g, ' ').trim(), words: kept.base };
  let body = kept;
  if (/^«[^«»]*»$/.test(body)) body = body.slice(1, -1);
  body = body.replace(/[«»]/g, ' ').trim();
  const choice = /^\(?([A-Za-z])\)$|^\(([A-Za-z])\)?$/.exec(body);
  if (choice) return { t: 'choice', c: (choice[1] ?? choice[2]).toUpperCase() };
  if (/^[A-E]$/.test(body) && s.includes('«')) return { t: 'choice', c: body };
  if (/^%|%$/.test(body)) return { t: 'expr', src: body.replace(/%/g, '').trim(), pct: true };
  if (!/[\d+\-*/^=<>]/.test(body)) {
    const words = body.match(/[A-Za-z]+/g) ?? [];
    if (words.some((w) => w.length >= 3 && !MATH_WORDS.has(w)) || /[^A-Za-z0-9_()\s.'|]/.test(body)) {
      return { t: 'text', s: body };
    }
  }
  return { t: 'expr', src: body, pct: false };
}

/** Canonical one-line rendering, for `normalized` in results and `--explain`. */
export function show(a: Answer): string {
  switch (a.t) {
    case 'expr': return a.src.replace(/\s+/g, '') + (a.pct ? '%' : '');
    case 'text': return `text(${a.s})`;
    case 'choice': return `choice(${a.c})`;
    case 'list': return (a.set ? 'set' : 'list') + `{${a.items.map(show).join(', ')}}`;
    case 'tuple': return `${a.open || '⟨'}${a.items.map(show).join(', ')}${a.close || '⟩'}`;
    case 'matrix': return `matrix[${a.rows.map((r) => r.map(show).join(' & ')).join('; ')}]`;
    case 'rel': return a.parts.map((p, i) => (i ? `${a.ops[i - 1]} ${p}` : p)).join(' ').replace(/\s+/g, '');
  }
}
