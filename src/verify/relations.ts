/**
 * Relations: equations, chains, inequalities, membership.
 *
 * A *predicted* equation counts as its value only when it is true as written:
 * - `x = 5`, `f(2) = 5`, `(p, q) = (1, 2)`: a variable (or named quantity) on the left → the right side;
 * - `5 = x`: a variable on the right → the left side;
 * - otherwise every side must be equal (`\frac{10}{2} = 5` is 5; `2+2 = 5`, `6 = 5`,
 *   `\text{wrong} = 5` are false equations, never a value);
 * - chains: all links must hold (`x = 2+3 = 5` is 5; `3 = 4 = 5` and `x = 4 = 5` are false);
 * - `≈` ends the exact part: `x = 1/3 ≈ 0.33` is 1/3, `x ≈ 11` is 11 (Math-Verify's reading);
 * - `≠`, `<`, `∉`, negated orders: never a single value.
 * A *gold* equation is trusted: its last side after a label is its value (`|AB| = 1` is 1).
 * Relation against relation: same left side → compare right sides; else `lhs − rhs` of both
 * must have a constant nonzero ratio (positive, or negative with the inequality flipped).
 */
import type { MathNode } from 'mathjs';
import { freeSymbols, numericValue } from './evaluate.ts';
import { because, close, parseExpr, POINTS, tick, type CompareContext } from './numbers.ts';
import { isLabel, MATH_WORDS, parseAnswer, type Answer } from './structure.ts';

type Rel = Extract<Answer, { t: 'rel' }>;
type Eq = (g: Answer, p: Answer, ctx: CompareContext) => boolean;

const FLIP: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '=': '=', '!=': '!=' };
/** Short words that isLabel accepts but that are prose, not variables. */
const NOT_VARIABLES = new Set(['not', 'no', 'nor', 'non', 'nan', 'err', 'bad', 'off', 'nil', 'yes', 'and', 'but', 'the', 'is', 'or']);
/** Longest run of letters a variable name may have outside subscripts and arguments (AB, ABC, PQR). */
const MAX_NAME_LETTERS = 3;

/** A variable or named quantity: x, x_1, f(x), P(A), |AB|, ABC, θ, (p,q,r). Not a `\text` word. */
export function isVariable(s: string): boolean {
  const t = s.trim();
  if (/[«»]/.test(t) || !isLabel(t)) return false;
  const head = t.replace(/\([^()]*\)/g, '').replace(/_[A-Za-z0-9]+/g, '').replace(/[|' ]/g, '');
  if (MATH_WORDS.has(head)) return true;
  return head.length <= MAX_NAME_LETTERS && !NOT_VARIABLES.has(head.toLowerCase());
}

/** Gold `label = value` (or a chain ending so): the value; else null. */
export function goldValue(a: Rel): string | null {
  const n = a.parts.length;
  if (a.ops.every((o) => o === '=' || o === '∈' || o === '≈') && isLabel(a.parts[n - 2])) return a.parts[n - 1];
  return null;
}

/**
 * The value a predicted relation commits to, or null (with `ctx.why`) when it has none: an
 * inequality, a negation, or a false equation.
 */
export function predValue(a: Rel, ctx: CompareContext, eq: Eq): string | null {
  if (!a.ops.every((o) => o === '=' || o === '≈' || o === '∈')) return null;
  let parts = a.parts;
  let ops = a.ops;
  if (ops.includes('∈')) {
    // `x ∈ S`: only as a whole, after a variable.
    return ops.length === 1 && ops[0] === '∈' && isVariable(parts[0]) ? parts[1] : null;
  }
  if (!isVariable(parts[0]) && isVariable(parts[parts.length - 1]) && ops.every((o) => o === '=')) {
    parts = [...parts].reverse();
    ops = [...ops].reverse();
  }
  let from = 0;
  if (isVariable(parts[0])) {
    from = 1;
    if (ops[0] === '≈') return parts[1]; // x ≈ 11
  }
  // The exact part ends at the first ≈.
  const approx = ops.indexOf('≈', from);
  const exact = parts.slice(from, approx < 0 ? parts.length : approx + 1);
  if (exact.length > 8) {
    because(ctx, 'false equation (chain too long to check)');
    return null;
  }
  for (let i = 1; i < exact.length; i++) {
    // Each link must hold; a link with a variable in it is not a numeric fact to check.
    if (!eq(parseAnswer(exact[i]), parseAnswer(exact[i - 1]), { ...ctx, why: undefined })) {
      because(ctx, `false equation: ${exact[i - 1].trim()} ≠ ${exact[i].trim()}`);
      return null;
    }
  }
  return exact[exact.length - 1];
}

/** `a < x <= b`, `x > 5`, `x <= 2` → an interval tuple. */
export function relToInterval(a: Rel): Answer | null {
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

export function relEqual(g: Rel, p: Rel, ctx: CompareContext, eq: Eq): boolean {
  if (g.ops.length !== p.ops.length) return because(ctx, 'a different relation');
  const norm = (s: string) => s.replace(/\s+/g, '');
  if (g.ops.length > 1) {
    return g.ops.every((o, i) => o === p.ops[i]) && g.parts.every((x, i) => eq(parseAnswer(x), parseAnswer(p.parts[i]), ctx));
  }
  const [gl, gr] = g.parts;
  const [pl, pr] = p.parts;
  const go = g.ops[0];
  const po = p.ops[0];
  if (go === po && (norm(gl) === norm(pl) || (isLabel(gl) && isVariable(pl) && go === '='))) {
    return eq(parseAnswer(gr), parseAnswer(pr), ctx);
  }
  if (go === '=' && po === '=' && isVariable(pr) && isLabel(gr) && norm(gr) === norm(pr)) {
    return eq(parseAnswer(gl), parseAnswer(pl), ctx);
  }
  // Algebraic: (gl − gr) = c·(pl − pr) with c constant.
  if (go !== po && FLIP[go] !== po) return because(ctx, 'a different relation');
  if (!['=', '!=', '<', '>', '<=', '>='].includes(go)) return because(ctx, 'a different relation');
  const gd = parseExpr(`(${gl})-(${gr})`);
  const pd = parseExpr(`(${pl})-(${pr})`);
  if (!gd || !pd) return false;
  return proportional(gd, pd, go, po, ctx);
}

function proportional(gd: MathNode, pd: MathNode, go: string, po: string, ctx: CompareContext): boolean {
  const syms = [...new Set([...freeSymbols(gd), ...freeSymbols(pd)])];
  if (syms.length === 0 || syms.length > 12) return because(ctx, 'a different relation');
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
      return because(ctx, 'a different relation');
    }
    const r = a.re / b.re;
    if (ratio === null) ratio = r;
    else if (!close(ratio, r) && Math.abs(ratio - r) > 1e-9 * Math.abs(ratio)) return because(ctx, 'a different relation');
    valid++;
  }
  tick(ctx);
  if (ratio === null || valid < 3 || Math.abs(ratio) < 1e-12) return because(ctx, 'a different relation');
  if (go === '=' || go === '!=') return go === po;
  return ratio > 0 ? go === po : FLIP[go] === po;
}
