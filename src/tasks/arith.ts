/**
 * The built-in task `arith`: integer expressions with + − × and parentheses,
 * difficulty = number of operations (1–5). See arith-expr.ts for the problem
 * space, arith-traces.ts for the reference traces, arith-segment.ts for the
 * redundant-token measure.
 *
 * Splits are deterministic from (split, seed, size, difficulty mix): counts per
 * difficulty are the mix's proportions of `size` (largest remainder), problems
 * are distinct within a split, and train/test never overlap (hash partition of
 * the expression text), so a fresh held-out set is just another seed.
 */
import { z } from 'zod';
import type { Problem, Task } from './types.ts';
import { builtinPrompt } from './prompts.ts';
import { randomArithExpr, splitOf, ARITH_LIMITS, type ArithExpr, type Split } from './arith-expr.ts';
import { conciseOracleLength, arithTrace, type TraceStyle } from './arith-traces.ts';
import { makeRng, type Random } from '../util/rng.ts';

const Mix = z.array(z.number().nonnegative()).length(ARITH_LIMITS.maxDifficulty)
  .refine((w) => w.some((x) => x > 0), 'at least one difficulty weight must be positive');

export const ArithSplitSpecSchema = z.strictObject({
  size: z.number().int().positive(),
  seed: z.number().int().nonnegative(),
  /** Weights of difficulties 1..5 (normalised); default uniform, the "base mix". */
  difficultyMix: Mix.default([1, 1, 1, 1, 1]),
});
export type ArithSplitSpec = z.input<typeof ArithSplitSpecSchema>;

export const ArithTaskOptionsSchema = z.strictObject({
  /** 10k train problems: plenty of RL prompts, generated in well under a second. */
  train: ArithSplitSpecSchema.default({ size: 10000, seed: 0, difficultyMix: [1, 1, 1, 1, 1] }),
  /** The fixed 1,000-problem test split used by the benchmarks (seed 1234). */
  test: ArithSplitSpecSchema.default({ size: 1000, seed: 1234, difficultyMix: [1, 1, 1, 1, 1] }),
});
export type ArithTaskOptions = z.input<typeof ArithTaskOptionsSchema>;

/** Counts per difficulty: proportional to the weights, rounded by largest remainder so they sum to `size`. */
export function difficultyCounts(size: number, mix: readonly number[]): number[] {
  const total = mix.reduce((a, b) => a + b, 0);
  const exact = mix.map((w) => (w / total) * size);
  const counts = exact.map(Math.floor);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0, left = size - counts.reduce((a, b) => a + b, 0); k < left; k++) counts[order[k]![1]]++;
  return counts;
}

/** A random expression of `difficulty` that lies in `split` (rejection sampling, ~5 draws for test). */
export function sampleArithExpr(rng: Random, difficulty: number, split: Split): ArithExpr {
  for (;;) {
    const e = randomArithExpr(rng, difficulty);
    if (splitOf(e.text) === split) return e;
  }
}

export function toProblem(e: ArithExpr, id: string): Problem {
  return { id, question: e.text, gold: String(e.answer), difficulty: e.steps.length, conciseOracleLength: conciseOracleLength(e) };
}

/** The problems of one split: distinct expressions, shuffled difficulties, deterministic. */
export function generateArithSplit(split: Split, spec: ArithSplitSpec): Problem[] {
  const { size, seed, difficultyMix } = ArithSplitSpecSchema.parse(spec);
  const rng = makeRng(`arith|${split}|${seed}`);
  const counts = difficultyCounts(size, difficultyMix);
  const order: number[] = counts.flatMap((c, i) => Array<number>(c).fill(i + 1));
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.between(0, i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const seen = new Set<string>();
  return order.map((d, i) => {
    for (let tries = 0; ; tries++) {
      const e = sampleArithExpr(rng, d, split);
      if (!seen.has(e.text)) {
        seen.add(e.text);
        return toProblem(e, `arith-${split}-s${seed}-${i}`);
      }
      if (tries > 2000) {
        throw new Error(`arith: cannot find ${counts[d - 1]} distinct difficulty-${d} problems for the ${split} split; ask for a smaller size or a different difficultyMix`);
      }
    }
  });
}

/**
 * Style of a base-model training trace given the difficulty: overall 60%
 * verbose / 30% concise / 10% direct over the uniform mix, with direct answers
 * given mostly to easy problems (25% at difficulty 1 … 2% at 5, mean 10%) as
 * a reasoner would; the rest split 2:1 verbose:concise. The prompt never says which.
 */
export const DIRECT_SHARE_BY_DIFFICULTY = [0.25, 0.15, 0.05, 0.03, 0.02] as const;
export function sampleBaseStyle(rng: Random, difficulty: number): TraceStyle {
  const u = rng.next();
  const direct = DIRECT_SHARE_BY_DIFFICULTY[difficulty - 1] ?? 0.1;
  if (u < direct) return 'direct';
  return u < direct + ((1 - direct) * 2) / 3 ? 'verbose' : 'concise';
}

export interface TrainExample {
  prompt: string;
  response: string;
  style: TraceStyle;
  difficulty: number;
}

/** One supervised example from the train split (an endless stream when called repeatedly with one rng). */
export function sampleBaseExample(rng: Random, difficultyMix: readonly number[] = [1, 1, 1, 1, 1]): TrainExample {
  const total = difficultyMix.reduce((a, b) => a + b, 0);
  let u = rng.next() * total;
  let d = 1;
  while (d < difficultyMix.length && u >= difficultyMix[d - 1]!) {
    u -= difficultyMix[d - 1]!;
    d++;
  }
  const e = sampleArithExpr(rng, d, 'train');
  const style = sampleBaseStyle(rng, d);
  return { prompt: builtinPrompt(e.text), response: arithTrace(e, style, rng.between(0, 2 ** 31)), style, difficulty: d };
}

export interface ArithTask extends Task {
  readonly options: z.infer<typeof ArithTaskOptionsSchema>;
  /** Reference trace of a problem of this task. */
  trace(p: Problem, style: TraceStyle, seed?: number): string;
}

export function makeArithTask(options: ArithTaskOptions = {}): ArithTask {
  const opts = ArithTaskOptionsSchema.parse(options);
  const cache = new Map<Split, Problem[]>();
  return {
    name: 'arith',
    options: opts,
    extractors: ['hash'],
    answerTrigger: '\n#### ',
    problems(split) {
      let ps = cache.get(split);
      if (!ps) cache.set(split, (ps = generateArithSplit(split, opts[split])));
      return ps;
    },
    formatPrompt: (p) => builtinPrompt(p.question),
    trace: (p, style, seed = 0) => arithTrace(p.question, style, seed),
  };
}
