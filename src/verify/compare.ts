/**
 * Equivalence of two answer trees, gold first (not symmetric: a gold equation `7 = 11a+c`
 * is not matched by its right side, but a predicted `k = 1/3` is reduced to `1/3`).
 *
 * Numbers: exact rationals compare exactly. A decimal prediction may stand for a
 * non-terminating gold rational when |pred − gold| ≤ 1e-6·max(1,|gold|) (so 0.333333 = 1/3,
 * but 0.33 ≠ 1/3); otherwise floats (irrationals, complex) compare with
 * |a − b| ≤ 1e-9 + 1e-6·max(|a|,|b|) on real and imaginary parts. `floatRounding: k` (opt-in,
 * Math-Verify's `float_rounding`) also accepts values equal after rounding to k decimals.
 * Expressions with variables: equal values at ≥ 3 of 8 fixed pseudo-random points (six in
 * [0.4, 2.7], two negative), no point disagreeing; points where both sides are undefined
 * are skipped. (No symbolic simplification: evaluation decides, in bounded time.)
 * Relations: same left side → compare right sides; else `lhs − rhs` of both sides must have a
 * constant nonzero ratio (positive, or negative with the inequality flipped).
 */
import type { MathNode } from 'mathjs';
import { safeParse } from './safe-math.ts';
import { exactValue, freeSymbols, numericValue, type Complex } from './evaluate.ts';
import * as R from './rational.ts';
import { isLabel, MATH_WORDS, parseAnswer, type Answer } from './structure.ts';

export interface CompareContext {
  floatRounding?: number;
  deadline: number;
}

export class Timeout extends Error {}

function tick(ctx: CompareContext): void {
  if (performance.now() > ctx.deadline) throw new Timeout('verification exceeded its time bound');
}

// ---------------------------------------------------------------- expressions

/** Plain text → mathjs syntax: split letter runs into single-letter products ("AB" → "A B"). */
export function toMathjs(src: string): string {
  // scientific notation first, so "1.5e3" is not read as 1.5·e·3
  let s = src.replace(/(\d)[eE]([+-]?\d+)(?![\d.])/g, '$1*10^($2)').replace(/\)\s*\(/g, ')*(');
  s = s.replace(/[A-Za-z]+(?:_[A-Za-z0-9]+)?/g, (w) => {
    const base = w.split('_')[0];
    if (MATH_WORDS.has(base) || base.length === 1) return ` ${w} `;
    const sub = w.slice(base.length);
    return ' ' + base.split('').join(' ') + sub + ' ';
  });
  // a symbol directly before "(" is a product, not a call (unless it is a function name)
  s = s.replace(/([A-Za-z][A-Za-z0-9_]*)\s*\(/g, (m, name: string) =>
    MATH_WORDS.has(name) && name !== 'pi' && name !== 'Infinity' ? `${name}(` : `${name}*(`,
  );
  return s.replace(/\s+/g, ' ').trim();
}

const astCache = new Map<string, MathNode | null>();
export function clearAstCache(): void {
  astCache.clear();
}
export function parseExpr(src: string): MathNode | null {
  let hit = astCache.get(src);
  if (hit !== undefined) return hit;
  try {
    hit = safeParse(toMathjs(src));
  } catch {
    hit = null;
  }
  if (astCache.size > 20_000) astCache.clear();
  astCache.set(src, hit);
  return hit;
}

const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;
const FRACTION = /^\(?\(?([+-]?\d+)\)?\/\(?(\d+)\)?\)?$/;

/** Exact value without mathjs for plain integers, decimals and a/b: the fast path. */
function fastExact(src: string): R.Rational | null {
  const t = src.replace(/\s+/g, '');
  if (PLAIN_NUMBER.test(t)) return R.parseDecimal(t);
  const f = FRACTION.exec(t);
  if (f && t.length < 40) return R.rat(BigInt(f[1]), BigInt(f[2]));
  return null;
}

function roundEq(a: number, b: number, k: number): boolean {
  const f = 10 ** k;
  return Math.round(a * f) === Math.round(b * f);
}

function close(a: number, b: number): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= 1e-9 + 1e-6 * Math.max(Math.abs(a), Math.abs(b));
}
function closeC(a: Complex, b: Complex, k?: number): boolean {
  if (k !== undefined && a.im === 0 && b.im === 0 && roundEq(a.re, b.re, k)) return true;
  return close(a.re, b.re) && close(a.im, b.im);
}

