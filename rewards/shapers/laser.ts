/**
 * LASER and LASER-D — length-based step rewards (Liu et al., "Learn to Reason
 * Efficiently with Adaptive Length-based Reward Shaping", arXiv 2505.15612;
 * code hkust-nlp/Laser).
 *
 * `laser`:   r = C + α·[c ∧ L ≤ L_T]
 *   C = `correct` if c else `wrong` (1 / 0), α 0.5 (the paper's). L_T is
 *   `targetLength` when set, else the rollout's budget target, else
 *   ⌈targetFraction · cap⌉ (0.5: unverified — the paper fixes L_T per run).
 *
 * `laser-d`: the same step reward with L_T per difficulty bucket. A group's
 *   bucket comes from its accuracy p: easy p ≥ 2/3, medium p ≥ 1/3, else
 *   hard. Each bucket's L_T is re-estimated every `every` steps from the
 *   history (standing in for the paper's monitor set, unverified): the
 *   outcomes recorded in the `every` steps before the latest multiple of
 *   `every`, bucketed by their prompt's accuracy over those outcomes; L_T is
 *   the smallest recorded length L with
 *     ECR(L) = n · #{correct, length ≤ L} / #{outcomes} ≥ 1
 *   (the "expected correct responses" at budget L with group size n: the
 *   shortest budget at which a group of n would still expect one correct
 *   answer). No such L (or no history yet) → the bucket uses the `laser` L_T.
 *   Logs `reward/laser-d/target_{easy,medium,hard}`.
 */
import { z } from 'zod';
import type { PromptHistoryReader, ScoredRollout } from '../types.ts';
import { batchGroups, defineShaper } from './define.ts';

const stepFields = {
  /** α: the bonus for a correct answer within the target (paper 0.5). */
  alpha: z.number().default(0.5).describe('α: the bonus for a correct answer within the target (paper 0.5).'),
  correct: z.number().default(1).describe('C for a correct answer'),
  wrong: z.number().default(0).describe('C for a wrong answer'),
  /** L_T in tokens; unset = the rollout's budget target, else targetFraction × cap. */
  targetLength: z.number().int().positive().optional().describe('L_T in tokens; unset = the rollout\'s budget target, else targetFraction × cap.'),
  /** L_T as a fraction of the cap when neither targetLength nor a budget target is given (unverified). */
  targetFraction: z.number().gt(0).max(1).default(0.5).describe('L_T as a fraction of the cap when neither targetLength nor a budget target is given (unverified).'),
};

type StepConfig = { alpha: number; correct: number; wrong: number; targetLength?: number; targetFraction: number };

/** The `laser` target for one rollout. */
export function laserTarget(r: ScoredRollout, c: StepConfig): number {
  return c.targetLength ?? r.budget.target ?? Math.ceil(c.targetFraction * r.budget.cap);
}

/** C + α·[c ∧ L ≤ L_T]. */
export function laserStep(r: ScoredRollout, target: number, c: StepConfig): number {
  return (r.correct ? c.correct : c.wrong) + (r.correct && r.length <= target ? c.alpha : 0);
}

export const laser = defineShaper({
  summary: 'r = C + α·[correct ∧ L ≤ L_T] (α 0.5)',
  schema: z.strictObject(stepFields),
  make: (cfg) => (batch) => batch.map((r) => laserStep(r, laserTarget(r, cfg), cfg)),
});

export type Bucket = 'easy' | 'medium' | 'hard';
export const BUCKETS: readonly Bucket[] = ['easy', 'medium', 'hard'];

/** Difficulty bucket of an accuracy p: easy ≥ 2/3, medium ≥ 1/3, else hard. */
export function bucketOf(p: number): Bucket {
  return p >= 2 / 3 ? 'easy' : p >= 1 / 3 ? 'medium' : 'hard';
}

/**
 * Smallest length L among `outcomes` with n · #{correct, length ≤ L} / #outcomes ≥ 1;
 * undefined when even all correct outcomes do not reach it.
 */
export function ecrTarget(outcomes: readonly { correct: boolean; length: number }[], n: number): number | undefined {
  if (outcomes.length === 0) return undefined;
  const correct = outcomes.filter((o) => o.correct).map((o) => o.length).sort((a, b) => a - b);
  for (let k = 0; k < correct.length; k++) {
    if ((n * (k + 1)) / outcomes.length >= 1) return correct[k];
  }
  return undefined;
}

/** Per-bucket L_T from the history's outcomes in steps [from, to). */
export function bucketTargets(history: PromptHistoryReader, from: number, to: number, n: number): Partial<Record<Bucket, number>> {
  const pooled: Record<Bucket, { correct: boolean; length: number }[]> = { easy: [], medium: [], hard: [] };
  for (const id of history.promptIds()) {
    const os = history.outcomes(id).filter((o) => o.step >= from && o.step < to);
    if (os.length === 0) continue;
    pooled[bucketOf(os.filter((o) => o.correct).length / os.length)].push(...os);
  }
  const out: Partial<Record<Bucket, number>> = {};
  for (const b of BUCKETS) {
    const t = ecrTarget(pooled[b], n);
    if (t !== undefined) out[b] = t;
  }
  return out;
}

export const laserD = defineShaper({
  summary: 'LASER with L_T per difficulty bucket (group accuracy), re-estimated every k steps from the history',
  schema: z.strictObject({
    ...stepFields,
    /** Re-estimate the bucket targets every this many steps (unverified cadence). */
    every: z.number().int().positive().default(10).describe('Re-estimate the bucket targets every this many steps (unverified cadence).'),
  }),
  make: (cfg) => (batch, ctx) => {
    const to = Math.floor(ctx.step / cfg.every) * cfg.every;
    const out = new Array<number>(batch.length).fill(0);
    const groups = [...batchGroups(batch).values()];
    const n = Math.max(1, ...groups.map((g) => g.length));
    const targets = bucketTargets(ctx.history, to - cfg.every, to, n);
    for (const idx of groups) {
      const bucket = bucketOf(idx.filter((i) => batch[i].correct).length / idx.length);
      for (const i of idx) out[i] = laserStep(batch[i], targets[bucket] ?? laserTarget(batch[i], cfg), cfg);
    }
    for (const b of BUCKETS) if (targets[b] !== undefined) ctx.logMetric(`reward/laser-d/target_${b}`, targets[b]!);
    return out;
  },
});
