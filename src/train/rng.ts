/**
 * A small seedable PRNG with serialisable state: xoshiro128** (Blackman &
 * Vigna), seeded through splitmix32. The trainer keeps one per concern (prompt
 * order, rollout seeds, minibatch shuffles) and saves their states in each
 * checkpoint, so a resumed run draws exactly the numbers an uninterrupted one
 * would.
 */
import { fnv1a } from '../util/rng.ts';

export type RngState = [number, number, number, number];

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

export class Rng {
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

  /** Uniform integer in [0, n). */
  int(n: number): number {
    if (!(n > 0)) throw new Error(`Rng.int: n must be positive, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Fisher–Yates shuffle, in place; returns `a`. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
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
