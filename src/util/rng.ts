/**
 * Deterministic randomness without state to save: a 32-bit string hash and a
 * seeded PRNG, so task splits and traces, initial weights and bootstrap
 * resamples are pure functions of their seeds. (The trainer's resumable
 * generator with saved state is src/train/rng.ts.)
 */

/** FNV-1a 32-bit hash of a string's UTF-16 code units: h = (h ⊕ c) · 16777619 mod 2³². */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
}

/** mulberry32: a small, well-mixed 32-bit generator (period 2³²), ample for problem sampling. */
export function makeRng(seed: number | string): Rng {
  let a = (typeof seed === 'string' ? fnv1a(seed) : seed) >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => {
      if (hi < lo) throw new Error(`rng.int: empty range [${lo}, ${hi}]`);
      return lo + Math.floor(next() * (hi - lo + 1));
    },
    pick: (items) => {
      if (items.length === 0) throw new Error('rng.pick: no items');
      return items[Math.floor(next() * items.length)]!;
    },
  };
}
