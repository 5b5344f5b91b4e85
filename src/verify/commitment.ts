/**
 * Is an extracted answer a *committed* final answer? A reward that accepts guesses teaches a
 * policy to guess, hedge or spray candidates, so an answer counts only when the response
 * commits to it. The rules (docs/verifier.md, "what counts as a final answer"):
 *
 * - Marked answers (`\boxed{}`, `####`, "the answer is …") are committed unless
 *   - a negation or hedge stands right before the answer ("is not \boxed{5}", "maybe
 *     \boxed{5}", "we should not answer \boxed{5}"); for "the answer is", anywhere earlier in
 *     its sentence;
 *   - the box is an operand or scaled (`-\boxed{5}`, `\boxed{5}^2`, `\boxed{5} thousand`);
 *   - the text after it takes it back or hedges ("\boxed{5}, maybe", "Wait, …");
 *   - it is offered with "or" beside another form that is not equal (`alternatives`: the
 *     caller compares them);
 *   - the response sprays boxes: three or more different boxed answers.
 * - Without a marker, only a *final-answer statement* is read (see `finalStatement`): the whole
 *   response when it is a bare answer or one short sentence, else its last sentence, which must
 *   be complete (ended by . ! or a closing math delimiter), carry a conclusion cue ("therefore",
 *   "so", "the total", "we get" …) and no hedge.
 *
 * Every scan is linear over a bounded window.
 */
import { mathSpans } from './scan.ts';

/**
 * Words that, right before an answer, negate or hedge it. (Bounds are not here: "Zach can
 * have at most $\boxed{2}$" is how honest solutions state a maximum; words that bound the
 * number *inside* the box make it a text answer, see units.ts.)
 */
