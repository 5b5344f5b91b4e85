import { readFileSync } from 'node:fs';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, visit } from 'yaml';
import type { Node } from 'yaml';
import { RecipeError, formatPath } from './errors.ts';
import type { Origin } from './errors.ts';
import { UNSAFE_KEYS } from './set.ts';

/**
 * Bounds checked before and while parsing, so a hostile or broken file is
 * refused in milliseconds (exit 2, naming the file) instead of exhausting the
 * stack, memory or time. Real recipes are a few KiB, nest 4–5 levels and use
 * no aliases; the limits leave two orders of magnitude.
 */
export const YAML_LIMITS = { bytes: 1 << 20, depth: 64, indent: 256, nodes: 5_000, aliases: 100 } as const;

/**
 * Nesting depth of flow collections (`[`, `{`) and the deepest indentation,
 * by a linear scan that skips quoted strings and comments — an upper bound on
 * what the parser would recurse into.
 */
function scanNesting(text: string): { flow: number; flowLine: number; indent: number; indentLine: number; entries: number } {
  let flow = 0, depth = 0, flowLine = 1, indent = 0, indentLine = 1, line = 1, entries = 0;
  let quote: string | null = null;
  let atLineStart = true, col = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') {
      line++;
      atLineStart = true;
      col = 0;
      if (quote === "'" || quote === '"') continue; // multi-line quoted scalar
      continue;
    }
    if (atLineStart) {
      if (c === ' ') {
        col++;
        continue;
      }
      atLineStart = false;
      if (c !== '#') entries++;
      if (col > indent) [indent, indentLine] = [col, line];
    }
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) {
      const nl = text.indexOf('\n', i);
      i = (nl < 0 ? text.length : nl) - 1;
    } else if (c === '[' || c === '{') {
      depth++;
      if (depth > flow) [flow, flowLine] = [depth, line];
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
    else if (c === ',' && depth > 0) entries++;
  }
  return { flow, flowLine, indent, indentLine, entries };
}

function checkBounds(text: string, file: string): void {
  const L = YAML_LIMITS;
  if (text.length > L.bytes) throw new RecipeError([`${file}: ${text.length} bytes; a recipe is at most ${L.bytes} (is this the right file?)`]);
  const n = scanNesting(text);
  if (n.flow > L.depth) throw new RecipeError([`${file}:${n.flowLine}: nested ${n.flow} levels deep in [ ] / { }; a recipe nests at most ${L.depth}`]);
  if (n.indent > L.indent) throw new RecipeError([`${file}:${n.indentLine}: indented ${n.indent} columns; a recipe nests at most ${L.indent} columns deep`]);
  // Lines plus flow-collection items bound the keys and values (the parser's own time grows with them).
  if (n.entries > L.nodes) throw new RecipeError([`${file}: more than ${L.nodes} keys and values; a recipe lists only what it changes`]);
}

/** One parsed YAML file: its data and the line of every key and list item in it. */
export interface YamlSource {
  file: string;
  data: unknown;
  /** formatPath(path) → where that value is written. */
  origins: Map<string, Origin>;
}

/**
 * Parse YAML text keeping source positions (yaml's LineCounter), so later
 * validation errors can name `file:line`. Syntax errors throw a RecipeError
 * with the line yaml reports.
 */
export function parseYamlSource(text: string, file: string): YamlSource {
  checkBounds(text, file);
  const lineCounter = new LineCounter();
  // uniqueKeys is checked in walk() below with a Set: yaml's own check is quadratic in the keys of a mapping.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) {
    throw new RecipeError(
      doc.errors.map((e) => {
        const line = e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line;
        return `${file}${line === undefined ? '' : `:${line}`}: YAML syntax error: ${e.message.split('\n')[0]}`;
      }),
    );
  }
  let nodes = 0;
  let aliases = 0;
  visit(doc, {
    Node(_k, n) {
      if (isAlias(n)) aliases++;
      if (++nodes > YAML_LIMITS.nodes) {
        throw new RecipeError([`${file}: more than ${YAML_LIMITS.nodes} keys and values; a recipe lists only what it changes`]);
      }
    },
  });
  if (aliases > YAML_LIMITS.aliases) throw new RecipeError([`${file}: ${aliases} YAML aliases (*name); a recipe uses at most ${YAML_LIMITS.aliases}`]);
  const origins = new Map<string, Origin>();
  const lineOf = (n: Node | null | undefined): number | undefined =>
    n?.range ? lineCounter.linePos(n.range[0]).line : undefined;
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (seen.has(key)) throw new RecipeError([`${file}:${lineOf(pair.key as Node) ?? '?'}: YAML syntax error: Map keys must be unique ("${key}" appears twice)`]);
        seen.add(key);
        if (UNSAFE_KEYS.has(key)) {
          throw new RecipeError([`${file}:${lineOf(pair.key as Node) ?? '?'}: key "${key}" is not allowed (a reserved JavaScript name, never a recipe setting)`]);
        }
        const p = [...path, key];
        origins.set(formatPath(p), { file, line: lineOf(pair.key as Node) });
        walk(pair.value, p);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const p = [...path, i];
        origins.set(formatPath(p), { file, line: lineOf(item as Node) });
        walk(item, p);
      });
    }
  };
  walk(doc.contents, []);
  origins.set(formatPath([]), { file, line: 1 });
  let data: unknown;
  try {
    // Aliases expand here: maxAliasCount bounds the expansion ("billion laughs").
    data = doc.toJS({ maxAliasCount: YAML_LIMITS.aliases });
  } catch (e) {
    throw new RecipeError([`${file}: ${(e as Error).message}`]);
  }
  return { file, data: data ?? {}, origins };
}

export function readYamlSource(file: string): YamlSource {
  return parseYamlSource(readFileSync(file, 'utf8'), file);
}
