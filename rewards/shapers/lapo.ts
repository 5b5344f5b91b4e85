/**
 * `lapo` — Length-Adaptive Policy Optimization (arXiv 2507.15758; code
 * ZJU-REAL/LAPO, reward_func_stage{1,2}.py). Length terms go to correct
 * answers only; C = `correct`/`wrong` (1 / 0).
 *
 * Stage 1 (discovery): the band [P_lo, P_hi] = the 30th–70th percentiles
 * (numpy-linear) of the prompt's correct lengths — those in the history
 * (earlier steps) together with the current group's (the pooling is an
 * unverified reading); d = the distance from L to the band (0 inside):
 *   r = C + w₁ · max(0, 1 − d/decay)      w₁ 0.7, decay 100 tokens
 * No correct length known → no length term.
 *
 * Stage 2 (internalisation): the prompt states a budget n — the `lapo` budget
 * policy's target, the median of the prompt's correct lengths — and
 *   r = C + w₂ · exp(−(L − n)² / (2σ²))       w₂ 0.8, σ 120 tokens
 * A rollout without a target gets C alone (counted in
 * `reward/lapo/missing_target`).
 *
 * σ and the decay are in the paper's token scale (answers of thousands of
 * tokens); scale them to the task.
 */
import { z } from 'zod';
import { quantile } from '../util.ts';
import { batchGroups, defineShaper } from './define.ts';

/** Stage 1's length term: 1 inside [lo, hi], decaying linearly to 0 over `decay` tokens outside. */
export function lapoBandTerm(length: number, lo: number, hi: number, decay: number): number {
  const d = length < lo ? lo - length : length > hi ? length - hi : 0;
  return Math.max(0, 1 - d / decay);
}

/** Stage 2's length term: exp(−(L − n)² / (2σ²)). */
export function lapoTargetTerm(length: number, n: number, sigma: number): number {
  return Math.exp(-((length - n) ** 2) / (2 * sigma * sigma));
}

export const lapo = defineShaper({
  summary: 'stage 1: C + 0.7·band(30–70th pct of correct lengths); stage 2: C + 0.8·exp(−(L−n)²/2σ²) with the stated budget n',
  schema: z.strictObject({
    stage: z.union([z.literal(1), z.literal(2)]).default(1).describe('1 = discovery (percentile band), 2 = internalisation (stated budget)'),
    correct: z.number().default(1).describe('C for a correct answer'),
    wrong: z.number().default(0).describe('C for a wrong answer'),
    /** w₁ of stage 1 (paper 0.7). */
    bandWeight: z.number().default(0.7).describe('w₁ of stage 1 (paper 0.7).'),
    lowPercentile: z.number().min(0).max(1).default(0.3).describe('Lower edge of the band (paper 30th percentile)'),
    highPercentile: z.number().min(0).max(1).default(0.7).describe('Upper edge of the band (paper 70th percentile)'),
    /** Tokens outside the band over which the stage-1 term falls from 1 to 0 (paper 100). */
    decay: z.number().positive().default(100).describe('Tokens outside the band over which the stage-1 term falls from 1 to 0 (paper 100).'),
    /** w₂ of stage 2 (paper 0.8). */
    targetWeight: z.number().default(0.8).describe('w₂ of stage 2 (paper 0.8).'),
    /** σ of stage 2's Gaussian, tokens (paper 120). */
    sigma: z.number().positive().default(120).describe('σ of stage 2\'s Gaussian, tokens (paper 120).'),
  }),
  make: (cfg) => {
    if (cfg.lowPercentile > cfg.highPercentile) throw new Error(`lapo: lowPercentile ${cfg.lowPercentile} > highPercentile ${cfg.highPercentile}`);
    return (batch, ctx) => {
      const out = batch.map((r) => (r.correct ? cfg.correct : cfg.wrong));
      if (cfg.stage === 2) {
        let missing = 0;
        batch.forEach((r, i) => {
          if (r.budget.target === undefined) missing++;
          else if (r.correct) out[i] += cfg.targetWeight * lapoTargetTerm(r.length, r.budget.target, cfg.sigma);
        });
        if (missing > 0) ctx.logMetric('reward/lapo/missing_target', missing / batch.length);
        return out;
      }
      for (const idx of batchGroups(batch).values()) {
        const known = [...ctx.history.correctLengths(batch[idx[0]].promptId), ...idx.filter((i) => batch[i].correct).map((i) => batch[i].length)];
        if (known.length === 0) continue;
        const lo = quantile(known, cfg.lowPercentile);
        const hi = quantile(known, cfg.highPercentile);
        for (const i of idx) if (batch[i].correct) out[i] += cfg.bandWeight * lapoBandTerm(batch[i].length, lo, hi, cfg.decay);
      }
      return out;
    };
  },
});
