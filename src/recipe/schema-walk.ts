import type { z } from 'zod';

/** zod 4 internals we read: every schema has `_zod.def` with a `type` tag. */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
  in?: z.ZodType;
  valueType?: z.ZodType;
  getter?: () => z.ZodType;
  values?: unknown[];
}

function def(s: z.ZodType): Def {
  return (s as unknown as { _zod: { def: Def } })._zod.def;
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

/** Strip optional/default/pipe/lazy wrappers. */
export function unwrap(s: z.ZodType): z.ZodType {
  for (;;) {
    const d = def(s);
    if (WRAPPERS.has(d.type) && d.innerType) s = d.innerType;
    else if (d.type === 'pipe' && d.in) s = d.in;
    else if (d.type === 'lazy' && d.getter) s = d.getter();
    else return s;
  }
}

/** The literal values a discriminator field accepts in one union option. */
function literalValues(s: z.ZodType | undefined): unknown[] {
  if (!s) return [];
  const d = def(unwrap(s));
  return d.type === 'literal' || d.type === 'enum' ? (d.values ?? Object.values((d as { entries?: object }).entries ?? {})) : [];
}

/** The object schemas a (possibly union) schema can be, given the data it sees. */
function objectOptions(s: z.ZodType, data: unknown): z.ZodType[] {
  const u = unwrap(s);
  const d = def(u);
  if (d.type === 'object') return [u];
  if (d.type === 'union' && d.options) {
    if (d.discriminator && typeof data === 'object' && data !== null) {
      const tag = (data as Record<string, unknown>)[d.discriminator];
      const hit = d.options.filter((o) => {
        const od = def(unwrap(o));
        return od.type === 'object' && literalValues(od.shape?.[d.discriminator!]).includes(tag);
      });
      if (hit.length > 0) return hit.flatMap((o) => objectOptions(o, data));
    }
    return d.options.flatMap((o) => objectOptions(o, data));
  }
  return [];
}

/**
 * The schema that validates the value at `path` inside `root`, following the
 * data through unions (by discriminator) — or undefined if the path leaves
 * the schema.
 */
export function schemaAt(root: z.ZodType, path: readonly PropertyKey[], data: unknown): z.ZodType | undefined {
  let s: z.ZodType | undefined = root;
  let cur = data;
  for (const seg of path) {
    if (!s) return undefined;
    const u = unwrap(s);
    const d = def(u);
    if (d.type === 'array' && d.element) s = d.element;
    else if (d.type === 'record' && d.valueType) s = d.valueType;
    else {
      const opts = objectOptions(u, cur);
      s = opts.map((o) => def(o).shape?.[String(seg)]).find((x) => x !== undefined);
    }
    cur = typeof cur === 'object' && cur !== null ? (cur as Record<PropertyKey, unknown>)[seg] : undefined;
  }
  return s;
}

/** Valid keys of the object at `path` (union options merged), for suggestions. */
export function keysAt(root: z.ZodType, path: readonly PropertyKey[], data: unknown): string[] {
  const s = schemaAt(root, path, data);
  if (!s) return [];
  let cur: unknown = data;
  for (const seg of path) cur = typeof cur === 'object' && cur !== null ? (cur as Record<PropertyKey, unknown>)[seg] : undefined;
  return [...new Set(objectOptions(s, cur).flatMap((o) => Object.keys(def(o).shape ?? {})))];
}