function exactEq(g: R.Rational, p: R.Rational, pSrc: string, k?: number): boolean {
  if (R.eq(g, p)) return true;
  const gv = R.toNumber(g);
  const pv = R.toNumber(p);
  if (k !== undefined && roundEq(gv, pv, k)) return true;
  // A decimal standing for a repeating gold fraction, correct to ~6 decimal places.
  return !R.terminates(g) && /^\s*[+-]?\d*\.\d+\s*$/.test(pSrc) && Math.abs(gv - pv) <= 1e-6 * Math.max(1, Math.abs(gv));
}

/** Sample points: mostly positive (sqrt/log real), two negative (odd vs even functions differ). */
const POINTS = [0.7312, 1.3127, 2.1931, 0.4173, 1.8829, 2.6619, -0.6123, -1.4471];

function scaled(x: R.Rational | null, pct: boolean): R.Rational[] {
  if (!x) return [];
  return pct ? [x, R.rat(x.n, x.d * 100n)!] : [x];
}

export function exprEqual(g: { src: string; pct: boolean }, p: { src: string; pct: boolean }, ctx: CompareContext): boolean {
  const gs = g.src.replace(/\s+/g, '');
  const ps = p.src.replace(/\s+/g, '');
  if (gs === ps && g.pct === p.pct) return gs !== '';
  // Fast path: plain integers, decimals, fractions; no mathjs.
  const gf = fastExact(gs);
  const pf = fastExact(ps);
  if (gf && pf) {
    for (const a of scaled(gf, g.pct)) for (const b of scaled(pf, p.pct)) if (exactEq(a, b, ps, ctx.floatRounding)) return true;
    return false;
  }
  const gn = parseExpr(g.src);
  const pn = parseExpr(p.src);
  if (!gn || !pn) return gs.toLowerCase() === ps.toLowerCase() && gs !== '';
  tick(ctx);
  const syms = [...new Set([...freeSymbols(gn), ...freeSymbols(pn)])];
  const gScale = g.pct ? [1, 0.01] : [1];
  const pScale = p.pct ? [1, 0.01] : [1];
  if (syms.length === 0) {
    const ge = gf ?? exactValue(gn);
    const pe = pf ?? exactValue(pn);
    if (ge && pe) {
      for (const a of scaled(ge, g.pct)) for (const b of scaled(pe, p.pct)) if (exactEq(a, b, ps, ctx.floatRounding)) return true;
      return false;
    }
    const gv = numericValue(gn, {});
    const pv = numericValue(pn, {});
    // Overflow (10^{10^{10}}) is not a value: only a written Infinity may equal Infinity.
    const finite = (v: Complex) => Number.isFinite(v.re) && Number.isFinite(v.im);
    if (!finite(gv) || !finite(pv)) {
      return gs.includes('Infinity') && ps.includes('Infinity') && gv.re === pv.re && gv.im === pv.im;
    }
    for (const a of gScale) for (const b of pScale) {
      if (closeC({ re: gv.re * a, im: gv.im * a }, { re: pv.re * b, im: pv.im * b }, ctx.floatRounding)) return true;
    }
    return false;
  }
  if (syms.length > 12) return false;
  for (const a of gScale) for (const b of pScale) {
    let valid = 0;
    let ok = true;
    for (let k = 0; k < POINTS.length && ok; k++) {
      const scope: Record<string, number> = {};
      syms.forEach((name, j) => (scope[name] = POINTS[(k + 2 * j) % POINTS.length] + 0.1 * j));
      const gv = numericValue(gn, scope);
      const pv = numericValue(pn, scope);
      // NaN (outside the domain) or overflow: the point says nothing, unless only one side fails.
      const gBad = !Number.isFinite(gv.re) || !Number.isFinite(gv.im);
      const pBad = !Number.isFinite(pv.re) || !Number.isFinite(pv.im);
      if (gBad && pBad) continue;
      // Real on one side, complex on the other: a branch convention (x^(2/3) vs cbrt(x)^2 at x<0), skip.
      const gReal = Math.abs(gv.im) <= 1e-12 * Math.max(1, Math.abs(gv.re));
      const pReal = Math.abs(pv.im) <= 1e-12 * Math.max(1, Math.abs(pv.re));
      if (!gBad && !pBad && gReal !== pReal) continue;
      if (gBad !== pBad) ok = false;
      else if (closeC({ re: gv.re * a, im: gv.im * a }, { re: pv.re * b, im: pv.im * b })) valid++;
      else ok = false;
    }
    tick(ctx);
    if (ok && valid >= 3) return true;
  }
  return false;
}

// ---------------------------------------------------------------- relations

const FLIP: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '=': '=', '!=': '!=' };

