import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { z } from 'zod';
import { RecipeError, formatOrigin, formatPath } from './errors.ts';
import type { Origin } from './errors.ts';
import { formatIssues } from './format-issues.ts';
import { deepMerge, isPlainObject } from './merge.ts';
import { didYouMean } from '../util/nearest.ts';
import { applySet, parseSet } from './set.ts';
import { parseYamlSource } from './yaml-source.ts';

export interface LoadOptions {
  /** `--set a.b=value` overrides, applied after all files, in order. */
  set?: readonly string[];
  /** Where bare `extends:` names are looked up; default: the nearest `configs/` above the recipe, else ./configs. */
  configsDir?: string;
}

/** The merged, not yet validated recipe plus where each value came from. */
export interface RawRecipe {
  data: Record<string, unknown>;
  origins: Map<string, Origin>;
  /** Files read, bases first, the recipe itself last. */
  files: string[];
}

export interface LoadedRecipe<T> {
  recipe: T;
  files: string[];
}

const EXTS = ['', '.yaml', '.yml'];
/** Keys the loader consumes; never seen by the schema. */
const LOADER_KEYS = ['extends'];

function findConfigsDir(from: string): string {
  for (let d = resolve(from); ; d = dirname(d)) {
    const c = join(d, 'configs');
    if (existsSync(c) && statSync(c).isDirectory()) return c;
    if (dirname(d) === d) return resolve('configs');
  }
}

/** YAML files under `dir` as extends-style names (relative, no extension). */
function yamlNames(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...yamlNames(join(dir, e.name), `${prefix}${e.name}/`));
    else if (/\.ya?ml$/.test(e.name)) out.push(prefix + e.name.replace(/\.ya?ml$/, ''));
  }
  return out;
}

function resolveExtends(name: string, fromFile: string, configsDir: string, at: Origin): string {
  const bases = [dirname(fromFile), configsDir, process.cwd()];
  const tried: string[] = [];
  for (const b of bases) {
    for (const ext of EXTS) {
      const p = resolve(b, name + ext);
      if (existsSync(p) && statSync(p).isFile()) return p;
      if (ext === '.yaml') tried.push(relative(process.cwd(), p) || p);
    }
  }
  const known = [...new Set([...yamlNames(configsDir), ...yamlNames(dirname(fromFile))])];
  throw new RecipeError([
    `${formatOrigin(at)}: extends: cannot find "${name}" (looked for ${[...new Set(tried)].join(', ')})` +
      didYouMean(name.replace(/\.ya?ml$/, ''), known),
  ]);
}

/** File names in messages: relative to the working directory when inside it, else absolute. */
function displayPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
}

/** Parse a formatPath string back into segments (`a.b[2].c` → a, b, 2, c). */
function splitPath(p: string): (string | number)[] {
  if (p === '(root)') return [];
  return [...p.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]));
}

/** Does a key path have one of `set` as a proper ancestor (`a.b[2].c` has `a`, `a.b`, `a.b[2]`)? */
function underAny(key: string, set: ReadonlySet<string>): boolean {
  for (let i = 1; i < key.length; i++) if ((key[i] === '.' || key[i] === '[') && set.has(key.slice(0, i))) return true;
  return false;
}

/**
 * Overlay one layer's origins: a key the layer sets to a non-mapping value
 * replaces everything below it, so older origins under it are dropped.
 * Linear in the number of keys (one pass over the older origins).
 */
function overlayOrigins(into: Map<string, Origin>, from: Map<string, Origin>, layerData: unknown): void {
  const replaced = new Set<string>();
  for (const p of from.keys()) {
    let v: unknown = layerData;
    for (const seg of splitPath(p)) v = typeof v === 'object' && v !== null && Object.hasOwn(v, seg) ? (v as Record<PropertyKey, unknown>)[seg] : undefined;
    if (!isPlainObject(v)) replaced.add(p);
  }
  if (replaced.size && into.size) for (const k of [...into.keys()]) if (underAny(k, replaced)) into.delete(k);
  for (const [p, o] of from) into.set(p, o);
}

function readLayered(file: string, configsDir: string, chain: string[]): RawRecipe {
  const abs = resolve(file);
  if (chain.includes(abs)) {
    throw new RecipeError([`${file}: extends cycle: ${[...chain, abs].map((f) => relative(process.cwd(), f)).join(' → ')}`]);
  }
  const src = parseYamlSource(readFileSync(abs, 'utf8'), displayPath(abs));
  if (!isPlainObject(src.data)) {
    throw new RecipeError([`${file}:1: expected a mapping of sections (model:, task:, …), got ${Array.isArray(src.data) ? 'a list' : typeof src.data}`]);
  }
  const ext = src.data.extends;
  const parents = ext === undefined ? [] : Array.isArray(ext) ? ext : [ext];
  let data: Record<string, unknown> = {};
  const origins = new Map<string, Origin>();
  const files: string[] = [];
  parents.forEach((name, i) => {
    const at = src.origins.get(formatPath(Array.isArray(ext) ? ['extends', i] : ['extends'])) ?? { file };
    if (typeof name !== 'string') {
      throw new RecipeError([`${formatOrigin(at)}: extends: expected a file name or a list of them, got ${typeof name}`]);
    }
    const parent = readLayered(resolveExtends(name, abs, configsDir, at), configsDir, [...chain, abs]);
    data = deepMerge(data, parent.data) as Record<string, unknown>;
    overlayOrigins(origins, parent.origins, parent.data);
    files.push(...parent.files);
  });
  const own = { ...src.data };
  for (const k of LOADER_KEYS) delete own[k];
  data = deepMerge(data, own) as Record<string, unknown>;
  overlayOrigins(
    origins,
    new Map([...src.origins].filter(([p]) => !LOADER_KEYS.some((k) => p === k || p.startsWith(`${k}[`)))),
    own,
  );
  files.push(file);
  return { data, origins, files };
}

/** Read a recipe and everything it extends, merge, and apply `--set` overrides (no validation). */
export function readRecipe(file: string, opts: LoadOptions = {}): RawRecipe {
  if (!existsSync(file)) {
    const dir = dirname(resolve(file));
    throw new RecipeError([
      `${file}: recipe file not found` + didYouMean(file.replace(/^.*\//, '').replace(/\.ya?ml$/, ''), yamlNames(dir)),
    ]);
  }
  const configsDir = opts.configsDir ?? findConfigsDir(dirname(file));
  const raw = readLayered(file, configsDir, []);
  for (const s of opts.set ?? []) {
    const o = parseSet(s);
    applySet(raw.data, o);
    const p = formatPath(o.path);
    const under = new Set([p]);
    for (const k of [...raw.origins.keys()]) if (underAny(k, under)) raw.origins.delete(k);
    raw.origins.set(p, { file: `--set ${o.raw}` });
  }
  return raw;
}

/**
 * Load and strictly validate a recipe against any zod schema (generic, so it
 * works for partial schemas and tests). Throws RecipeError listing every
 * problem as `file:line: key.path: …; did you mean "x"?`.
 */
export function loadRecipe<S extends z.ZodType>(file: string, schema: S, opts: LoadOptions = {}): LoadedRecipe<z.output<S>> {
  const raw = readRecipe(file, opts);
  const r = schema.safeParse(raw.data);
  if (!r.success) {
    throw new RecipeError(formatIssues(r.error.issues, schema, raw.data, raw.origins, { file }));
  }
  return { recipe: r.data, files: raw.files };
}
