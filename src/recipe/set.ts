import { parse } from 'yaml';
import { RecipeError } from './errors.ts';
import { isPlainObject } from './merge.ts';

/** One parsed `--set a.b.c=value` override. */
export interface SetOverride {
  /** Object keys, or numbers for list indices (`rewards.0.weight`). */
  path: (string | number)[];
  value: unknown;
  /** The flag as typed, for error messages. */
  raw: string;
}

const SEGMENT = /^[A-Za-z_$][\w$-]*$|^\d+$/;

/**
 * Key names that reach JavaScript's object machinery instead of a setting
 * (`__proto__` sets the prototype, `constructor`/`prototype` walk into
 * functions): never valid in a recipe path, and refused wherever a path is
 * parsed (here, and for YAML keys in merge.ts).
 */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parse `a.b.c=value`. The value is YAML, so `--set train.lr=1e-5` is a number,
 * `--set eval.budgets=[16,32]` a list and `--set run.name=x` a string.
 */
export function parseSet(raw: string): SetOverride {
  const eq = raw.indexOf('=');
  if (eq < 0) {
    throw new RecipeError([`--set ${raw}: expected key.path=value (e.g. --set train.lr=1e-5); no "=" found`]);
  }
  const key = raw.slice(0, eq).trim();
  const segs = key.split('.');
  if (key === '' || segs.some((s) => !SEGMENT.test(s))) {
    throw new RecipeError([
      `--set ${raw}: "${key}" is not a key path; expected dot-separated names such as train.lr or rewards.0.weight`,
    ]);
  }
  const bad = segs.find((s) => UNSAFE_KEYS.has(s));
  if (bad) throw new RecipeError([`--set ${raw}: "${bad}" is not a recipe setting (reserved JavaScript name); no recipe key is called that`]);
  let value: unknown;
  try {
    value = parse(raw.slice(eq + 1));
  } catch (e) {
    throw new RecipeError([`--set ${raw}: the value is not valid YAML: ${(e as Error).message.split('\n')[0]}`]);
  }
  return { path: segs.map((s) => (/^\d+$/.test(s) ? Number(s) : s)), value: value ?? null, raw };
}

/**
 * Apply an override in place, creating intermediate objects as needed.
 * Setting a block's `type` to a different value clears the block's other
 * settings (same rule as `extends`): `--set budget.type=palu` gives palu's
 * defaults, not fixed's `cap` under palu.
 */
export function applySet(target: Record<string, unknown>, o: SetOverride): void {
  const bad = o.path.find((s) => typeof s === 'string' && UNSAFE_KEYS.has(s));
  if (bad !== undefined) throw new RecipeError([`--set ${o.raw}: "${String(bad)}" is not a recipe setting (reserved JavaScript name)`]);
  let cur: unknown = target;
  for (let i = 0; i < o.path.length - 1; i++) {
    const seg = o.path[i];
    const container = cur as Record<string | number, unknown>;
    // Own keys only: an inherited property (toString, …) is not a setting.
    let next = Object.hasOwn(container, seg) ? container[seg] : undefined;
    if (next === undefined || next === null) {
      next = typeof o.path[i + 1] === 'number' ? [] : {};
      container[seg] = next;
    } else if (!isPlainObject(next) && !Array.isArray(next)) {
      throw new RecipeError([
        `--set ${o.raw}: ${o.path.slice(0, i + 1).join('.')} is a ${typeof next}, not an object; cannot set a key inside it`,
      ]);
    }
    cur = next;
  }
  const last = o.path[o.path.length - 1];
  const container = cur as Record<string | number, unknown>;
  if (last === 'type' && isPlainObject(container) && container.type !== undefined && container.type !== o.value) {
    // like a different `type:` in an extending file: the block is replaced, not merged
    for (const k of Object.keys(container)) delete container[k];
  }
  container[last] = o.value;
}
