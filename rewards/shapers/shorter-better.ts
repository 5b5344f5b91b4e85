/**
 * `shorter-better` — ShorterBetter (Yi et al. 2025): per group the Sample
 * Optimal Length SOL = shortest correct length (group mean length if none is
 * correct); r = α·c − β·|L − SOL|, α 2, β 0.001.
 */
import { z } from 'zod';
import { mean } from '../util.ts';
import { batchGroups, defineShaper } from './define.ts';

export const shorterBetter = defineShaper({
  summary: 'SOL = shortest correct length (else group mean); r = α·c − β·|L − SOL|',
  schema: z.strictObject({
    alpha: z.number().default(2).describe('α: reward of a correct answer'),
    beta: z.number().min(0).default(0.001).describe('β: penalty per token of distance from the sample optimal length'),
  }),
  make: (cfg) => (batch) => {
    const out = new Array<number>(batch.length).fill(0);
    for (const idx of batchGroups(batch).values()) {
      const cl = idx.filter((i) => batch[i].correct).map((i) => batch[i].length);
      const sol = cl.length > 0 ? Math.min(...cl) : mean(idx.map((i) => batch[i].length));
      for (const i of idx) out[i] = cfg.alpha * (batch[i].correct ? 1 : 0) - cfg.beta * Math.abs(batch[i].length - sol);
    }
    return out;
  },
});
