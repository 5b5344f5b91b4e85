/**
 * Reference traces of the `arith` task in three styles:
 *
 *  - concise: the necessary steps, one operation per line, then "#### answer":
 *        47+38=85
 *        85*6=510
 *        #### 510
 *  - verbose: the same steps, then 1–3 redundant re-verification passes, each
 *    opened by a hedge ("Wait, let me double-check.") and closed by a
 *    confirmation that never changes the answer, then "#### answer". A pass
 *    repeats all steps, re-derives them digit by digit (85*6=80*6+5*6=480+30=510),
 *    checks them by inverse operations (85-38=47), or re-checks only the last step.
 *  - direct: "#### answer" only.
 *
 * The steps are identical in concise and verbose traces, so the verification
 * passes carry no information the answer needs: cutting them should keep
 * accuracy, which is exactly what length-penalty training has to discover.
 * Traces end without a newline; the trainer appends EOS.
 */
import { builtinTokenizer } from '../model/builtin-tokenizer.ts';
import { parseArith, type ArithExpr, type ArithStep } from './arith-expr.ts';
import { makeRng, type Random } from '../util/rng.ts';

export type TraceStyle = 'concise' | 'verbose' | 'direct';

const OPENERS = [
  'Wait, let me double-check.',
  'Hmm, let me verify that again.',
  'Let me check each step again.',
  'Actually, let me re-check all steps.',
] as const;
const CLOSERS = [
  (n: number) => 'Yes, that is correct.',
  (n: number) => `So the answer is still ${n}.`,
  (n: number) => `Yes, the answer is ${n}.`,
] as const;
type PassKind = 'repeat' | 'digits' | 'inverse' | 'last';
const PASS_KINDS: readonly PassKind[] = ['repeat', 'digits', 'inverse', 'last'];

/**
 * Verbose traces are kept within this many tokens (prompt excluded): difficulty
 * 5 prompts are ≤ 26 tokens, so prompt + trace + EOS stays within 256. Passes are
 * dropped from the end (never below one) until the trace fits.
 */
export const MAX_VERBOSE_TOKENS = 228;

export const stepLine = (s: ArithStep): string => `${s.a}${s.op}${s.b}=${s.result}`;
export const answerLine = (answer: number): string => `#### ${answer}`;

export function conciseTrace(e: ArithExpr): string {
  return [...e.steps.map(stepLine), answerLine(e.answer)].join('\n');
}

export function directTrace(e: ArithExpr): string {
  return answerLine(e.answer);
}

/** Digit-level re-derivation of one step (a plain repeat where there is nothing to split). */
function digitsLine(s: ArithStep): string {
  const { a, op, b, result } = s;
  if (op === '*') {
    if (a < 10) return stepLine(s);
    const hi = a - (a % 10), lo = a % 10;
    return `${a}*${b}=${hi}*${b}+${lo}*${b}=${hi * b}+${lo * b}=${result}`;
  }
  if (b < 10) return stepLine(s);
  const hi = b - (b % 10), lo = b % 10;
  if (lo === 0) return stepLine(s);
  const mid = op === '+' ? a + hi : a - hi;
  return `${a}${op}${b}=${a}${op}${hi}${op}${lo}=${mid}${op}${lo}=${result}`;
}

/** Inverse-operation check of one step: r−b=a for '+', r+b=a for '-', a repeat for '*'. */
function inverseLine(s: ArithStep): string {
  if (s.op === '+') return `${s.result}-${s.b}=${s.a}`;
  if (s.op === '-') return `${s.result}+${s.b}=${s.a}`;
  return stepLine(s);
}

function passBody(kind: PassKind, steps: ArithStep[]): string[] {
  switch (kind) {
    case 'repeat': return steps.map(stepLine);
    case 'digits': return steps.map(digitsLine);
    case 'inverse': return steps.map(inverseLine);
    case 'last': return [digitsLine(steps[steps.length - 1]!)];
  }
}

function verbosePass(rng: Random, e: ArithExpr, kind: PassKind): string[] {
  return [rng.pick(OPENERS), ...passBody(kind, e.steps), rng.pick(CLOSERS)(e.answer)];
}

/**
 * A verbose trace; `rng` picks the number of passes (1, 2, 3 with probability
 * 0.2, 0.4, 0.4: enough that the base mix averages > 2.5× the concise length),
 * their kinds and hedges.
 */
export function verboseTrace(e: ArithExpr, rng: Random): string {
  const u = rng.next();
  const nPasses = u < 0.2 ? 1 : u < 0.6 ? 2 : 3;
  const passes: string[][] = [];
  for (let p = 0; p < nPasses; p++) passes.push(verbosePass(rng, e, rng.pick(PASS_KINDS)));
  const steps = e.steps.map(stepLine);
  const build = () => [...steps, ...passes.flat(), answerLine(e.answer)].join('\n');
  let text = build();
  while (passes.length > 1 && builtinTokenizer.encode(text).length > MAX_VERBOSE_TOKENS) {
    passes.pop();
    text = build();
  }
  if (builtinTokenizer.encode(text).length > MAX_VERBOSE_TOKENS) {
    passes[0] = verbosePass(rng, e, 'last');
    text = build();
  }
  return text;
}

/**
 * The reference trace of `question` (an arith expression) in `style`;
 * deterministic from `seed` (only verbose traces use it).
 */
export function arithTrace(question: string | ArithExpr, style: TraceStyle, seed: number | string = 0): string {
  const e = typeof question === 'string' ? parseArith(question) : question;
  if (e.steps.length === 0) throw new Error(`arith: "${e.text}" has no operation to trace`);
  if (style === 'concise') return conciseTrace(e);
  if (style === 'direct') return directTrace(e);
  return verboseTrace(e, makeRng(`verbose|${seed}|${e.text}`));
}

/** Token length of the concise trace (EOS excluded): the concise oracle length. */
export function conciseOracleLength(question: string | ArithExpr): number {
  return builtinTokenizer.encode(arithTrace(question, 'concise')).length;
}
