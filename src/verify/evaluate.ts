/**
 * Evaluation of whitelisted mathjs trees (see safe-math.ts) by our own walker — never by
 * mathjs' evaluator. Two modes:
 * - `exactValue`: rationals only (+ − × ÷, integer powers); null as soon as anything
 *   irrational, symbolic or too large appears.
 * - `numericValue`: complex floats `{re, im}` at given variable values; constants `pi`, `e`,
 *   `i`, `Infinity`; every other symbol must be in `scope`.
 */
import type { MathNode } from 'mathjs';
import * as R from './rational.ts';

/** Largest n for which n! is computed exactly (a 5,000-digit BigInt at most). */
const MAX_EXACT_FACTORIAL = 1_500;

function exactFactorial(a: R.Rational): R.Rational | null {
  if (a.d !== 1n || a.n < 0n || a.n > BigInt(MAX_EXACT_FACTORIAL)) return null;
  let r = 1n;
  for (let k = 2n; k <= a.n; k++) r *= k;
  return R.rat(r);
}
function exactBinom(a: R.Rational, b: R.Rational): R.Rational | null {
  if (a.d !== 1n || b.d !== 1n || b.n < 0n || a.n < b.n || b.n > 2_000n || a.n > 10n ** 30n) return null;
  let r = 1n;
  for (let t = 1n; t <= b.n; t++) r = (r * (a.n - b.n + t)) / t;
  return R.rat(r);
}

export function exactValue(node: MathNode): R.Rational | null {
  const n = node as any;
  switch (node.type) {
    case 'ConstantNode':
      return R.fromNumber(n.value);
    case 'SymbolNode':
      // A numeric literal read exactly from the source text (see parseExpr in compare.ts).
      return n.lit ?? null;
    case 'FunctionNode': {
      const name: string = n.fn?.name;
      const args = (n.args as MathNode[]).map(exactValue);
      if (args.some((a) => a === null)) return null;
      if (name === 'binom' && args.length === 2) return exactBinom(args[0]!, args[1]!);
      if (name === 'abs' && args.length === 1) return R.rat(args[0]!.n < 0n ? -args[0]!.n : args[0]!.n, args[0]!.d);
      return null;
    }
    case 'ParenthesisNode':
      return exactValue(n.content);
    case 'OperatorNode': {
      const args = n.args.map(exactValue) as (R.Rational | null)[];
      if (args.some((a) => a === null)) return null;
      const [a, b] = args as R.Rational[];
      switch (n.fn) {
        case 'add': return R.add(a, b);
        case 'subtract': return R.sub(a, b);
        case 'multiply': return R.mul(a, b);
        case 'divide': return R.div(a, b);
        case 'pow': return R.pow(a, b);
        case 'unaryMinus': return R.rat(-a.n, a.d);
        case 'unaryPlus': return a;
        case 'factorial': return exactFactorial(a);
        default: return null;
      }
    }
    default:
      return null;
  }
}

export interface Complex {
  re: number;
  im: number;
}
const C = (re: number, im = 0): Complex => ({ re, im });

