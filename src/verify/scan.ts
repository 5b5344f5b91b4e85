/**
 * Linear scanners shared by extraction and LaTeX cleanup: brace matching, math spans and the
 * response's top-level boxes. All are loops (no recursion), so a response of 10,000 nested or
 * repeated `\boxed{` openers costs one pass and never overflows the stack.
 */

/** Index just past the group closing the `{` at s[open], or -1 when unbalanced. */
export function matchBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') {
      i++; // skip escaped char such as \{ or \}
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return -1;
}

export interface Box {
  start: number;
  /** Index just past the box; -1 when unclosed (a cut-off response). */
  end: number;
  content: string;
}

const BOX = /\\(?:boxed|fbox)(?![A-Za-z])/g;

/**
 * Top-level `\boxed{…}` / `\fbox{…}` boxes, left to right. A box inside another is part of its
 * content (`\boxed{\boxed{42}}` is one box holding `\boxed{42}`). An unclosed box swallows the
 * rest of the text and ends the scan. `\boxed 5` (no braces) boxes one token.
 */
export function scanBoxes(s: string): Box[] {
  const out: Box[] = [];
  BOX.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = BOX.exec(s))) {
    const start = m.index;
    let i = start + m[0].length;
    while (s[i] === ' ') i++;
    if (s[i] !== '{') {
      const t = /^[^\s$.,;{}\\]+/.exec(s.slice(i, i + 100));
      if (!t) continue; // "\boxed" followed by another command: not a box
      out.push({ start, end: i + t[0].length, content: t[0] });
      BOX.lastIndex = i + t[0].length;
      continue;
    }
    const end = matchBrace(s, i);
    if (end < 0) {
      out.push({ start, end: -1, content: s.slice(i + 1) });
      break;
    }
    out.push({ start, end, content: s.slice(i + 1, end - 1) });
    BOX.lastIndex = end;
  }
  return out;
}

export interface Span {
  start: number;
  end: number;
  content: string;
}

/** Inline `$…$` / `\(…\)` spans may not cross a line (Math-Verify's rule); display ones may. */
export function mathSpans(s: string): Span[] {
  const out: Span[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '\\' && (s[i + 1] === '(' || s[i + 1] === '[')) {
      const close = s[i + 1] === '(' ? '\\)' : '\\]';
      const j = s.indexOf(close, i + 2);
      if (j < 0) break;
      const content = s.slice(i + 2, j);
      if (close === '\\]' || !content.includes('\n')) out.push({ start: i, end: j + 2, content });
      i = j + 2;
    } else if (c === '\\') {
      i += 2;
    } else if (c === '$') {
      const dbl = s[i + 1] === '$';
      const open = dbl ? 2 : 1;
      let j = i + open;
      while (j < s.length && !(s[j] === '$' && s[j - 1] !== '\\')) j++;
      if (j >= s.length) break;
      const content = s.slice(i + open, j);
      const end = dbl && s[j + 1] === '$' ? j + 2 : j + 1;
      if (dbl || !content.includes('\n')) out.push({ start: i, end, content });
      i = end;
    } else i++;
  }
  return out;
}
