/**
 * What every policy loss shares at run time besides its formula: the
 * normalizers of one update (so the losses of its micro-batches sum to the
 * loss of the whole update) and how the micro-batches' metrics combine.
 */

export interface LossNormalizers {
  /** Σ of the (effective) mask over the update: token-mean denominator. */
  tokens: number;
  /** Sequences with at least one loss token: seq-mean-token-mean denominator. */
  seqs: number;
  /** Groups (prompts) in the update, including those DRPO skips. */
  groups: number;
  /** Dr. GRPO constant: update size in sequences × max completion length, or the configured value. */
  sumNorm: number;
}

/** Normalizers for one update from its rows' completion lengths (truncated rows count 0 when masked). */
export function updateNormalizers(
  cfg: { maskTruncated: boolean; normConstant?: number | null },
  rowLengths: number[],
  truncated: boolean[],
  groups: number[],
  maxCompletionLength: number,
): LossNormalizers {
  let tokens = 0;
  let seqs = 0;
  rowLengths.forEach((l, b) => {
    const eff = cfg.maskTruncated && truncated[b] ? 0 : l;
    tokens += eff;
    if (eff > 0) seqs++;
  });
  return {
    tokens,
    seqs,
    groups: new Set(groups).size,
    sumNorm: cfg.normConstant ?? rowLengths.length * maxCompletionLength,
  };
}

/**
 * Combine the metrics of several micro-batches of one update: every metric is
 * already normalized by the update's normalizers so sums are exact, except
 * `ratio/min|max` (min/max) and `drpo/tr_coef` (max, since the coefficient is
 * computed per micro-batch).
 */
export function combineLossMetrics(parts: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of parts) {
    for (const [k, v] of Object.entries(p)) {
      if (!(k in out)) out[k] = v;
      else if (k === 'ratio/min') out[k] = Math.min(out[k], v);
      else if (k === 'ratio/max' || k === 'drpo/tr_coef') out[k] = Math.max(out[k], v);
      else out[k] += v;
    }
  }
  return out;
}
