/**
 * Equality of two expressions (numbers, constants, expressions in variables), gold first.
 *
 * The labels' rule is *exact equality*:
 * - Numbers written in the answer are read exactly from the text (BigInt rationals, never
 *   through a double), so `9.007199254740992 \times 10^{15}` ≠ 9007199254740993 and
 *   `1.234567890123456789 \times 10^{19}` = 12345678901234567890.
 * - Rational values (integers, decimals, fractions, integer powers, n!, binomials) compare
 *   exactly: 0.333333 ≠ 1/3, 0.5 = 1/2.
 * - A rational against an irrational-looking expression (`\log_2 8`, `\sin(\pi/6)`, `\sqrt 2`):
 *   equal only when the expression's value is that rational — within 1e-12 relative, for a
 *   rational with a denominator ≤ 10^4 (the closest such rational to an irrational is ~1e-9
 *   away, so a decimal never passes for π or √2, and 355/113 ≠ π).
 * - Two irrational values (2√3 vs √12): within 1e-12 relative, and only when both are
 *   *resolvable* in doubles — no literal beyond 15 significant digits, no sum whose terms
 *   cancel or differ by more than 10^9 (√2 + 10^{-20} is not √2).
 * - Expressions in variables: equal values at ≥ 3 of 8 fixed points (six in [0.4, 2.7], two
 *   negative), no point disagreeing, each point resolvable as above.
 * The only tolerance is the explicit `floatRounding: k` option (Math-Verify's
 * `float_rounding`): values equal after rounding to k decimals. No symbolic algebra: evaluation
 * decides, in bounded time.
 */
import type { MathNode } from 'mathjs';
import { safeParse } from './safe-math.ts';
import { exactValue, freeSymbols, numericValue, type Complex } from './evaluate.ts';
import * as R from './rational.ts';
import { MATH_WORDS } from './structure.ts';

export interface CompareContext {
  floatRounding?: number;
  deadline: number;
  /** The first decisive reason for a rejection, in words (for `--explain`). */
  why?: string;
}

export class Timeout extends Error {}

export function tick(ctx: CompareContext): void {
  if (performance.now() > ctx.deadline) throw new Timeout('verification exceeded its time bound');
}
export function because(ctx: CompareContext, why: string): false {
  ctx.why ??= why;
  return false;
}

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

/** `((x))` → `(x)` in one linear pass: 100 redundant parentheses cost nothing to parse. */
export function collapseParens(s: string): string {
  if (!s.includes('((')) return s;
  const match = new Int32Array(s.length).fill(-1);
  const stack: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') stack.push(i);
    else if (s[i] === ')' && stack.length) match[stack.pop()!] = i;
  }
  const drop = new Uint8Array(s.length);
  for (let i = 0; i + 1 < s.length; i++) {
    if (s[i] === '(' && s[i + 1] === '(' && match[i] >= 0 && match[i + 1] === match[i] - 1) {
      drop[i] = 1;
      drop[match[i]] = 1;
    }
  }
  let out = '';
  for (let i = 0; i < s.length; i++) if (!drop[i]) out += s[i];
  return out;
}

/** Numeric literals (not inside names such as x_12): replaced by `litK` symbols read exactly. */
const LITERAL = /(?<![A-Za-z0-9_.])(\d+(?:\.\d*)?|\.\d+)(?![\d.])/g;
/** Significant digits a double holds faithfully. */
const DOUBLE_DIGITS = 15;

const astCache = new Map<string, MathNode | null>();
export function clearAstCache(): void {
  astCache.clear();
}

/**
 * Parse through the restricted mathjs (safe-math.ts). Every numeric literal is replaced by a
 * symbol `litK` (a name toMathjs can never produce: it splits letter runs) carrying its exact
 * rational (`lit`), its double (`litValue`) and whether the double is faithful (`litExact`).
 */
