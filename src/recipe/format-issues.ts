import type { z } from 'zod';
import { didYouMean } from '../util/nearest.ts';
import { formatOrigin, formatPath } from './errors.ts';
import type { Origin } from './errors.ts';
import { keysAt } from './schema-walk.ts';

/** What a discriminated-union `type:` names, by top-level section (for messages). */
const REGISTRY_NOUN: Record<string, string> = {
  rewards: 'reward shaper',
  budget: 'budget policy',
  advantage: 'advantage estimator',
  loss: 'policy loss',
  task: 'task',
  sampling: 'sampling filter',
};

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur = data;
  for (const seg of path) cur = typeof cur === 'object' && cur !== null ? (cur as Record<PropertyKey, unknown>)[seg] : undefined;
  return cur;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** Origin of the deepest prefix of `path` that has one (a missing key → its parent's line). */
export function originOf(origins: Map<string, Origin>, path: readonly PropertyKey[], fallback: Origin): Origin {
  for (let n = path.length; n >= 0; n--) {
    const o = origins.get(formatPath(path.slice(0, n)));
    if (o) return o;
  }
  return fallback;
}

/**
 * One line per zod issue: `file:line: key.path: problem; did you mean "x"?`.
 * Unknown keys list the valid keys at that place; unknown registry names list
 * the registry's names.
 */
export function formatIssues(
  issues: readonly z.core.$ZodIssue[],
  schema: z.ZodType,
  data: unknown,
  origins: Map<string, Origin>,
  fallback: Origin,
): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    const path = issue.path;
    const at = (p: readonly PropertyKey[]) => `${formatOrigin(originOf(origins, p, fallback))}: ${formatPath(p)}`;
    switch (issue.code) {
      case 'unrecognized_keys': {
        const valid = keysAt(schema, path, data);
        for (const key of issue.keys) {
          out.push(
            `${at([...path, key])}: unknown key${didYouMean(key, valid)}` +
              (valid.length ? ` (valid keys here: ${valid.join(', ')})` : ''),
          );
        }
        break;
      }
      case 'invalid_union': {
        const opts = (issue as { options?: unknown[] }).options;
        const disc = (issue as { discriminator?: string }).discriminator;
        if (opts && disc) {
          const got = valueAt(data, path);
          const noun = REGISTRY_NOUN[String(path[0])] ?? disc;
          const names = opts.map(String);
          const what = got === undefined ? `missing "${disc}"` : `unknown ${noun} ${JSON.stringify(got)}`;
          out.push(`${at(path)}: ${what}${typeof got === 'string' ? didYouMean(got, names) : ''}; expected one of: ${names.join(', ')}`);
        } else {
          const inner = issue.errors.flat().map((e) => e.message);
          out.push(`${at(path)}: ${issue.message}${inner.length ? ` (${[...new Set(inner)].join('; ')})` : ''}`);
        }
        break;
      }
      case 'invalid_type': {
        const got = valueAt(data, path);
        out.push(
          got === undefined
            ? `${at(path)}: missing required key (expected ${issue.expected})`
            : `${at(path)}: expected ${issue.expected}, got ${describe(got)}`,
        );
        break;
      }
      case 'invalid_value': {
        const got = valueAt(data, path);
        const names = issue.values.map(String);
        out.push(
          `${at(path)}: expected one of ${names.map((v) => JSON.stringify(v)).join(' | ')}, got ${describe(got)}` +
            (typeof got === 'string' ? didYouMean(got, names) : ''),
        );
        break;
      }
      default: {
        const got = valueAt(data, path);
        const msg = issue.message.replace(/^Invalid input: /, '');
        out.push(`${at(path)}: ${msg}${got !== undefined && typeof got !== 'object' ? ` (got ${describe(got)})` : ''}`);
      }
    }
  }
  return out;
}
