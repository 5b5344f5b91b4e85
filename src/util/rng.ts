/**
 * The project's one randomness module. Two generators behind one interface
 * (`Random`), each a pure function of its seed:
 *
 * - `Rng` — xoshiro128** with a saveable state, for everything a resumed
 *   training run must replay (the trainer's streams, budget targets);
 * - `makeRng` — mulberry32, a small 32-bit generator (period 2³²) for
 *   generated data that is never resumed mid-stream: task splits and traces,
 *   initial weights, bootstrap resamples. Its streams are fixed: the shipped
 *   base model and the task splits were generated with them.
 *
 * Strings seed both through FNV-1a.
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

/** What every generator offers. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Uniform integer in [lo, hi], both inclusive. */
  between(lo: number, hi: number): number;
  /** A uniformly chosen item. */
  pick<T>(items: readonly T[]): T;
  /** Fisher–Yates shuffle, in place; returns `a`. */
  shuffle<T>(a: T[]): T[];
}

function intBelow(u: number, n: number): number {
  if (!(n > 0)) throw new Error(`rng.int: n must be positive, got ${n}`);
  return Math.floor(u * n);
}

function rangeSize(lo: number, hi: number): number {
  if (hi < lo) throw new Error(`rng.between: empty range [${lo}, ${hi}]`);
  return hi - lo + 1;
}

function pickWith<T>(u: number, items: readonly T[]): T {
  if (items.length === 0) throw new Error('rng.pick: no items');
  return items[Math.floor(u * items.length)]!;
}

function shuffleWith<T>(r: Random, a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** mulberry32 (see the module comment). */
export function makeRng(seed: number | string): Random {
  let a = (typeof seed === 'string' ? fnv1a(seed) : seed) >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const r: Random = {
    next,
    int: (n) => intBelow(next(), n),
    between: (lo, hi) => lo + intBelow(next(), rangeSize(lo, hi)),
    pick: (items) => pickWith(next(), items),
    shuffle: (xs) => shuffleWith(r, xs),
  };
  return r;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export type RngState = [number, number, number, number];

/**
 * xoshiro128** (Blackman & Vigna) seeded through splitmix32, with a
 * serialisable state: the trainer keeps one per concern (prompt order, rollout
 * seeds, minibatch shuffles, L1 targets) and saves their states in each
 * checkpoint, so a resumed run draws exactly the numbers an uninterrupted one
 * would.
 */
export class Rng implements Random {
  private s: Uint32Array;

  /** `seed` may be any integer (or a string, hashed with FNV-1a) — streams with different seeds are independent. */
  constructor(seed: number | string = 0) {
    const n = typeof seed === 'string' ? fnv1a(seed) : Math.floor(seed) >>> 0;
    const sm = splitmix32(n ^ Math.floor(typeof seed === 'number' ? seed / 2 ** 32 : 0));
    this.s = new Uint32Array([sm(), sm(), sm(), sm()]);
    if (this.s.every((v) => v === 0)) this.s[0] = 1;
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of randomness. */
  next(): number {
    return this.nextU32() / 2 ** 32;
  }

  int(n: number): number {
    return intBelow(this.next(), n);
  }

  between(lo: number, hi: number): number {
    return lo + intBelow(this.next(), rangeSize(lo, hi));
  }

  pick<T>(items: readonly T[]): T {
    return pickWith(this.next(), items);
  }

  shuffle<T>(a: T[]): T[] {
    return shuffleWith(this, a);
  }

  /** A fresh independent generator seeded from this one (advances this one). */
  fork(): Rng {
    const r = new Rng(0);
    r.setState([this.nextU32(), this.nextU32(), this.nextU32(), this.nextU32() | 1]);
    return r;
  }

  state(): RngState {
    return [this.s[0], this.s[1], this.s[2], this.s[3]];
  }

  setState(st: readonly number[]): void {
    if (st.length !== 4 || st.some((v) => !Number.isInteger(v) || v < 0 || v > 0xffffffff)) {
      throw new Error(`Rng.setState: expected four uint32 values, got ${JSON.stringify(st)}`);
    }
    this.s = new Uint32Array(st);
  }

  static fromState(st: readonly number[]): Rng {
    const r = new Rng(0);
    r.setState(st);
    return r;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
