/**
 * LaTeX → plain math text. The output keeps the answer's *structure* (commas, brackets,
 * relations, `%`) for structure.ts and uses mathjs syntax inside (`((a)/(b))`, `sqrt(x)`,
 * `x^(2)`, `pi`), with a few private markers:
 *   ⦃ ⦄  explicit set braces `\{ \}`       ⟦ ¦ ⟧  matrix open / row break / close
 *   « »  `\text{…}` content (units are dropped later, pure text answers kept)
 *   ±    plus-minus                          ≈ ∈ ∪  approx, element-of, union
 * Every step is a linear scan or a simple regex: no backtracking blow-ups on long input.
 */
import { matchBrace } from './scan.ts';
import { unicodeToLatex } from './unicode.ts';

const FUNCS = new Set([
  'sin', 'cos', 'tan', 'sec', 'csc', 'cot', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh', 'tanh',
  'ln', 'log', 'exp',
]);
const FUNC_NAME: Record<string, string> = { arcsin: 'asin', arccos: 'acos', arctan: 'atan', ln: 'log' };
const DROP_CMDS = new Set([
  'overline', 'vec', 'hat', 'bar', 'tilde', 'widehat', 'widetilde', 'underline', 'mathbb', 'mathcal',
  'mathbf', 'mathit', 'mathsf', 'boldsymbol', 'bm', 'operatorname', 'angle', 'triangle', 'rm', 'bf',
  'it', 'displaystyle', 'textstyle', 'scriptstyle', 'limits', 'nolimits', 'quad', 'qquad', 'left', 'right',
  'big', 'Big', 'bigg', 'Bigg', 'bigl', 'bigr', 'Bigl', 'Bigr', 'biggl', 'biggr', 'hbox', 'mathop',
]);
const TEXT_CMDS = new Set(['text', 'textbf', 'textit', 'textrm', 'textnormal', 'mbox', 'textsf', 'texttt', 'mathrm']);

const CONTROL: Record<string, string> = { '\f': 'f', '\t': 't', '\b': 'b', '\v': 'v', '\r': 'r' };

function simpleReplacements(s: string): string {
  return (
    s
      // Python non-raw strings: "\frac" arrives as form feed + "rac", "\times" as TAB + "imes".
      .replace(/[\f\t\b\v\r](?=[a-zA-Z])/g, (c) => '\\' + CONTROL[c])
      .replace(/\\(?:dfrac|tfrac|cfrac)(?![a-zA-Z])/g, '\\frac')
      .replace(/\\(?:displaystyle|textstyle)(?![a-zA-Z])/g, ' ')
      // thousands separators: 1{,}000  11,\!111  1\,000
      .replace(/(\d)(?:\{,\}|,\\!\s*|\\!,|\\,|\\ )(?=\d{3}(?!\d))/g, '$1')
      .replace(/\\\$|\$/g, ' ')
      .replace(/\\%|％/g, '%')
      .replace(/(\d)\s*(?:percent|pct)\b/g, '$1%')
      .replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|\\degree|°/g, '')
      .replace(/\\(?:cdot|times|ast)(?![a-zA-Z])|×|·/g, '*')
      .replace(/\\div(?![a-zA-Z])|÷/g, '/')
      // Negated relations keep their negation: `\not=` is ≠; other negations become ops that
      // never reduce to a value (`x \not< 5` is not `x < 5`, and not `5`).
      .replace(/\\not\s*(?:=|\\eq(?![a-zA-Z]))|\\(?:neq|ne)(?![a-zA-Z])|≠/g, '!=')
      .replace(/\\(?:notin(?![a-zA-Z])|not\s*\\in(?![a-zA-Z]))/g, '∉')
      .replace(/\\(?:nleq|nleqslant|nless|ngeq|ngeqslant|ngtr)(?![a-zA-Z])|\\not\s*(?:[<>]|\\(?:le|ge|leq|geq|lt|gt)(?![a-zA-Z]))/g, '≁')
      .replace(/\\not(?![a-zA-Z])/g, '¬')
      .replace(/\\(?:leqslant|leq|le)(?![a-zA-Z])|≤|=</g, '<=')
      .replace(/\\(?:geqslant|geq|ge)(?![a-zA-Z])|≥|=>/g, '>=')
      .replace(/\\lt(?![a-zA-Z])/g, '<')
      .replace(/\\gt(?![a-zA-Z])/g, '>')
      .replace(/\\(?:approx|simeq|sim|cong)(?![a-zA-Z])/g, '≈')
      .replace(/\\in(?![a-zA-Z])/g, '∈')
      .replace(/\\cup(?![a-zA-Z])/g, '∪')
      .replace(/\\pm(?![a-zA-Z])/g, '±')
      .replace(/\\(?:emptyset|varnothing)(?![a-zA-Z])/g, '⦃⦄')
      .replace(/\\infty(?![a-zA-Z])|∞/g, 'Infinity')
      .replace(/\\(?:ldots|cdots|dots|dotsc|dotsb)(?![a-zA-Z])/g, ' ')
      .replace(/\\[{]|\\lbrace(?![a-zA-Z])/g, '⦃')
      .replace(/\\[}]|\\rbrace(?![a-zA-Z])/g, '⦄')
      .replace(/\\[,;:!> ]|~/g, ' ')
      .replace(/\\\(|\\\)|\\\[|\\\]/g, ' ')
  );
}

