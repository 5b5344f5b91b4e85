/** Plain object (not array, not null): the only values that merge key by key. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep merge for `extends`: objects merge key by key, everything else
 * (scalars, arrays, null) in `over` replaces what `base` had. Arrays replace
 * rather than concatenate so a recipe can state a whole `rewards:` list
 * without inheriting its base's shapers. A mapping whose `type:` differs from
 * the inherited one replaces it too (`budget: {type: palu}` over
 * `budget: {type: fixed, cap: 256}` must not inherit `cap`). Inputs are not
 * mutated.
 */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return structuredClone(over);
  if (Object.hasOwn(over, 'type') && Object.hasOwn(base, 'type') && over.type !== base.type) return structuredClone(over);
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(over)) {
    // defineProperty, not `out[k] =`: a key named "__proto__" (YAML allows it) stays a plain key and never
    // replaces the prototype; Object.hasOwn, not `in`: inherited names (toString, constructor) are not settings.
    const value = Object.hasOwn(out, k) ? deepMerge(out[k], v) : structuredClone(v);
    Object.defineProperty(out, k, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
