/**
 * The settings that differ between two resolved recipes, as key paths with
 * old and new values: what `brevity train --resume` lists when the recipe
 * changed since the run started.
 */
import { parse } from 'yaml';
import { formatPath } from './errors.ts';
import { isPlainObject } from './merge.ts';

export interface RecipeChange {
  key: string;
  from: unknown;
  to: unknown;
}

function flatten(v: unknown, path: (string | number)[], out: Map<string, unknown>): void {
  if (isPlainObject(v)) {
    for (const [k, x] of Object.entries(v)) flatten(x, [...path, k], out);
  } else if (Array.isArray(v) && v.some((x) => isPlainObject(x) || Array.isArray(x))) {
    v.forEach((x, i) => flatten(x, [...path, i], out));
  } else out.set(formatPath(path), v);
}

/** Changed leaves between two recipes given as YAML text (the resolved recipe written into the run directory). */
export function diffRecipes(beforeYaml: string, afterYaml: string): RecipeChange[] {
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  flatten(parse(beforeYaml), [], a);
  flatten(parse(afterYaml), [], b);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  return keys.filter((k) => JSON.stringify(a.get(k)) !== JSON.stringify(b.get(k))).map((k) => ({ key: k, from: a.get(k), to: b.get(k) }));
}

const show = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));

export function formatChange(c: RecipeChange): string {
  return `${c.key}: ${show(c.from)} → ${show(c.to)}`;
}