/** `\begin{pmatrix} a & b \\ c & d \end{pmatrix}` → `⟦a&b¦c&d⟧` (also bmatrix, array, …). */
function matrices(s: string): string {
  return s.replace(
    /\\begin\{([a-zA-Z]*matrix|array)\}(?:\{[^{}]*\})?([\s\S]*?)\\end\{\1\}/g,
    (_m, _env, body: string) => '⟦' + body.replace(/\\\\/g, '¦') + '⟧',
  );
}

/** One argument of a command: a `{group}`, a `\command`, or a single character. */
function readArg(s: string, i: number): { text: string; end: number } | null {
  while (s[i] === ' ') i++;
  if (i >= s.length) return null;
  if (s[i] === '{') {
    const e = matchBrace(s, i);
    if (e < 0) return { text: s.slice(i + 1), end: s.length };
    return { text: s.slice(i + 1, e - 1), end: e };
  }
  if (s[i] === '\\') {
    const m = /^\\[a-zA-Z]+/.exec(s.slice(i, i + 40));
    if (m) return { text: m[0], end: i + m[0].length };
    return { text: s.slice(i, i + 2), end: i + 2 };
  }
  return { text: s[i], end: i + 1 };
}

/** Argument of a function command written without parentheses: `\sin x`, `\sin 2x`, `\cos\theta`. */
function readFuncArg(s: string, i: number): { text: string; end: number } | null {
  while (s[i] === ' ') i++;
  if (s[i] === '(') {
    let d = 0;
    for (let j = i; j < s.length; j++) {
      if (s[j] === '(') d++;
      else if (s[j] === ')' && --d === 0) return { text: s.slice(i + 1, j), end: j + 1 };
    }
    return null;
  }
  // `\sin\frac{\pi}{6}`, `\cos\sqrt{x}`: a command with its arguments.
  const cmd = /^\\(frac|binom|sqrt)(?![a-zA-Z])/.exec(s.slice(i, i + 8));
  if (cmd) {
    let j = i + cmd[0].length;
    while (s[j] === ' ') j++;
    if (cmd[1] === 'sqrt' && s[j] === '[') {
      const close = s.indexOf(']', j);
      if (close < 0) return null;
      j = close + 1;
    }
    for (let k = cmd[1] === 'sqrt' ? 1 : 2; k > 0; k--) {
      const a = readArg(s, j);
      if (!a) return null;
      j = a.end;
    }
    return { text: s.slice(i, j), end: j };
  }
  if (s[i] === '{' || s[i] === '\\') return readArg(s, i);
  const m = /^(\d+(?:\.\d+)?)?([a-zA-Z])?/.exec(s.slice(i, i + 40));
  if (!m || !m[0]) return readArg(s, i);
  return { text: m[0], end: i + m[0].length };
}

/**
 * The command walker: \frac, \sqrt, ^, _, function commands, \text and friends, other
 * commands → their bare names. `depth` bounds recursion on nested groups.
 */
