/**
 * Equivalence of two answer trees, gold first (not symmetric: a gold equation `7 = 11a+c`
 * is not matched by its right side, but a predicted `k = 1/3` is reduced to `1/3`).
 * Expressions: numbers.ts (exact equality); relations: relations.ts (false equations are
 * never a value). Text answers compare as text; a number with words that may change it
 * ("5 thousand", "5 or more", "5 apples") never equals a number.
 */
import { because, exprEqual, tick, type CompareContext } from './numbers.ts';
import { goldValue, predValue, relEqual, relToInterval } from './relations.ts';
import { parseAnswer, type Answer } from './structure.ts';

export { clearAstCache, Timeout, type CompareContext } from './numbers.ts';

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
  if (g.t === 'rel' && p.t === 'rel') {
    // A false predicted equation is false whatever the gold ("2+2=5" vs gold "x=5").
    if (p.ops.every((o) => o === '=') && !g.ops.every((o) => o === '=') && predValue(p, ctx, eqAnswer) === null) return false;
    return relEqual(g, p, ctx, eqAnswer);
  }
  if (g.t === 'rel') {
    const v = goldValue(g);
    if (v !== null) return eqAnswer(parseAnswer(v), p, ctx);
    const iv = p.t === 'tuple' ? relToInterval(g) : null;
    return iv ? eqAnswer(iv, p, ctx) : because(ctx, 'the gold is a relation; the answer is not');
  }
  if (p.t === 'rel') {
    const v = predValue(p, ctx, eqAnswer);
    if (v !== null) return eqAnswer(g, parseAnswer(v), ctx);
    const iv = g.t === 'tuple' ? relToInterval(p) : null;
    return iv ? eqAnswer(g, iv, ctx) : because(ctx, 'a relation that commits to no value');
  }
  if (p.t === 'text' && p.words !== undefined && !(g.t === 'text' && g.words !== undefined)) {
    return because(ctx, 'box holds words that change the number');
  }
  // A gold answer with words ("10 \text{ apples}") is trusted: it stands for its number.
  if (g.t === 'text' && g.words !== undefined && p.t !== 'text') return eqAnswer(parseAnswer(g.words), p, ctx);
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
    return (textKey(a) !== '' && textKey(a) === textKey(b)) || because(ctx, 'different text');
  }
  if (g.t === 'expr' && p.t === 'expr') return exprEqual(g, p, ctx);
  return false;
}
