/**
 * One pattern for every registry of named methods (reward shapers, budget
 * policies, advantage estimators, policy losses, tasks): a plain object of
 * definitions, each with a strict zod `schema` of its config. From it,
 * `defineRegistry(kind, defs)` derives
 *
 *   - `get(name)`: the definition, or an error naming the nearest name and
 *     the valid ones (one wording for every kind, the recipe loader's);
 *   - `union(extra)`: the recipe's zod discriminated union on `type` — each
 *     definition's schema plus `type: '<name>'` plus `extra` shared fields —
 *     whose unknown-name error has the same wording;
 *   - `split(spec)`: a validated spec → `{ type, config }` without the
 *     `extra` fields, for the definition's factory.
 *
 * Adding a method is one new file plus one line in its registry's object: the
 * lookup, the recipe schema, the error text and `--help` all follow from it.
 */
import { z } from 'zod';
import { didYouMean } from './nearest.ts';

/** What every registry entry has: the strict schema of its config. */
export interface RegistryDef {
  readonly schema: z.ZodObject;
}

type Names<D> = keyof D & string;
type SchemaOf<D, K extends keyof D> = D[K] extends { schema: infer S extends z.ZodObject } ? S : never;

type ExtraOut<X extends z.ZodRawShape> = keyof X extends never ? unknown : z.output<z.ZodObject<X>>;
type ExtraIn<X extends z.ZodRawShape> = keyof X extends never ? unknown : z.input<z.ZodObject<X>>;

/** Validated spec of one registry entry: `{ type }` + its config + the shared fields. */
export type SpecOutput<D, X extends z.ZodRawShape = {}> = {
  [K in Names<D>]: { type: K } & z.output<SchemaOf<D, K>> & ExtraOut<X>;
}[Names<D>];
/** What a recipe may write for one registry entry (defaults not yet applied). */
export type SpecInput<D, X extends z.ZodRawShape = {}> = {
  [K in Names<D>]: { type: K } & z.input<SchemaOf<D, K>> & ExtraIn<X>;
}[Names<D>];

export interface Registry<D extends Record<string, RegistryDef>> {
  /** Singular noun for messages: "shaper", "budget policy", … */
  readonly kind: string;
  readonly defs: D;
  readonly names: readonly Names<D>[];
  has(name: string): name is Names<D>;
  /** The definition, or an error listing the valid names (and the nearest). */
  get(name: string): D[Names<D>];
  /** The error text for an unknown name. */
  unknownMessage(name: string): string;
  /** The recipe schema: a discriminated union on `type` over every entry, plus `extra` fields on each. */
  union<X extends z.ZodRawShape = {}>(extra?: X): z.ZodType<SpecOutput<D, X>, SpecInput<D, X>>;
  /** Validated spec → its name and its config (the `type` and the `extra` fields removed). */
  split(spec: { type: string }, extraKeys?: readonly string[]): { type: Names<D>; config: Record<string, unknown> };
}

export function defineRegistry<D extends Record<string, RegistryDef>>(kind: string, defs: D): Registry<D> {
  const names = Object.keys(defs) as Names<D>[];
  const has = (name: string): name is Names<D> => Object.prototype.hasOwnProperty.call(defs, name);
  // The same wording as the recipe loader's (src/recipe/format-issues.ts), so a typo reads alike everywhere.
  const unknownMessage = (name: string) => `unknown ${kind} ${JSON.stringify(name)}${didYouMean(name, names)}; expected one of: ${names.join(', ')}`;
  return {
    kind,
    defs,
    names,
    has,
    unknownMessage,
    get(name) {
      if (!has(name)) throw new Error(unknownMessage(name));
      return defs[name] as D[Names<D>];
    },
    union<X extends z.ZodRawShape = {}>(extra?: X) {
      for (const n of names) {
        const clash = Object.keys(extra ?? {}).filter((k) => k in defs[n].schema.shape);
        // A clash would be silently stripped by `split` before the factory sees it.
        if (clash.length > 0) throw new Error(`${kind} '${n}': config keys ${clash.join(', ')} are reserved for every ${kind} entry; rename them`);
      }
      const options = names.map((n) => defs[n].schema.extend({ type: z.literal(n), ...(extra ?? {}) }));
      return z.discriminatedUnion('type', options as unknown as [z.ZodObject, ...z.ZodObject[]], {
        error: (iss) => {
          if (iss.code !== 'invalid_union') return undefined;
          const got = (iss.input as { type?: unknown } | undefined)?.type;
          return got === undefined ? `missing "type"; expected one of: ${names.join(', ')}` : unknownMessage(String(got));
        },
      }) as unknown as z.ZodType<SpecOutput<D, X>, SpecInput<D, X>>;
    },
    split(spec, extraKeys = []) {
      const { type, ...rest } = spec as { type: string } & Record<string, unknown>;
      for (const k of extraKeys) delete rest[k];
      if (!has(type)) throw new Error(unknownMessage(type));
      return { type, config: rest };
    },
  };
}
