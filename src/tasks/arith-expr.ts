/**
 * Expressions of the built-in `arith` task: generation, parsing, and the
 * train/test partition.
 *
 * An expression of difficulty d is a left fold of d operations,
 *   v₀ = a₀,  v_k = v_{k−1} op_k x_k   (k = 1..d),
 * written with the parentheses standard precedence needs, e.g. d = 4:
 *   ((47+38)*6-29)  → "(47+38)*6-29+12" … evaluated left to right, one
 * operation per step. Operand sizes keep every single step within reach of a
 * ~1M-parameter model (a step is a 2-digit × 1-digit product or a ≤3-digit ±
 * ≤2-digit sum), while several steps together are not (so "direct" answers
 * fail at difficulty ≥ 3):
 *   a₀ ∈ [10, 99]; '+'/'-' operands ∈ [2, 99]; '*' multipliers ∈ [2, 9],
 *   used only when v ≤ 99; every v_k ∈ [0, 999].
 *
 * Train/test split: an expression belongs to the test split iff
 * fnv1a("arith:" + text) mod 5 = 0 (20% of the space), so splits never overlap
 * whatever the seeds and sizes.
 */
import { fnv1a, type Random } from '../util/rng.ts';

export type ArithOp = '+' | '-' | '*';
export interface ArithStep {
  a: number;
  op: ArithOp;
  b: number;
  result: number;
}
export interface ArithExpr {
  /** The expression as shown to the model, e.g. "(47+38)*6-29". */
  text: string;
  /** Operations in evaluation order. */
  steps: ArithStep[];
  answer: number;
}

/** Bounds (with reasons) of generated expressions. */
export const ARITH_LIMITS = {
  /** First operand: two digits, so even difficulty 1 needs a real computation. */
  first: [10, 99],
  /** Addends/subtrahends: up to two digits, one written step each. */
  addend: [2, 99],
  /** Multipliers: one digit (a 2-digit × 1-digit product is learnable; 3-digit × 1-digit is not, for an S model). */
  multiplier: [2, 9],
  /** Multiply only small running values, so products stay ≤ 891. */
  maxMultiplicand: 99,
  /** Running values stay ≤ 3 digits: short steps, short traces. */
  maxValue: 999,
  maxDifficulty: 5,
} as const;

export type Split = 'train' | 'test';

export function splitOf(text: string): Split {
  return fnv1a('arith:' + text) % 5 === 0 ? 'test' : 'train';
}

export function applyOp(a: number, op: ArithOp, b: number): number {
  return op === '+' ? a + b : op === '-' ? a - b : a * b;
}

/** One random expression with `difficulty` operations (either split). */
export function randomArithExpr(rng: Random, difficulty: number): ArithExpr {
  if (!Number.isInteger(difficulty) || difficulty < 1 || difficulty > ARITH_LIMITS.maxDifficulty) {
    throw new Error(`arith: difficulty must be an integer in 1..${ARITH_LIMITS.maxDifficulty}, got ${difficulty}`);
  }
  const L = ARITH_LIMITS;
  let v = rng.between(L.first[0], L.first[1]);
  let text = String(v);
  // Whether the text so far has a '+'/'-' outside parentheses (then '*' needs them).
  let additiveTop = false;
  const steps: ArithStep[] = [];
  for (let k = 0; k < difficulty; k++) {
    const ops: ArithOp[] = [];
    if (v <= L.maxMultiplicand && v >= 2) ops.push('*', '*'); // weight 2: products are the steps that need writing down
    if (v + L.addend[0] <= L.maxValue) ops.push('+', '+');
    if (v >= L.addend[0]) ops.push('-', '-');
    const op = rng.pick(ops);
    let b: number;
    if (op === '*') b = rng.between(L.multiplier[0], L.multiplier[1]);
    else if (op === '+') b = rng.between(L.addend[0], Math.min(L.addend[1], L.maxValue - v));
    else b = rng.between(L.addend[0], Math.min(L.addend[1], v));
    const result = applyOp(v, op, b);
    steps.push({ a: v, op, b, result });
    if (op === '*') {
      text = (additiveTop ? `(${text})` : text) + `*${b}`;
      additiveTop = false;
    } else {
      text = `${text}${op}${b}`;
      additiveTop = true;
    }
    v = result;
  }
  return { text, steps, answer: v };
}

/**
 * Parse an expression over non-negative integers, + − × and parentheses with
 * standard precedence (recursive descent), listing the operations in the
 * order they are evaluated. Throws naming the column of the first error.
 */
export function parseArith(text: string): ArithExpr {
  let i = 0;
  const steps: ArithStep[] = [];
  const fail = (msg: string): never => {
    throw new Error(`arith: cannot parse "${text}" at column ${i + 1}: ${msg}`);
  };
  const atom = (): number => {
    if (text[i] === '(') {
      i++;
      const v = sum();
      if (text[i] !== ')') fail('expected ")"');
      i++;
      return v;
    }
    const m = /^\d+/.exec(text.slice(i));
    if (!m) return fail('expected a number or "("');
    i += m[0].length;
    return Number(m[0]);
  };
  const product = (): number => {
    let v = atom();
    while (text[i] === '*') {
      i++;
      const b = atom();
      const r = v * b;
      steps.push({ a: v, op: '*', b, result: r });
      v = r;
    }
    return v;
  };
  const sum = (): number => {
    let v = product();
    while (text[i] === '+' || text[i] === '-') {
      const op = text[i] as ArithOp;
      i++;
      const b = product();
      const r = applyOp(v, op, b);
      steps.push({ a: v, op, b, result: r });
      v = r;
    }
    return v;
  };
  const answer = sum();
  if (i !== text.length) fail('unexpected character');
  return { text, steps, answer };
}