function cmul(a: Complex, b: Complex): Complex {
  return C(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
}
function cdiv(a: Complex, b: Complex): Complex {
  if (b.im === 0) return C(a.re / b.re, a.im / b.re);
  const den = b.re * b.re + b.im * b.im;
  return C((a.re * b.re + a.im * b.im) / den, (a.im * b.re - a.re * b.im) / den);
}
function cexp(a: Complex): Complex {
  const m = Math.exp(a.re);
  return a.im === 0 ? C(m) : C(m * Math.cos(a.im), m * Math.sin(a.im));
}
function clog(a: Complex): Complex {
  if (a.im === 0 && a.re >= 0) return C(Math.log(a.re));
  return C(Math.log(Math.hypot(a.re, a.im)), Math.atan2(a.im, a.re));
}
function cpow(a: Complex, b: Complex): Complex {
  if (a.im === 0 && b.im === 0 && (a.re >= 0 || Number.isInteger(b.re))) return C(Math.pow(a.re, b.re));
  if (a.re === 0 && a.im === 0) return C(b.re > 0 ? 0 : NaN);
  if (b.im === 0 && Number.isInteger(b.re) && Math.abs(b.re) <= 64) {
    let r = C(1);
    for (let k = 0; k < Math.abs(b.re); k++) r = cmul(r, a);
    return b.re < 0 ? cdiv(C(1), r) : r;
  }
  return cexp(cmul(b, clog(a)));
}
function csqrt(a: Complex): Complex {
  if (a.im === 0) return a.re >= 0 ? C(Math.sqrt(a.re)) : C(0, Math.sqrt(-a.re));
  return cpow(a, C(0.5));
}
/** Real-valued functions: complex arguments give NaN (answers with complex trig are not expected). */
const REAL: Record<string, (x: number) => number> = {
  sin: Math.sin, cos: Math.cos, tan: Math.tan,
  sec: (x) => 1 / Math.cos(x), csc: (x) => 1 / Math.sin(x), cot: (x) => 1 / Math.tan(x),
  asin: Math.asin, acos: Math.acos, atan: Math.atan, sinh: Math.sinh, cosh: Math.cosh, tanh: Math.tanh,
  log10: Math.log10, log2: Math.log2, floor: Math.floor, ceil: Math.ceil,
};
function factorial(x: number): number {
  if (!Number.isInteger(x) || x < 0) return NaN;
  if (x > 170) return Infinity; // bounded loop: 171! overflows a double anyway
  let r = 1;
  for (let k = 2; k <= x; k++) r *= k;
  return r;
}

/** Value at `scope`; `memo` (optional) caches per node, so checks that visit every subtree stay linear. */
export function numericValue(node: MathNode, scope: Record<string, number>, memo?: Map<MathNode, Complex>): Complex {
  if (!memo) return evalNode(node, scope, undefined);
  const hit = memo.get(node);
  if (hit) return hit;
  const v = evalNode(node, scope, memo);
  memo.set(node, v);
  return v;
}

function evalNode(node: MathNode, scope: Record<string, number>, memo: Map<MathNode, Complex> | undefined): Complex {
  const n = node as any;
  switch (node.type) {
    case 'ConstantNode':
      return C(n.value);
    case 'SymbolNode': {
      const name: string = n.name;
      if (n.lit !== undefined) return C(n.litValue);
      if (Object.hasOwn(scope, name)) return C(scope[name]);
      if (name === 'pi') return C(Math.PI);
      if (name === 'e') return C(Math.E);
      if (name === 'i') return C(0, 1);
      if (name === 'Infinity') return C(Infinity);
      return C(NaN);
    }
    case 'ParenthesisNode':
      return numericValue(n.content, scope, memo);
    case 'OperatorNode': {
      const a = numericValue(n.args[0], scope, memo);
      if (n.args.length === 1) {
        if (n.fn === 'unaryMinus') return C(-a.re, -a.im);
        if (n.fn === 'factorial') return C(a.im === 0 ? factorial(a.re) : NaN);
        return a;
      }
      const b = numericValue(n.args[1], scope, memo);
      switch (n.fn) {
        case 'add': return C(a.re + b.re, a.im + b.im);
        case 'subtract': return C(a.re - b.re, a.im - b.im);
        case 'multiply': return cmul(a, b);
        case 'divide': return cdiv(a, b);
        case 'pow': return cpow(a, b);
        default: return C(NaN);
      }
    }
    case 'FunctionNode': {
      const name: string = n.fn.name;
      const args = (n.args as MathNode[]).map((x) => numericValue(x, scope, memo));
      const a = args[0] ?? C(NaN);
      switch (name) {
        case 'sqrt': return csqrt(a);
        case 'nthRoot': {
          const k = args[1]?.re ?? 2;
          if (a.im === 0 && a.re < 0 && Number.isInteger(k) && k % 2 === 1) return C(-Math.pow(-a.re, 1 / k));
          return cpow(a, C(1 / k));
        }
        case 'exp': return cexp(a);
        case 'log': case 'ln':
          return args.length === 2 ? cdiv(clog(a), clog(args[1])) : clog(a);
        case 'abs': return C(Math.hypot(a.re, a.im));
        case 'binom': {
          const [nn, kk] = [a.re, args[1]?.re ?? NaN];
          if (!Number.isInteger(nn) || !Number.isInteger(kk) || kk < 0 || nn < kk || kk > 1000) return C(NaN);
          let r = 1;
          for (let t = 1; t <= kk; t++) r = (r * (nn - kk + t)) / t;
          return C(Math.round(r));
        }
        default: {
          return Object.hasOwn(REAL, name) && a.im === 0 ? C(REAL[name](a.re)) : C(NaN);
        }
      }
    }
    default:
      return C(NaN);
  }
}

/** Free symbols of a tree (function names excluded; pi, e, i, Infinity are constants). */
export function freeSymbols(node: MathNode, out = new Set<string>()): Set<string> {
  const n = node as any;
  if (node.type === 'SymbolNode') {
    if (n.lit === undefined && !['pi', 'e', 'i', 'Infinity'].includes(n.name)) out.add(n.name);
  } else if (node.type === 'ParenthesisNode') freeSymbols(n.content, out);
  else if (node.type === 'OperatorNode' || node.type === 'FunctionNode') for (const a of n.args) freeSymbols(a, out);
  return out;
}