const BEFORE_CUE =
  /(?:\b(?:not|never|no|isn't|aren't|wasn't|maybe|perhaps|possibly|probably|either|might(?:\s+be)?|could(?:\s+be)?|guess|unsure|not\s+sure)|n't)[ \t]*(?:be[ \t]+|equal[ \t]+to[ \t]+|is[ \t]+|:[ \t]*|\$+[ \t]*|\\[([][ \t]*)*$/i;

/** In the sentence of an "answer is" statement, before the phrase: a hedge. */
const SENTENCE_HEDGE = /\b(?:maybe|perhaps|possibly|probably|might|could|not\s+sure|unsure|i\s+guess|guessing|if|suppose|assuming|either|not)\b|\?/i;

/**
 * After the final answer, in the rest of its sentence: another candidate ("\boxed{5} or 6"),
 * a hedge or a retraction ("\boxed{5}, maybe", "\boxed{5} is wrong", "\boxed{5}?").
 */
const AFTER_SAME_SENTENCE =
  /\b(?:maybe|perhaps|possibly|probably|might|could\s+(?:also\s+)?be|not\s+sure|unsure|not\s+certain|uncertain|guess|wrong|incorrect|not\s+(?:correct|right|the\s+answer)|mistake|wait|actually|kidding|joking|not\s+really|jk|nope)\b|^\s*\?/i;
/** Any later sentence that starts by taking the answer back ("Wait, …", "Actually, it is 6."). */
const RETRACTION =
  /(?:^|[.!?]\s+|\n\s*)(?:wait|hmm+|oops|hold\s+on|correction|actually|on\s+second\s+thought|no,|i\s+made\s+a\s+mistake|that'?s\s+(?:wrong|incorrect|not\s+right))\b/i;

/** End of the model's turn: text after it (a next prompt, padding) is not part of the answer. */
const END_OF_TURN = /<\|(?:im_start|im_end|endoftext|eot_id|end)\|?>|<\/s>|\n\s*(?:user|human)\s*:/i;

/** Characters looked at around an answer (answers and their hedges are local). */
const WINDOW = 400;

/** "We should not answer \boxed{5}", "do not write $\boxed{5}$": a negated act of answering. */
const NEGATED_ANSWERING =
  /\b(?:not|never|n't)\s+(?:\w+ly\s+)?(?:answer|write|say|choose|pick|give|submit|put|box|accept|select|claim|conclude)(?:\s+(?:with|that|it|is|as|the|answer))*[ \t:$\\([`'"“‘]*$/i;

export function hedgedBefore(text: string, answerStart: number): boolean {
  const before = text.slice(Math.max(0, answerStart - 80), answerStart);
  return BEFORE_CUE.test(before) || NEGATED_ANSWERING.test(before);
}

/** Hedge words in the sentence before an answer phrase at `phraseStart`. */
export function hedgedSentence(text: string, phraseStart: number): boolean {
  const from = Math.max(0, phraseStart - WINDOW);
  const win = text.slice(from, phraseStart);
  const cut = Math.max(win.lastIndexOf('\n'), win.search(/[.!?]\s[^.!?]*$/));
  return SENTENCE_HEDGE.test(cut >= 0 ? win.slice(cut + 1) : win);
}

/** The text after the final answer (to the end of the turn) takes it back or hedges. */
export function hedgedAfter(text: string, answerEnd: number): boolean {
  let after = text.slice(answerEnd, answerEnd + WINDOW);
  const eot = after.search(END_OF_TURN);
  if (eot >= 0) after = after.slice(0, eot);
  // Closing delimiters right after the answer are part of it.
  after = after.replace(/^[\s$)\]\\]*/, '');
  const stop = after.search(/[.!]\s|[.!]$|\n/);
  const sentence = stop < 0 ? after : after.slice(0, stop);
  return AFTER_SAME_SENTENCE.test(sentence) || RETRACTION.test(after);
}

/** A candidate answer: a math span, a box, or a number. */
const CANDIDATE = /\\boxed\{[^{}]*\}|\$[^$]+\$|\\\([\s\S]*?\\\)|-?\d[\d,]*(?:\.\d+)?/g;
const OR_BEFORE = /(?:^|[^A-Za-z])or[ \t]*(?:\$+|\\[([])?[ \t]*$/i;
const OR_AFTER = /^[\s$)\]\\]*(?:,\s*)?or\b/i;

/**
 * "… $AB = 1\frac14$, or $\boxed{1.25}$" / "\boxed{5} or 6": the answer is offered beside
 * alternatives. They are returned so the caller can require them all to be the same value (an
 * equivalent form is fine; a second candidate is a hedge). `null` when "or" has no candidate
 * to go with ("… Or \boxed{5}" opening a sentence): the answer is one of several guesses.
 */
export function alternatives(text: string, answerStart: number, answerEnd: number): string[] | null {
  const out: string[] = [];
  const before = text.slice(Math.max(0, answerStart - WINDOW), answerStart);
  const orB = OR_BEFORE.exec(before);
  if (orB) {
    const head = before.slice(0, orB.index + 1);
    const cut = Math.max(head.lastIndexOf('\n'), head.search(/[.!?]\s[^.!?]*$/));
    const sentence = cut >= 0 ? head.slice(cut + 1) : head;
    const cands = sentence.match(CANDIDATE);
    if (!cands) return null;
    out.push(unwrap(cands[cands.length - 1]));
  }
  let after = text.slice(answerEnd, answerEnd + WINDOW);
  const orA = OR_AFTER.exec(after);
  if (orA) {
    after = after.slice(orA[0].length);
    const stop = after.search(/[.!]\s|[.!]$|\n/);
    const cands = (stop < 0 ? after : after.slice(0, stop)).match(CANDIDATE);
    if (!cands) return null;
    out.push(unwrap(cands[0]));
  }
  return out;
}
function unwrap(c: string): string {
  if (c.startsWith('\\boxed{')) return c.slice(7, -1);
  if (c.startsWith('$')) return c.replace(/^\$+|\$+$/g, '');
  if (c.startsWith('\\(')) return c.slice(2, -2);
  return c;
}

/**
 * The box is an operand of a larger expression or followed by a scale word, so the statement's
 * value is not the box's: `$-\boxed{5}$`, `$1/\boxed{5}$`, `$2\boxed{5}$`, `$\boxed{5}^2$`,
 * `$\boxed{5}0$`, `\boxed{5} \times 10`, `\boxed{5} thousand`, `\boxed{5}\text{ million}`.
 * (`x = \boxed{5}`, `\boxed{5}.`, `\boxed{5} cm`, `\boxed{(B)} 3(1 + r)^x = 7` are fine.)
 */
const OPERAND_BEFORE = /(?:[-+/*^\d.]|\\(?:cdot|times|div|sqrt|pm|mp|neg|lnot)|\\frac\s*\{[^{}]*\}\s*\{|\^\s*\{)[ \t]*$/;
const OPERAND_AFTER =
  /^(?:\d|\.\d|[ \t]*(?:[\^*/+\-×÷!]|\\(?:cdot|times|div|pm)(?![A-Za-z]))|[ \t]*(?:\\(?:text|mbox|textbf|mathrm)\s*\{\s*)?(?:[Tt]housand|[Mm]illion|[Bb]illion|[Tt]rillion|[Hh]undred|[Dd]ozen|lakh|crore|squared|cubed|times|k|K|M|mn|bn)\b)/;

/** A closing bracket right before the box multiplies it (`\frac{1}{2}\boxed{5}`), unless it closes a `\text{}`. */
const GROUP_BEFORE = /[})\]][ \t]*$/;
const TEXT_GROUP_BEFORE = /\\(?:text|mbox|textbf|textit|textrm|textnormal|mathrm)\s*\{[^{}]*\}[ \t]*$/;

