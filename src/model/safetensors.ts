/**
 * safetensors (https://github.com/huggingface/safetensors) read/write.
 *
 * Layout: u64 little-endian header length N, N bytes of JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: {…} }`
 * (padded with spaces to a multiple of 8), then the raw little-endian data.
 * We write F32; we read F32, F16 and BF16 (upcast to f32) and F64 (downcast).
 */
import type { NamedTensor, NamedTensors } from './config.ts';

const DTYPE_BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2, F64: 8 };

/** Serialize f32 tensors (sorted by name, as the Python library does). */
export function encodeSafetensors(tensors: NamedTensors, metadata: Record<string, string> = { format: 'pt' }): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`safetensors: tensor "${name}" has ${t.data.length} values for shape [${t.shape}]`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * n] };
    offset += 4 * n;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  const base = 8 + headerBytes.length;
  for (const name of names) {
    const t = tensors.get(name)!;
    const [begin] = (header[name] as { data_offsets: [number, number] }).data_offsets;
    // Copy bytes (host is little-endian on every platform Node supports).
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), base + begin);
  }
  return out;
}

function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

export interface SafetensorsFile {
  tensors: NamedTensors;
  /** Original dtype of each tensor. */
  dtypes: Map<string, string>;
  metadata: Record<string, string>;
}

/** Parse a safetensors buffer; `file` names the source in error messages. */
export function decodeSafetensors(buf: Uint8Array, file = 'model.safetensors'): SafetensorsFile {
  if (buf.length < 8) throw new Error(`${file}: too short to be a safetensors file (${buf.length} bytes)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (8 + n > buf.length) throw new Error(`${file}: header length ${n} exceeds the file size ${buf.length} (truncated file?)`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset + 8, n).toString('utf8'));
  } catch (e) {
    throw new Error(`${file}: header is not valid JSON (${(e as Error).message})`);
  }
  const base = 8 + n;
  const dataLen = buf.length - base;
  const tensors: NamedTensors = new Map();
  const dtypes = new Map<string, string>();
  const metadata = (header.__metadata__ as Record<string, string>) ?? {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets } = info as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const width = DTYPE_BYTES[dtype];
    if (!width) throw new Error(`${file}: tensor "${name}" has unsupported dtype ${dtype} (supported: F32, F16, BF16, F64)`);
    const count = shape.reduce((a, b) => a * b, 1);
    const [begin, end] = data_offsets;
    if (end - begin !== count * width || end > dataLen || begin < 0)
      throw new Error(`${file}: tensor "${name}" data_offsets [${begin}, ${end}] do not fit shape [${shape}] ${dtype} in ${dataLen} data bytes`);
    const at = buf.byteOffset + base + begin;
    const data = new Float32Array(count);
    // Copy into an aligned buffer first: `at` need not be a multiple of the width.
    const bytes = new Uint8Array(buf.buffer.slice(at, at + count * width));
    if (dtype === 'F32') data.set(new Float32Array(bytes.buffer));
    else if (dtype === 'F64') data.set(new Float64Array(bytes.buffer));
    else if (dtype === 'F16') {
      const h = new Uint16Array(bytes.buffer);
      for (let i = 0; i < count; i++) data[i] = f16ToF32(h[i]);
    } else {
      // BF16 is the top half of an f32.
      const h = new Uint16Array(bytes.buffer);
      const u = new Uint32Array(data.buffer);
      for (let i = 0; i < count; i++) u[i] = h[i] << 16;
    }
    tensors.set(name, { shape: [...shape], data } satisfies NamedTensor);
    dtypes.set(name, dtype);
  }
  return { tensors, dtypes, metadata };
}
