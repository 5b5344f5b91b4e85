/**
 * ggml tensor encodings used by the GGUF export: f32, f16 and q8_0.
 *
 * q8_0 (ggml `block_q8_0`): blocks of 32 values along a row, each stored as an
 * f16 scale d = max|x|/127 followed by 32 int8 q = round(x/d), so x ≈ d·q.
 * Block size 34 bytes; row length must be a multiple of 32.
 */

/** ggml_type ids. */
export const GGML_TYPE = { F32: 0, F16: 1, Q8_0: 8 } as const;
const QK8_0 = 32;

/** Bytes of one row of `n` values stored as `type`. */
export function bytesPerRow(type: number, n: number): number {
  if (type === GGML_TYPE.F32) return 4 * n;
  if (type === GGML_TYPE.F16) return 2 * n;
  if (type === GGML_TYPE.Q8_0) return (n / QK8_0) * 34;
  throw new Error(`bytesPerRow: unsupported ggml type ${type}`);
}

const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);

/** IEEE half from float, round-to-nearest-even (overflow → ±Inf, subnormals kept). */
export function f32ToF16Bits(x: number): number {
  f32buf[0] = x;
  const bits = u32buf[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf / NaN
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // underflow to ±0
    mant |= 0x800000; // implicit leading 1
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let m = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    if (rem > half || (rem === half && m & 1)) m++;
    return sign | m; // may carry into exponent 1: still the right encoding
  }
  let m = mant >>> 13;
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && m & 1)) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

/** Float value of IEEE half bits. */
export function f16BitsToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

export function encodeF16(data: Float32Array): Uint8Array {
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = f32ToF16Bits(data[i]);
  return new Uint8Array(out.buffer);
}

/** q8_0 blocks of a row-major array whose rows are multiples of 32 long. */
export function quantizeQ8_0(data: Float32Array): Uint8Array {
  if (data.length % QK8_0 !== 0) throw new Error(`quantizeQ8_0: ${data.length} values is not a multiple of 32`);
  const nb = data.length / QK8_0;
  const out = new Uint8Array(nb * 34);
  const dv = new DataView(out.buffer);
  for (let b = 0; b < nb; b++) {
    let amax = 0;
    for (let j = 0; j < QK8_0; j++) amax = Math.max(amax, Math.abs(data[b * QK8_0 + j]));
    const d = amax / 127;
    const id = d ? 1 / d : 0;
    dv.setUint16(b * 34, f32ToF16Bits(d), true);
    for (let j = 0; j < QK8_0; j++) {
      const x = Math.fround(data[b * QK8_0 + j] * id);
      // roundf: half away from zero
      dv.setInt8(b * 34 + 2 + j, Math.sign(x) * Math.round(Math.abs(x)));
    }
  }
  return out;
}

/** Inverse of `quantizeQ8_0` (for tests and error estimates). */
export function dequantizeQ8_0(bytes: Uint8Array): Float32Array {
  const nb = bytes.length / 34;
  const out = new Float32Array(nb * QK8_0);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let b = 0; b < nb; b++) {
    const d = f16BitsToF32(dv.getUint16(b * 34, true));
    for (let j = 0; j < QK8_0; j++) out[b * QK8_0 + j] = d * dv.getInt8(b * 34 + 2 + j);
  }
  return out;
}