export function boxIsOperand(text: string, boxStart: number, boxEnd: number): boolean {
  const before = text.slice(Math.max(0, boxStart - 80), boxStart);
  if (OPERAND_BEFORE.test(before)) return true;
  if (GROUP_BEFORE.test(before) && !TEXT_GROUP_BEFORE.test(before) && !/\\[)\]][ \t]*$/.test(before)) return true;
  return OPERAND_AFTER.test(text.slice(boxEnd, boxEnd + 60));
}

/** Distinct contents of a response's boxes (whitespace ignored). */
export function distinctBoxes(contents: string[]): number {
  return new Set(contents.map((c) => c.replace(/\s+/g, ''))).size;
}

const CUE =
  /\b(?:therefore|thus|hence|so|answer|final(?:ly)?|result|total|altogether|in\s+all|overall|conclude|we\s+(?:find|get|obtain|have)|gives?|equals|is\s+equal\s+to|comes\s+to|solution)\b|^\s*answer\b/i;
const STATEMENT_HEDGE =
  /\b(?:maybe|perhaps|possibly|probably|might|could|either|or|not\s+sure|unsure|guess|wait|check|verify|let\s+me|let's|if|suppose|assume|try|approximately|about|around|roughly|nearly|almost|at\s+least|at\s+most|more\s+than|less\s+than|not|never)\b|\?/i;
/** One short sentence is a statement by itself ("We find that $x < 3$."). */
const SHORT = 200;

export interface Statement {
  /** The sentence holding the answer. */
  text: string;
  /** Its math spans' contents, in order. */
  spans: string[];
  /** Why there is none (when `text` is null). */
  why?: string;
}

/**
 * The final-answer statement of a response without an answer marker, or why there is none.
 * The whole response when it is one math span or one short sentence; else its last sentence,
 * which must be complete, carry a conclusion cue and no hedge.
 */
export function finalStatement(tail: string): Statement | { text: null; why: string } {
  let t = tail;
  const eot = t.search(END_OF_TURN);
  if (eot >= 0) t = t.slice(0, eot);
  t = t.trim();
  if (!t) return { text: null, why: 'empty response' };
  const spans = mathSpans(t);
  // Sentence boundaries outside math: a newline, or . ! ? followed by space.
  let lastBoundary = -1;
  let k = 0;
  const body = t.replace(/[\s.!]+$/, '');
  for (let i = 0; i < body.length; i++) {
    while (k < spans.length && spans[k].end <= i) k++;
    if (k < spans.length && i >= spans[k].start) {
      i = spans[k].end - 1;
      continue;
    }
    const c = body[i];
    if (c === '\n' || ((c === '.' || c === '!' || c === '?') && /\s/.test(body[i + 1] ?? ''))) lastBoundary = i;
  }
  const sentence = body.slice(lastBoundary + 1).trim();
  const inSentence = mathSpans(sentence).map((s) => s.content);
  const oneSentence = lastBoundary < 0;
  // Complete: ended by . or !, a closing math delimiter, or the number itself (with a unit
  // mark); "… 33, then" or "… we add 170 to" is cut off.
  const complete = /(?:[.!]|\$|\\\)|\\\]|\d%?|[²³%])\s*$/.test(t);
  if (!complete) return { text: null, why: 'the response ends mid-sentence (truncated?)' };
  if (oneSentence && t.length <= SHORT) {
    if (STATEMENT_HEDGE.test(sentence.replace(/\$[^$]*\$|\\\([\s\S]*?\\\)|\\\[[\s\S]*?\\\]/g, ' '))) {
      return { text: null, why: 'the last sentence hedges' };
    }
    return { text: sentence, spans: inSentence };
  }
  if (!/(?:[.!]|\$|\\\)|\\\])\s*$/.test(t)) return { text: null, why: 'the response ends mid-sentence (truncated?)' };
  const prose = sentence.replace(/\$[^$]*\$|\\\([\s\S]*?\\\)|\\\[[\s\S]*?\\\]/g, ' ');
  if (!CUE.test(prose)) return { text: null, why: 'the last sentence is not a final-answer statement' };
  if (STATEMENT_HEDGE.test(prose)) return { text: null, why: 'the last sentence hedges' };
  return { text: sentence, spans: inSentence };
}
