/**
 * Named f32 tensors ⇄ bytes in the safetensors layout (8-byte little-endian
 * header length, JSON header with dtype/shape/data_offsets, raw data), for the
 * optimizer state in trainer checkpoints. Exact: f32 in, the same f32 out.
 */
import type { NamedTensors } from '../model/config.ts';

export function encodeTensors(tensors: NamedTensors, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  const names = [...tensors.keys()].sort();
  for (const name of names) {
    const t = tensors.get(name)!;
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== n) throw new Error(`tensor ${name}: ${t.data.length} values for shape [${t.shape}]`);
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + 4 * n] };
    offset += 4 * n;
  }
  let json = JSON.stringify(header);
  while ((8 + Buffer.byteLength(json)) % 8 !== 0) json += ' ';
  const hbytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + hbytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(hbytes.length), true);
  out.set(hbytes, 8);
  let p = 8 + hbytes.length;
  for (const name of names) {
    const d = tensors.get(name)!.data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), p);
    p += d.byteLength;
  }
  return out;
}

export function decodeTensors(bytes: Uint8Array, what = 'tensor file'): { tensors: NamedTensors; metadata: Record<string, string> } {
  if (bytes.length < 8) throw new Error(`${what}: truncated (${bytes.length} bytes)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = Number(dv.getBigUint64(0, true));
  if (8 + hlen > bytes.length) throw new Error(`${what}: header length ${hlen} exceeds the file`);
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + hlen)).toString('utf8')) as Record<string, any>;
  const base = 8 + hlen;
  const tensors: NamedTensors = new Map();
  for (const [name, h] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (h.dtype !== 'F32') throw new Error(`${what}: ${name} has dtype ${h.dtype}, expected F32`);
    const [s, e] = h.data_offsets as [number, number];
    if (base + e > bytes.length) throw new Error(`${what}: ${name} runs past the end of the file`);
    const copy = bytes.slice(base + s, base + e);
    tensors.set(name, { shape: h.shape, data: new Float32Array(copy.buffer, copy.byteOffset, (e - s) / 4) });
  }
  return { tensors, metadata: header.__metadata__ ?? {} };
}
