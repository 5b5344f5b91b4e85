/**
 * `grpo-lambda` — GRPO-λ correctness-gated length penalty (Stable RL for
 * Efficient Reasoning, 2025). Per group p = mean_G c. Selected groups get the
 * length-penalized reward `correctness + lengthWeight · kimi_i` (the Kimi form,
 * see `kimi.ts`); the other groups get plain correctness (`correct`/`wrong`).
 *
 * Selection (unverified reading): `top-fraction` ranks the batch's groups by p
 * (descending; ties keep batch order) and selects the top round(fraction · G);
 * `threshold` selects every group with p ≥ threshold. The default fraction
 * 0.2 and threshold 0.5 are not confirmed from the paper: configurable.
 * Logs `reward/grpo-lambda/penalized_ratio` (fraction of groups selected).
 */
import { z } from 'zod';
import { batchGroups, defineShaper } from './define.ts';
import { kimiGroupTerms } from './kimi.ts';

export const grpoLambda = defineShaper({
  summary: 'top-λ groups by pass rate get correctness + Kimi length term, others 0/1',
  schema: z.strictObject({
    selection: z.enum(['top-fraction', 'threshold']).default('top-fraction').describe('How groups are chosen for the length reward: top fraction by pass rate, or a pass-rate threshold'),
    /** λ: fraction of the batch's groups (by pass rate) that get the length reward (unverified default). */
    fraction: z.number().min(0).max(1).default(0.2).describe('λ: fraction of the batch\'s groups (by pass rate) that get the length reward (unverified default).'),
    /** With `selection: threshold`: minimum group pass rate for the length reward (unverified default). */
    threshold: z.number().min(0).max(1).default(0.5).describe('With `selection: threshold`: minimum group pass rate for the length reward (unverified default).'),
    correct: z.number().default(1).describe('Reward of a correct answer'),
    wrong: z.number().default(0).describe('Reward of a wrong answer'),
    /** Weight of the Kimi length term inside selected groups. */
    lengthWeight: z.number().default(1).describe('Weight of the Kimi length term inside selected groups.'),
  }),
  make: (cfg) => (batch, ctx) => {
    const groups = [...batchGroups(batch).values()];
    const rates = groups.map((idx) => idx.filter((i) => batch[i].correct).length / idx.length);
    let selected: boolean[];
    if (cfg.selection === 'threshold') {
      selected = rates.map((p) => p >= cfg.threshold);
    } else {
      const k = Math.round(cfg.fraction * groups.length);
      const order = rates.map((p, g) => ({ p, g })).sort((a, b) => b.p - a.p || a.g - b.g);
      selected = new Array<boolean>(groups.length).fill(false);
      for (const { g } of order.slice(0, k)) selected[g] = true;
    }
    const out = batch.map((r) => (r.correct ? cfg.correct : cfg.wrong));
    groups.forEach((idx, g) => {
      if (!selected[g]) return;
      kimiGroupTerms(batch, idx).forEach((v, k) => (out[idx[k]] += cfg.lengthWeight * v));
    });
    if (groups.length > 0) ctx.logMetric('reward/grpo-lambda/penalized_ratio', selected.filter(Boolean).length / groups.length);
    return out;
  },
});
