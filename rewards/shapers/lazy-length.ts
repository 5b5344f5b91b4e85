/**
 * `lazy-length` — the lazy length penalty of Short-RL ("Shorten After You're
 * Right", arXiv 2505.12284; code lblankl/Short-RL). Three gates:
 *   1. only correct answers are penalised;
 *   2. only once training accuracy is stably improving: with acc(s) the
 *      accuracy of every outcome the history recorded at step s, the gate is
 *      open at step t when steps t−2k … t−1 all have outcomes and
 *      mean(acc over the last k) − mean(acc over the k before) ≥ minRise;
 *   3. only beyond a tolerance over the group's shortest correct answer:
 *      L > (1 + τ)·L_min.
 * Then, with L_min, L_max over the group's correct lengths,
 *   r = C − α · (L − L_min)/(L_max − L_min)     (gates open)
 *   r = C                                       (otherwise)
 * C = `correct`/`wrong` (1 / 0). The gates are the paper's; the penalty's
 * shape (a Kimi-like linear ramp in [−α, 0]), α 0.5, τ 0.1, k 5 and
 * minRise 0 are unverified readings. Logs `reward/lazy-length/gate` (0/1).
 */
import { z } from 'zod';
import type { PromptHistoryReader } from '../types.ts';
import { mean } from '../util.ts';
import { batchGroups, defineShaper } from './define.ts';

/** Training accuracy per step over steps [from, to) from the history; NaN where a step has no outcome. */
export function stepAccuracies(history: PromptHistoryReader, from: number, to: number): number[] {
  const hits = new Array<number>(Math.max(0, to - from)).fill(0);
  const counts = new Array<number>(hits.length).fill(0);
  for (const id of history.promptIds()) {
    for (const o of history.outcomes(id)) {
      if (o.step < from || o.step >= to) continue;
      counts[o.step - from]++;
      if (o.correct) hits[o.step - from]++;
    }
  }
  return hits.map((h, i) => (counts[i] > 0 ? h / counts[i] : NaN));
}

/** Whether accuracy is stably improving at `step` (gate 2). */
export function accuracyGate(history: PromptHistoryReader, step: number, k: number, minRise: number): boolean {
  const acc = stepAccuracies(history, step - 2 * k, step);
  if (acc.length < 2 * k || acc.some((a) => Number.isNaN(a))) return false;
  return mean(acc.slice(k)) - mean(acc.slice(0, k)) >= minRise;
}

export const lazyLength = defineShaper({
  summary: 'correct answers beyond (1+τ)·L_min lose α·(L−L_min)/(L_max−L_min), once training accuracy is stably rising',
  schema: z.strictObject({
    /** α: the largest penalty, at the group's longest correct answer (unverified). */
    alpha: z.number().min(0).default(0.5).describe('α: the largest penalty, at the group\'s longest correct answer (unverified).'),
    /** τ: correct answers up to (1 + τ)·L_min are not penalised (unverified). */
    tolerance: z.number().min(0).default(0.1).describe('τ: correct answers up to (1 + τ)·L_min are not penalised (unverified).'),
    /** k: steps in each of the two windows compared by the accuracy gate (unverified). */
    stableSteps: z.number().int().positive().default(5).describe('k: steps in each of the two windows compared by the accuracy gate (unverified).'),
    /** Rise of mean accuracy (last k vs the k before) that opens the gate. */
    minRise: z.number().default(0).describe('Rise of mean accuracy (last k vs the k before) that opens the gate.'),
    correct: z.number().default(1).describe('C for a correct answer'),
    wrong: z.number().default(0).describe('C for a wrong answer'),
  }),
  make: (cfg) => (batch, ctx) => {
    const open = accuracyGate(ctx.history, ctx.step, cfg.stableSteps, cfg.minRise);
    const out = batch.map((r) => (r.correct ? cfg.correct : cfg.wrong));
    if (open) {
      for (const idx of batchGroups(batch).values()) {
        const ls = idx.filter((i) => batch[i].correct).map((i) => batch[i].length);
        if (ls.length < 2) continue;
        const lo = Math.min(...ls);
        const hi = Math.max(...ls);
        if (hi === lo) continue;
        for (const i of idx) {
          const L = batch[i].length;
          if (batch[i].correct && L > (1 + cfg.tolerance) * lo) out[i] -= (cfg.alpha * (L - lo)) / (hi - lo);
        }
      }
    }
    if (batch.length > 0) ctx.logMetric('reward/lazy-length/gate', open ? 1 : 0);
    return out;
  },
});
