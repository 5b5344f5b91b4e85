/**
 * Exact rationals over BigInt, for integers, decimals and fractions: `0.1 + 0.2` is exactly
 * `3/10` here, so exact answers are compared exactly and never through a float tolerance.
 */
export interface Rational {
  n: bigint;
  d: bigint; // always > 0, gcd(n, d) = 1
}

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b) [a, b] = [b, a % b];
  return a;
}

export function rat(n: bigint, d: bigint = 1n): Rational | null {
  if (d === 0n) return null;
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}

/** Cap on digits of any exact operand: bigger numbers fall back to floats (bounds BigInt work). */
const MAX_DIGITS = 2_000;

/** Parse a plain decimal literal `-12`, `3.250`, `.5`, `1e-3`; null if it is not one. */
export function parseDecimal(s: string): Rational | null {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$/.exec(s);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const frac = m[3] ?? '';
  if (m[2].length + frac.length > MAX_DIGITS) return null;
  const exp = Number(m[4] ?? 0) - frac.length;
  if (Math.abs(exp) > MAX_DIGITS) return null;
  let n = BigInt((m[2] || '0') + frac);
  if (m[1] === '-') n = -n;
  return exp >= 0 ? rat(n * 10n ** BigInt(exp)) : rat(n, 10n ** BigInt(-exp));
}

/** Exact value of a JS number written in its shortest round-trip decimal form (e.g. 0.1 → 1/10). */
export function fromNumber(x: number): Rational | null {
  if (!Number.isFinite(x)) return null;
  return parseDecimal(String(x));
}

function tooBig(r: Rational): boolean {
  return r.n.toString().length > MAX_DIGITS || r.d.toString().length > MAX_DIGITS;
}
function guard(r: Rational | null): Rational | null {
  return r && !tooBig(r) ? r : null;
}

export const add = (a: Rational, b: Rational) => guard(rat(a.n * b.d + b.n * a.d, a.d * b.d));
export const sub = (a: Rational, b: Rational) => guard(rat(a.n * b.d - b.n * a.d, a.d * b.d));
export const mul = (a: Rational, b: Rational) => guard(rat(a.n * b.n, a.d * b.d));
export const div = (a: Rational, b: Rational) => guard(rat(a.n * b.d, a.d * b.n));

/** a^b for integer b whose result stays under ~2·MAX_DIGITS digits (else null: float path, bounded time). */
export function pow(a: Rational, b: Rational): Rational | null {
  if (b.d !== 1n || b.n > 4000n || b.n < -4000n) return null;
  const e = b.n < 0n ? -b.n : b.n;
  if ((a.n.toString().length + a.d.toString().length) * Number(e) > MAX_DIGITS * 2) return null;
  const r = rat(a.n ** e, a.d ** e);
  return r && (b.n < 0n ? guard(rat(r.d, r.n)) : guard(r));
}

export const eq = (a: Rational, b: Rational) => a.n === b.n && a.d === b.d;
/** The double nearest to a/b (also when a or b is beyond the double range). */
export function toNumber(a: Rational): number {
  const ln = a.n.toString().length;
  const ld = a.d.toString().length;
  if (ln < 300 && ld < 300) return Number(a.n) / Number(a.d);
  const k = Math.max(ln, ld) - 300;
  const scale = 10n ** BigInt(k);
  if (ln < 300) return Number(a.n) / Number(a.d / scale) / 10 ** k; // tiny: may underflow to 0
  if (ld < 300) return (Number(a.n / scale) / Number(a.d)) * 10 ** k; // huge: may overflow to ±Infinity
  return Number(a.n / scale) / Number(a.d / scale);
}

/** True when a/b has a finite decimal expansion (the denominator has only factors 2 and 5). */
export function terminates(a: Rational): boolean {
  let d = a.d;
  while (d % 2n === 0n) d /= 2n;
  while (d % 5n === 0n) d /= 5n;
  return d === 1n;
}

export function toString(a: Rational): string {
  return a.d === 1n ? a.n.toString() : `${a.n}/${a.d}`;
}
