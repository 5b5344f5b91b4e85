/**
 * Thinking-mode responses (Qwen3, DeepSeek-R1 and their distills): the answer
 * lives after a `<think> … </think>` block.
 *
 *   Qwen3 (enable_thinking):  prompt … "<|im_start|>assistant\n"  → response "<think>\n … </think>\n\n answer"
 *   R1-distill templates:     prompt … "<think>\n"                 → response " … </think>\n\n answer"
 *
 * Counting rule (one place, used by budget forcing, evaluation and training):
 * thinking tokens = generated tokens from the opening `<think>` (or the
 * response start when the prompt opened the block) through the closing
 * `</think>`, both markers included when generated; answer tokens = every
 * generated token after it. A block still open when generation ends has no
 * answer: at the token cap that is a truncation, never an answer (even if the
 * thinking happens to contain "#### 42").
 */
export interface ThinkingFormat {
  /** Token id of `<think>`. */
  openId: number;
  /** Token id of `</think>`. */
  closeId: number;
  /** The rendered prompt already ends inside an open think block (R1-style templates). */
  startsInside: boolean;
  /** Text of the closing marker, to split decoded text ("</think>"). */
  closeText: string;
}

export interface ThinkingSplit {
  /** Generated tokens inside the think block (markers included when generated). */
  thinkingTokens: number;
  /** Generated tokens after the block (the response proper). */
  answerTokens: number;
  /** A think block was open at some point (by the prompt or the first token). */
  opened: boolean;
  /** The block was closed by a generated `</think>`. */
  closed: boolean;
}

/**
 * Split generated tokens into thinking and answer parts. The model opens the
 * block only when its first generated token is `<think>`; a response that
 * starts otherwise is all answer (thinking disabled or ignored).
 */
export function splitThinking(tokens: readonly number[], f: ThinkingFormat): ThinkingSplit {
  let inside = f.startsInside;
  let opened = f.startsInside;
  let closed = false;
  let thinking = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!opened && i === 0 && t === f.openId) {
      opened = inside = true;
      thinking++;
      continue;
    }
    if (inside) {
      thinking++;
      if (t === f.closeId) {
        inside = false;
        closed = true;
        // Everything after this token is answer.
        return { thinkingTokens: thinking, answerTokens: tokens.length - i - 1, opened, closed };
      }
    }
  }
  return { thinkingTokens: thinking, answerTokens: tokens.length - thinking, opened, closed };
}

/** The block was opened and never closed: no answer exists. */
export const isUnclosed = (s: ThinkingSplit): boolean => s.opened && !s.closed;

/**
 * The part of a decoded response the verifier may read: the text after the
 * last closing marker; null when a think block is open and unclosed; the
 * whole text when no block was opened.
 */
export function answerText(text: string, split: ThinkingSplit, f: ThinkingFormat): string | null {
  if (!split.opened) return text;
  if (!split.closed) return null;
  const at = text.lastIndexOf(f.closeText);
  return at < 0 ? text : text.slice(at + f.closeText.length);
}