/** Gold `label = value` (or a chain ending so): the value; else null. */
function goldValue(a: Extract<Answer, { t: 'rel' }>): string | null {
  const n = a.parts.length;
  if (a.ops.every((o) => o === '=' || o === '∈' || o === '≈') && isLabel(a.parts[n - 2])) return a.parts[n - 1];
  return null;
}
/** Predicted `… = value` / `x ≈ 1.3` / `x = 1/3 ≈ 0.33`: the value; null for inequalities. */
function predValue(a: Extract<Answer, { t: 'rel' }>): string | null {
  const n = a.parts.length;
  const last = a.ops[n - 2];
  if (last === '≈' && !isLabel(a.parts[n - 2]) && a.ops[n - 3] !== undefined) return a.parts[n - 2];
  if (last === '≈' && !isLabel(a.parts[n - 2])) return a.parts[n - 2];
  if (last === '=' || last === '≈' || last === '∈') return a.parts[n - 1];
  return null;
}

/** `a < x <= b`, `x > 5`, `x <= 2` → an interval tuple. */
function relToInterval(a: Extract<Answer, { t: 'rel' }>): Answer | null {
  const inf = (sign: string): Answer => ({ t: 'expr', src: sign + 'Infinity', pct: false });
  const ex = (s: string): Answer => parseAnswer(s);
  const strict = (o: string) => o === '<' || o === '>';
  if (a.ops.length === 2 && isLabel(a.parts[1]) && a.ops.every((o) => o === '<' || o === '<=')) {
    return { t: 'tuple', items: [ex(a.parts[0]), ex(a.parts[2])], open: strict(a.ops[0]) ? '(' : '[', close: strict(a.ops[1]) ? ')' : ']' };
  }
  if (a.ops.length === 2 && isLabel(a.parts[1]) && a.ops.every((o) => o === '>' || o === '>=')) {
    return { t: 'tuple', items: [ex(a.parts[2]), ex(a.parts[0])], open: strict(a.ops[1]) ? '(' : '[', close: strict(a.ops[0]) ? ')' : ']' };
  }
  if (a.ops.length !== 1) return null;
  let [l, r] = a.parts;
  let op = a.ops[0];
  if (!isLabel(l) && isLabel(r)) [l, r, op] = [r, l, FLIP[op]];
  if (!isLabel(l)) return null;
  if (op === '>' || op === '>=') return { t: 'tuple', items: [ex(r), inf('')], open: op === '>' ? '(' : '[', close: ')' };
  if (op === '<' || op === '<=') return { t: 'tuple', items: [inf('-'), ex(r)], open: '(', close: op === '<' ? ')' : ']' };
  return null;
}

function relEqual(g: Extract<Answer, { t: 'rel' }>, p: Extract<Answer, { t: 'rel' }>, ctx: CompareContext): boolean {
  if (g.ops.length !== p.ops.length) return false;
  const norm = (s: string) => s.replace(/\s+/g, '');
  if (g.ops.length > 1) {
    return g.ops.every((o, i) => o === p.ops[i]) && g.parts.every((x, i) => eqAnswer(parseAnswer(x), parseAnswer(p.parts[i]), ctx));
  }
  const [gl, gr] = g.parts;
  const [pl, pr] = p.parts;
  const go = g.ops[0];
  const po = p.ops[0];
  if (go === po && (norm(gl) === norm(pl) || (isLabel(gl) && isLabel(pl) && go === '='))) {
    return eqAnswer(parseAnswer(gr), parseAnswer(pr), ctx);
  }
  if (go === '=' && po === '=' && isLabel(pr) && isLabel(gr) && norm(gr) === norm(pr)) {
    return eqAnswer(parseAnswer(gl), parseAnswer(pl), ctx);
  }
  // Algebraic: (gl − gr) = c·(pl − pr) with c constant.
  if (go !== po && FLIP[go] !== po) return false;
  const gd = parseExpr(`(${gl})-(${gr})`);
  const pd = parseExpr(`(${pl})-(${pr})`);
  if (!gd || !pd) return false;
  const syms = [...new Set([...freeSymbols(gd), ...freeSymbols(pd)])];
  if (syms.length === 0 || syms.length > 12) return false;
  let ratio: number | null = null;
  let valid = 0;
  for (let k = 0; k < POINTS.length; k++) {
    const scope: Record<string, number> = {};
    syms.forEach((name, j) => (scope[name] = POINTS[(k + 3 * j) % POINTS.length] * (j % 2 ? -1 : 1) + 0.37 * j));
    const a = numericValue(gd, scope);
    const b = numericValue(pd, scope);
    if (a.im !== 0 || b.im !== 0 || !Number.isFinite(a.re) || !Number.isFinite(b.re)) continue;
    if (Math.abs(b.re) < 1e-12) {
      if (Math.abs(a.re) < 1e-12) continue;
      return false;
    }
    const r = a.re / b.re;
    if (ratio === null) ratio = r;
    else if (!close(ratio, r)) return false;
    valid++;
  }
  tick(ctx);
  if (ratio === null || valid < 3 || Math.abs(ratio) < 1e-12) return false;
  if (go === '=' || go === '!=') return go === po;
  return ratio > 0 ? go === po : FLIP[go] === po;
}

