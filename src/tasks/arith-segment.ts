/**
 * Segmentation of an `arith` response into necessary and redundant tokens,
 * used to measure how much of a model's output is re-verification.
 *
 * Lines are classified, and every token takes its line's label (no token of
 * the built-in vocabulary spans a newline; a "\n" belongs to the line it ends):
 *  - step: the leading run of lines of the form `a op b = c` (digits only),
 *    each counted once (a repeated step line in that run is redundant);
 *  - answer: the first line starting with "####";
 *  - redundant: everything else — hedges, verification passes, repeated
 *    steps, and any text after the first answer line.
 * So a concise trace is 100% necessary, a direct one is 100% answer, and in a
 * verbose trace exactly the verification passes are redundant.
 */
import type { Tokenizer } from '../model/tokenizer.ts';
import { builtinTokenizer } from '../model/builtin-tokenizer.ts';

export type SegmentLabel = 'step' | 'answer' | 'redundant' | 'special';

export interface Segmentation {
  /** One label per input token ('special' for pad/bos/eos, which are not counted). */
  labels: SegmentLabel[];
  stepTokens: number;
  answerTokens: number;
  redundantTokens: number;
  /** redundant / (step + answer + redundant); 0 for an empty response. */
  redundantShare: number;
}

const STEP_RE = /^\d+[+\-*]\d+=\d+$/;

/** Label the tokens `ids` of one response (prompt excluded). */
export function segmentResponse(ids: readonly number[], tokenizer: Tokenizer = builtinTokenizer): Segmentation {
  const ext = tokenizer as { padTokenId?: number; bosId?: number };
  const specials = new Set([tokenizer.eosTokenId, tokenizer.bosTokenId, ext.padTokenId, ext.bosId]);
  // Group token indices by line.
  const lines: { text: string; idx: number[] }[] = [{ text: '', idx: [] }];
  const labels: SegmentLabel[] = new Array(ids.length);
  ids.forEach((id, i) => {
    if (specials.has(id)) { labels[i] = 'special'; return; }
    const line = lines[lines.length - 1]!;
    const t = tokenizer.decode([id]);
    line.idx.push(i);
    if (t === '\n') lines.push({ text: '', idx: [] });
    else line.text += t;
  });
  let inSteps = true;
  let answered = false;
  const seen = new Set<string>();
  for (const line of lines) {
    const text = line.text.trim();
    let label: SegmentLabel;
    if (answered) label = 'redundant';
    else if (text.startsWith('####')) { label = 'answer'; answered = true; }
    else if (inSteps && STEP_RE.test(text.replace(/ /g, ''))) {
      const key = text.replace(/ /g, '');
      label = seen.has(key) ? 'redundant' : 'step';
      seen.add(key);
    } else {
      if (text.length > 0) inSteps = false;
      label = 'redundant';
    }
    for (const i of line.idx) labels[i] = label;
  }
  let stepTokens = 0, answerTokens = 0, redundantTokens = 0;
  for (const l of labels) {
    if (l === 'step') stepTokens++;
    else if (l === 'answer') answerTokens++;
    else if (l === 'redundant') redundantTokens++;
  }
  const total = stepTokens + answerTokens + redundantTokens;
  return { labels, stepTokens, answerTokens, redundantTokens, redundantShare: total === 0 ? 0 : redundantTokens / total };
}

/** `segmentResponse` of a response given as text (encoded with `tokenizer`). */
export function segmentText(text: string, tokenizer: Tokenizer = builtinTokenizer): Segmentation {
  return segmentResponse(tokenizer.encode(text), tokenizer);
}