function walk(s: string, depth: number): string {
  if (depth > MAX_WALK_DEPTH) return ' ⊥ '; // beyond any honest answer: unparseable, never equal

  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === '\\') {
      const m = /^\\([a-zA-Z]+)/.exec(s.slice(i, i + 40));
      if (!m) {
        i += 2; // stray escape such as "\\" (row break outside a matrix)
        out += ' ';
        continue;
      }
      const name = m[1];
      let j = i + m[0].length;
      if (name === 'frac' || name === 'binom') {
        const a = readArg(s, j);
        const b = a && readArg(s, a.end);
        if (!a || !b) return out + ' ';
        out += name === 'frac'
          ? `((${walk(a.text, depth + 1)})/(${walk(b.text, depth + 1)}))`
          : `binom(${walk(a.text, depth + 1)},${walk(b.text, depth + 1)})`;
        i = b.end;
      } else if (name === 'sqrt') {
        let root: string | null = null;
        while (s[j] === ' ') j++;
        if (s[j] === '[') {
          const close = s.indexOf(']', j);
          if (close < 0) return out + ' ';
          root = s.slice(j + 1, close);
          j = close + 1;
        }
        const a = readArg(s, j);
        if (!a) return out + ' ';
        const inner = walk(a.text, depth + 1);
        out += root ? `nthRoot(${inner},${walk(root, depth + 1)})` : `sqrt(${inner})`;
        i = a.end;
      } else if (FUNCS.has(name)) {
        let power: string | null = null;
        let base: string | null = null;
        while (s[j] === ' ') j++;
        if (name === 'log' && s[j] === '_') {
          const b = readArg(s, j + 1); // \log_2 8, \log_{10}(x)
          if (b) {
            base = walk(b.text, depth + 1);
            j = b.end;
          }
        }
        if (s[j] === '^') {
          const p = readArg(s, j + 1);
          if (p) {
            power = walk(p.text, depth + 1);
            j = p.end;
          }
        }
        const a = readFuncArg(s, j);
        const fn = FUNC_NAME[name] ?? name;
        if (!a) {
          out += ` ${fn} `;
          i = j;
          continue;
        }
        const arg = walk(a.text, depth + 1) + (base ? `,${base}` : '');
        out += ` ${fn}(${arg})` + (power ? `^(${power})` : '') + ' ';
        i = a.end;
      } else if (TEXT_CMDS.has(name)) {
        const a = readArg(s, j);
        const t = (a?.text ?? '').trim();
        i = a ? a.end : j;
        if (/^(and|or|,)$/i.test(t)) out += ` ${t.toLowerCase()} `;
        else if (name === 'mathrm' && /^[a-zA-Z]$/.test(t)) out += ` ${t} `;
        else if (t) out += `«${t.replace(/[«»]/g, '')}»`;
      } else if (DROP_CMDS.has(name)) {
        out += ' ';
        i = j;
        if (name === 'left' || name === 'right' || /^(big|Big)/.test(name)) {
          while (s[i] === ' ') i++;
          if (s[i] === '.') i++; // \left. and \right. are invisible
        }
      } else {
        out += name === 'pi' ? ' pi ' : ` ${name} `;
        i = j;
      }
    } else if (c === '^') {
      const a = readArg(s, i + 1);
      if (!a) return out;
      out += `^(${walk(a.text, depth + 1)})`;
      i = a.end;
    } else if (c === '_') {
      const a = readArg(s, i + 1);
      if (!a) return out;
      const sub = a.text.replace(/[^A-Za-z0-9]/g, '');
      if (sub) out += '_' + sub;
      i = a.end;
    } else if (c === '{') {
      const e = matchBrace(s, i);
      const inner = e < 0 ? s.slice(i + 1) : s.slice(i + 1, e - 1);
      out += `(${walk(inner, depth + 1)})`;
      i = e < 0 ? s.length : e;
    } else if (c === '}') {
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Nesting of LaTeX groups the walker follows (50 nested \frac use ~100). */
const MAX_WALK_DEPTH = 400;
/** Digits of a repeating decimal's parts read exactly (bounds the BigInt work). */
const MAX_REPEAT_DIGITS = 60;

/**
 * Repeating decimals: `0.\overline{6}` = 2/3, `0.1\overline{6}` = 1/6, `1.\overline{142857}` = 8/7
 * (also `\bar`, `\dot`). x = I.F(R) → (IFR − IF) / (10^|F| · (10^|R| − 1)).
 */
function repeating(s: string): string {
  if (!/\\(?:overline|bar|dot)/.test(s)) return s;
  return s.replace(/(\d*)\.(\d*)\s*\\(?:overline|bar|dot)\s*(?:\{\s*(\d+)\s*\}|(\d))/g, (m, I: string, F: string, R1?: string, R2?: string) => {
    const R = R1 ?? R2 ?? '';
    if (I.length + F.length + R.length > MAX_REPEAT_DIGITS) return m;
    const num = BigInt((I || '0') + F + R) - BigInt((I || '0') + F);
    const den = 10n ** BigInt(F.length) * (10n ** BigInt(R.length) - 1n);
    return `\\frac{${num}}{${den}}`;
  });
}

/**
 * Wrappers that do not change an answer: `\color{red}{42}`, `\textcolor{blue}{42}`,
 * `\colorbox{…}{…}`, and a box inside the answer (`\boxed{\boxed{42}}`): the wrapper goes, the
 * group stays.
 */
function unwrap(s: string): string {
  if (!/\\(?:color|textcolor|colorbox|boxed|fbox)(?![a-zA-Z])/.test(s)) return s;
  return s
    .replace(/\\(?:textcolor|colorbox|color)\s*(?:\[[^\]]*\])?\s*\{[^{}]*\}/g, ' ')
    .replace(/\\(?:boxed|fbox)(?![a-zA-Z])\s*/g, '');
}