// ---------------------------------------------------------------- trees

function letterOf(a: Answer): string | null {
  if (a.t === 'choice') return a.c;
  if (a.t === 'expr' && /^[A-Za-z]$/.test(a.src.trim()) && !a.pct) return a.src.trim().toUpperCase();
  if (a.t === 'text' && /^\(?[A-Za-z]\)?$/.test(a.s.trim())) return a.s.replace(/[()\s]/g, '').toUpperCase();
  return null;
}
const textKey = (s: string) => s.toLowerCase().replace(/[\s\\{}()«».,]/g, '');

/** Unordered match as sets: every gold item has an equal predicted item and vice versa (repeats ignored). */
function sameMultiset(g: Answer[], p: Answer[], ctx: CompareContext): boolean {
  if (g.length > 64 || p.length > 64) return false;
  return g.every((x) => p.some((y) => eqAnswer(x, y, ctx))) && p.every((y) => g.some((x) => eqAnswer(x, y, ctx)));
}
const sameSeq = (g: Answer[], p: Answer[], ctx: CompareContext) =>
  g.length === p.length && g.every((x, i) => eqAnswer(x, p[i], ctx));

export function eqAnswer(g: Answer, p: Answer, ctx: CompareContext): boolean {
  tick(ctx);
  if (g.t === 'rel' && p.t === 'rel') return relEqual(g, p, ctx);
  if (g.t === 'rel') {
    const v = goldValue(g);
    if (v !== null) return eqAnswer(parseAnswer(v), p, ctx);
    const iv = p.t === 'tuple' ? relToInterval(g) : null;
    return iv ? eqAnswer(iv, p, ctx) : false;
  }
  if (p.t === 'rel') {
    const v = predValue(p);
    if (v !== null) return eqAnswer(g, parseAnswer(v), ctx);
    const iv = g.t === 'tuple' ? relToInterval(p) : null;
    return iv ? eqAnswer(g, iv, ctx) : false;
  }
  const gl = letterOf(g);
  const pl = letterOf(p);
  if (gl !== null || pl !== null) {
    if (gl !== null && pl !== null) return gl === pl;
    if (g.t === 'choice' || p.t === 'choice') return false;
  }
  if (g.t === 'list' || p.t === 'list') {
    if (g.t === 'list' && p.t === 'list') return sameMultiset(g.items, p.items, ctx);
    const l = (g.t === 'list' ? g : p) as Extract<Answer, { t: 'list' }>;
    const o = g.t === 'list' ? p : g;
    // The same answer given in several forms ("15 39/40, or 639/40"): every item equals gold.
    if (p.t === 'list' && g.t !== 'list' && p.items.length >= 2 && p.items.length <= 4 && p.items.every((x) => eqAnswer(g, x, ctx))) return true;
    if (o.t === 'tuple' && !l.set) return g.t === 'list' ? sameSeq(l.items, o.items, ctx) : sameSeq(o.items, l.items, ctx);
    return false;
  }
  if (g.t === 'tuple' && p.t === 'tuple') {
    if (g.items.length !== p.items.length) return false;
    if (g.items.length === 2 && g.open && p.open && (g.open !== p.open || g.close !== p.close)) return false;
    return sameSeq(g.items, p.items, ctx);
  }
  if (g.t === 'matrix' || p.t === 'matrix') {
    if (g.t === 'matrix' && p.t === 'matrix') {
      return g.rows.length === p.rows.length && g.rows.every((r, i) => sameSeq(r, p.rows[i], ctx));
    }
    const m = (g.t === 'matrix' ? g : p) as Extract<Answer, { t: 'matrix' }>;
    const o = g.t === 'matrix' ? p : g;
    const flat = m.rows.length === 1 ? m.rows[0] : m.rows.every((r) => r.length === 1) ? m.rows.map((r) => r[0]) : null;
    if (!flat || o.t !== 'tuple') return false;
    return g.t === 'matrix' ? sameSeq(flat, o.items, ctx) : sameSeq(o.items, flat, ctx);
  }
  if (g.t === 'tuple' || p.t === 'tuple') return false;
  if (g.t === 'text' || p.t === 'text') {
    const a = g.t === 'text' ? g.s : (g as { src: string }).src;
    const b = p.t === 'text' ? p.s : (p as { src: string }).src;
    return textKey(a) !== '' && textKey(a) === textKey(b);
  }
  if (g.t === 'expr' && p.t === 'expr') return exprEqual(g, p, ctx);
  return false;
}
