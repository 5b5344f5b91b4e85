/**
 * `alp` — Adaptive Length Penalty ("Just Enough Thinking", arXiv 2506.05256):
 *   r = C − β · max(p_solved, 1/K) · L / N
 * with p_solved the prompt's online solve rate — here the accuracy of its own
 * group of K samples — so easy prompts pay the full per-token price and hard
 * ones at most 1/K of it. C = `correct`/`wrong` (1 / 0); N normalises length:
 * `maxLength` when set, else the rollout's cap. β 0.5 and N = cap are
 * unverified defaults (the paper's values are tied to its 8k-token budget).
 */
import { z } from 'zod';
import { batchGroups, defineShaper, maxLengthOf } from './define.ts';

export const alp = defineShaper({
  summary: 'r = C − β·max(p_solved, 1/K)·L/N, p_solved = the group\'s accuracy',
  schema: z.strictObject({
    /** β: the penalty per N tokens on a fully solved prompt (unverified default). */
    beta: z.number().min(0).default(0.5).describe('β: the penalty per N tokens on a fully solved prompt (unverified default).'),
    /** N in tokens; unset = the rollout's cap. */
    maxLength: z.number().int().positive().optional().describe('N in tokens; unset = the rollout\'s cap.'),
    correct: z.number().default(1).describe('C for a correct answer'),
    wrong: z.number().default(0).describe('C for a wrong answer'),
  }),
  make: (cfg) => (batch) => {
    const out = new Array<number>(batch.length).fill(0);
    for (const idx of batchGroups(batch).values()) {
      const K = idx.length;
      const p = idx.filter((i) => batch[i].correct).length / K;
      for (const i of idx) {
        const r = batch[i];
        out[i] = (r.correct ? cfg.correct : cfg.wrong) - (cfg.beta * Math.max(p, 1 / K) * r.length) / maxLengthOf(r, cfg.maxLength);
      }
    }
    return out;
  },
});
