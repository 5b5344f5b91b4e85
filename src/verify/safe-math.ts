/**
 * A restricted mathjs instance: the verifier only ever *parses* with mathjs and walks the
 * resulting tree itself (see evaluate.ts); nothing a model writes is handed to mathjs'
 * evaluator. Defence in depth, following mathjs' security notes: the functions that could
 * define or run code (`import`, `createUnit`, `evaluate`, `parse`, `compile`, `simplify`,
 * `derivative`, `resolve`, `reviver`) are overridden on the instance so that even an
 * accidental `.evaluate()` of user input cannot reach them, and the tree is checked
 * against a whitelist of node types, operators and function names before any use.
 */
import { all, create } from 'mathjs';
import type { MathNode } from 'mathjs';

const math = create(all, { number: 'number' });
/** Kept privately before the public entry points are disabled. */
const parseInternal = math.parse.bind(math);

function disabled(name: string) {
  return () => {
    throw new Error(`mathjs function '${name}' is disabled in the verifier`);
  };
}
math.import(
  Object.fromEntries(
    ['import', 'createUnit', 'evaluate', 'parse', 'compile', 'simplify', 'derivative', 'resolve', 'reviver'].map(
      (n) => [n, disabled(n)],
    ),
  ),
  { override: true },
);

export { math };

/** Functions a verified expression may call (mapped to our own implementations in evaluate.ts). */
export const ALLOWED_FUNCTIONS = new Set([
  'sqrt', 'nthRoot', 'sin', 'cos', 'tan', 'sec', 'csc', 'cot', 'asin', 'acos', 'atan',
  'sinh', 'cosh', 'tanh', 'log', 'ln', 'log10', 'log2', 'exp', 'abs', 'floor', 'ceil', 'binom',
]);
const ALLOWED_OPS = new Set(['add', 'subtract', 'multiply', 'divide', 'pow', 'unaryMinus', 'unaryPlus', 'factorial']);
/**
 * Caps, sized for long honest answers (sums of 1,000 terms, 100 nested parentheses, 50 nested
 * \frac) while keeping one check within a few milliseconds and the recursive parser and tree
 * walkers far from the stack limit. Redundant parentheses are collapsed before this check.
 */
export const MAX_EXPR_CHARS = 20_000;
/** Bracket nesting: mathjs' recursive-descent parser uses ~20 stack frames per level. */
export const MAX_DEPTH = 160;
export const MAX_NODES = 20_000;
/** Tree depth: a sum of n terms is a left-leaning chain n deep. */
export const MAX_TREE_DEPTH = 2_500;

export class UnsafeExpression extends Error {}

/** Max bracket nesting, computed in one pass before handing text to the recursive parser. */
export function bracketDepth(s: string): number {
  let d = 0;
  let max = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 40 || c === 91 || c === 123) max = Math.max(max, ++d);
    else if (c === 41 || c === 93 || c === 125) d--;
  }
  return max;
}

/**
 * Parse `src` (mathjs syntax, already converted from LaTeX) and check every node against the
 * whitelist. Throws UnsafeExpression (callers catch) on anything else: assignments, function
 * definitions, property access, matrices, strings, ranges, conditionals, unknown functions.
 */
export function safeParse(src: string): MathNode {
  if (src.length > MAX_EXPR_CHARS) throw new UnsafeExpression('expression too long');
  if (bracketDepth(src) > MAX_DEPTH) throw new UnsafeExpression('expression nested too deeply');
  const node = parseInternal(src) as MathNode;
  let count = 0;
  const check = (n: MathNode, depth: number): void => {
    if (++count > MAX_NODES) throw new UnsafeExpression('expression too large');
    if (depth > MAX_TREE_DEPTH) throw new UnsafeExpression('expression nested too deeply');
    const anyN = n as any;
    switch (n.type) {
      case 'ConstantNode':
        if (typeof anyN.value !== 'number') throw new UnsafeExpression('non-numeric constant');
        return;
      case 'SymbolNode':
        if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(anyN.name)) throw new UnsafeExpression('bad symbol');
        return;
      case 'ParenthesisNode':
        return check(anyN.content, depth + 1);
      case 'OperatorNode':
        if (!ALLOWED_OPS.has(anyN.fn)) throw new UnsafeExpression(`operator ${anyN.op} not allowed`);
        for (const a of anyN.args) check(a, depth + 1);
        return;
      case 'FunctionNode': {
        const f = anyN.fn;
        if (f?.type !== 'SymbolNode' || !ALLOWED_FUNCTIONS.has(f.name)) {
          throw new UnsafeExpression(`function ${f?.name ?? '?'} not allowed`);
        }
        for (const a of anyN.args) check(a, depth + 1);
        return;
      }
      default:
        throw new UnsafeExpression(`${n.type} not allowed`);
    }
  };
  check(node, 0);
  return node;
}
