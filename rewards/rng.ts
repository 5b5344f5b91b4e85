/**
 * A tiny seedable PRNG with serialisable state (mulberry32), for budget
 * policies that sample (L1 targets). The whole state is one uint32, so
 * `state()`/`setState()` round-trip exactly and a resumed run draws the same
 * numbers as an uninterrupted one.
 */
export class SeededRng {
  private s: number;

  constructor(seed: number) {
    // Mix the seed so nearby seeds give unrelated streams.
    this.s = (Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b) ^ 0x6a09e667) >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  state(): number {
    return this.s;
  }

  setState(s: number): void {
    if (!Number.isInteger(s) || s < 0 || s > 0xffffffff) throw new Error(`SeededRng: bad state ${String(s)}`);
    this.s = s >>> 0;
  }
}