/**
 * `{{x}}` → `{x}` (also `{ {x} }`), iteratively in one pass: a group whose whole content is
 * one group is redundant. 3,000 nested braces around an answer cost one linear pass, not
 * 3,000 recursions.
 */
function collapseBraces(s: string): string {
  if (!/\{\s*\{/.test(s)) return s;
  const match = new Int32Array(s.length).fill(-1);
  const stack: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '{') stack.push(i);
    else if (c === '}' && stack.length) match[stack.pop()!] = i;
  }
  const drop = new Uint8Array(s.length);
  for (let o = 0; o < s.length; o++) {
    const c = match[o];
    if (c < 0) continue;
    let i = o + 1;
    while (i < c && s[i] === ' ') i++;
    let j = c - 1;
    while (j > o && s[j] === ' ') j--;
    if (s[i] === '{' && match[i] === j) {
      drop[o] = 1;
      drop[c] = 1;
    }
  }
  let out = '';
  for (let i = 0; i < s.length; i++) if (!drop[i]) out += s[i];
  return out;
}

/** Full LaTeX cleanup of one answer string (already extracted). */
export function latexToPlain(input: string): string {
  let s = unicodeToLatex(input);
  s = matrices(s.replace(/[\f\t\b\v\r](?=[a-zA-Z])/g, (c) => '\\' + CONTROL[c]));
  // Doubly escaped LaTeX ("\\frac" for \frac): two backslashes then a letter.
  s = s.replace(/(?<!\\)\\\\(?=[a-zA-Z])/g, '\\');
  // Wrappers and redundant braces first: 10,000 nested boxes shrink before the other passes.
  s = collapseBraces(unwrap(s));
  s = repeating(simpleReplacements(s));
  // A mixed number standing alone as an answer, list item or side of an equation: 15\frac{39}{40} = 15 + 39/40.
  s = s.replace(/(^|,|=)(\s*-?)(\d+)\s*\\frac\{(\d+)\}\{(\d+)\}(?=\s*(?:,|=|$))/g, (_m, a, sign, w, n, d) =>
    `${a}${sign}(${w}+\\frac{${n}}{${d}})`,
  );
  // Whole answer wrapped in one pair of grouping braces: "{1,3}" is a list, not a group.
  let t = s.trim();
  while (t.startsWith('{') && matchBrace(t, 0) === t.length) t = t.slice(1, -1).trim();
  s = walk(t, 0);
  return s.replace(/\s+/g, ' ').trim();
}