export function parseExpr(src: string): MathNode | null {
  let hit = astCache.get(src);
  if (hit !== undefined) return hit;
  try {
    const lits: string[] = [];
    const text = collapseParens(toMathjs(src)).replace(LITERAL, (m) => {
      lits.push(m);
      return ` lit${lits.length - 1} `;
    }).replace(/(lit\d+)\s*\(/g, '$1*(');
    const node = safeParse(text);
    node.traverse((n) => {
      const s = n as any;
      if (n.type === 'SymbolNode' && /^lit\d+$/.test(s.name)) {
        const raw = lits[Number(s.name.slice(3))];
        s.lit = R.parseDecimal(raw);
        s.litValue = Number(raw);
        s.litExact = raw.replace(/^0*\.?0*|\./g, '').replace(/0+$/, '').length <= DOUBLE_DIGITS;
      }
    });
    hit = node;
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

/** Float agreement for values that are not rational: rounding error only. */
export function close(a: number, b: number): boolean {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= 1e-15 + 1e-12 * Math.max(Math.abs(a), Math.abs(b));
}
function closeC(a: Complex, b: Complex, k?: number): boolean {
  if (k !== undefined && a.im === 0 && b.im === 0 && roundEq(a.re, b.re, k)) return true;
  return close(a.re, b.re) && close(a.im, b.im);
}

/**
 * Whether doubles can decide equality for this tree at this point: every literal is faithful
 * in a double, and no sum has terms that cancel or differ by more than 10^9 (`√2 + 10^{-20}`,
 * `(√2 + 10^{9}) − 10^{9}`). Exact-zero terms are fine.
 */
export function resolvable(node: MathNode, scope: Record<string, number>): boolean {
  let ok = true;
  const memo = new Map<MathNode, Complex>();
  node.traverse((n) => {
    if (!ok) return;
    const s = n as any;
    if (n.type === 'SymbolNode' && s.lit !== undefined && !s.litExact) ok = false;
    else if (n.type === 'OperatorNode' && (s.fn === 'add' || s.fn === 'subtract') && s.args.length === 2) {
      const a = numericValue(s.args[0], scope, memo);
      const b = numericValue(s.args[1], scope, memo);
      const ma = Math.hypot(a.re, a.im);
      const mb = Math.hypot(b.re, b.im);
      if (!(ma > 0 && mb > 0) || !Number.isFinite(ma) || !Number.isFinite(mb)) return;
      const sum = s.fn === 'add' ? Math.hypot(a.re + b.re, a.im + b.im) : Math.hypot(a.re - b.re, a.im - b.im);
      const big = Math.max(ma, mb);
      if (Math.min(ma, mb) < 1e-9 * big || (sum > 0 && sum < 1e-9 * big)) ok = false;
    }
  });
  return ok;
}

const DECIMAL_WHY = 'a decimal is not exactly this value (equality is exact; rounding only with floatRounding)';

function exactEq(g: R.Rational, p: R.Rational, k: number | undefined): boolean {
  if (R.eq(g, p)) return true;
  return k !== undefined && roundEq(R.toNumber(g), R.toNumber(p), k);
}

/** Sample points: mostly positive (sqrt/log real), two negative (odd vs even functions differ). */
const POINTS = [0.7312, 1.3127, 2.1931, 0.4173, 1.8829, 2.6619, -0.6123, -1.4471];
export { POINTS };

function scaled(x: R.Rational | null, pct: boolean): R.Rational[] {
  if (!x) return [];
  return pct ? [x, R.rat(x.n, x.d * 100n)!] : [x];
}

/** A rational with a small denominator, within double range: may stand for an irrational-looking expression. */
const SMALL_DENOMINATOR = 10_000n;
function plainRational(x: R.Rational): boolean {
  return x.d <= SMALL_DENOMINATOR && (x.n < 0n ? -x.n : x.n) < 2n ** 50n;
}

export function exprEqual(g: { src: string; pct: boolean }, p: { src: string; pct: boolean }, ctx: CompareContext): boolean {
  const gs = g.src.replace(/\s+/g, '');
  const ps = p.src.replace(/\s+/g, '');
  if (gs === ps && g.pct === p.pct) return gs !== '';
  const k = ctx.floatRounding;
  // Fast path: plain integers, decimals, fractions; no mathjs.
  const gf = fastExact(gs);
  const pf = fastExact(ps);
  if (gf && pf) {
    for (const a of scaled(gf, g.pct)) for (const b of scaled(pf, p.pct)) if (exactEq(a, b, k)) return true;
    return because(ctx, R.terminates(gf) || !ps.includes('.') ? 'a different number (compared exactly)' : DECIMAL_WHY);
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
      for (const a of scaled(ge, g.pct)) for (const b of scaled(pe, p.pct)) if (exactEq(a, b, k)) return true;
      return because(ctx, 'a different number (compared exactly)');
    }
    const gv = numericValue(gn, {});
    const pv = numericValue(pn, {});
    // Overflow (10^{10^{10}}) is not a value: only a written Infinity may equal Infinity.
    const finite = (v: Complex) => Number.isFinite(v.re) && Number.isFinite(v.im);
    if (!finite(gv) || !finite(pv)) {
      return gs.includes('Infinity') && ps.includes('Infinity') && gv.re === pv.re && gv.im === pv.im;
    }
    const exactSide = ge ?? pe;
    const rounded = (a: number, b: number) => k !== undefined && gv.im === 0 && pv.im === 0 && roundEq(gv.re * a, pv.re * b, k);
    for (const a of gScale) for (const b of pScale) {
      if (rounded(a, b)) return true;
      if (exactSide && !plainRational(exactSide)) continue;
      // Resolvability is checked only for a match (it walks every sum).
      if (closeC({ re: gv.re * a, im: gv.im * a }, { re: pv.re * b, im: pv.im * b }) && resolvable(gn, {}) && resolvable(pn, {})) return true;
    }
    if (exactSide && Math.abs(gv.re - pv.re) <= 1e-3 * Math.max(1, Math.abs(gv.re))) return because(ctx, DECIMAL_WHY);
    return because(ctx, 'a different value');
  }
  if (syms.length > 12) return false;
  for (const a of gScale) for (const b of pScale) {
    let valid = 0;
    let ok = true;
    for (let j = 0; j < POINTS.length && ok; j++) {
      const scope: Record<string, number> = {};
      syms.forEach((name, v) => (scope[name] = POINTS[(j + 2 * v) % POINTS.length] + 0.1 * v));
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
      else if (closeC({ re: gv.re * a, im: gv.im * a }, { re: pv.re * b, im: pv.im * b }) && resolvable(pn, scope)) valid++;
      else ok = false;
    }
    tick(ctx);
    if (ok && valid >= 3) return true;
  }
  return because(ctx, 'a different expression');
}
