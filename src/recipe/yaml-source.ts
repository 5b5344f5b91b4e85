import { readFileSync } from 'node:fs';
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node } from 'yaml';
import { RecipeError, formatPath } from './errors.ts';
import type { Origin } from './errors.ts';

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
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new RecipeError(
      doc.errors.map((e) => {
        const line = e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line;
        return `${file}${line === undefined ? '' : `:${line}`}: YAML syntax error: ${e.message.split('\n')[0]}`;
      }),
    );
  }
  const origins = new Map<string, Origin>();
  const lineOf = (n: Node | null | undefined): number | undefined =>
    n?.range ? lineCounter.linePos(n.range[0]).line : undefined;
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
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
  return { file, data: doc.toJS() ?? {}, origins };
}

export function readYamlSource(file: string): YamlSource {
  return parseYamlSource(readFileSync(file, 'utf8'), file);
}
