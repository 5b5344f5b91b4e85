/**
 * The CPU as /proc/cpuinfo describes it: vendor, family/model (x86), the
 * implementer/part (aarch64) and the feature flags. Used to pick the best
 * OpenBLAS core (openblas-core.ts) and to print the CPU in `brevity doctor`.
 * Parsing is a pure function over the file's text so tests inject any CPU.
 */
import { readFileSync } from 'node:fs';
import { arch, cpus } from 'node:os';

export interface CpuInfo {
  arch: string;
  /** "model name" (x86) or a summary built from implementer/part (aarch64). */
  model: string;
  vendor: string | null;
  family: number | null;
  modelNumber: number | null;
  /** aarch64 "CPU implementer"/"CPU part", as hex strings ("0x41", "0xd0c"). */
  implementer: string | null;
  part: string | null;
  /** x86 "flags" or aarch64 "Features", lower case. */
  flags: Set<string>;
}

/** Parse the first processor block of /proc/cpuinfo. */
export function parseCpuinfo(text: string, cpuArch: string = arch()): CpuInfo {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '' && fields.size > 0) break; // end of the first processor block
    const i = line.indexOf(':');
    if (i < 0) continue;
    const key = line.slice(0, i).trim().toLowerCase();
    if (!fields.has(key)) fields.set(key, line.slice(i + 1).trim());
  }
  const num = (k: string): number | null => {
    const v = fields.get(k);
    if (v == null || v === '') return null;
    const n = Number(v);
    return Number.isFinite(n) ? n : null;
  };
  const flagText = fields.get('flags') ?? fields.get('features') ?? '';
  const implementer = fields.get('cpu implementer')?.toLowerCase() ?? null;
  const part = fields.get('cpu part')?.toLowerCase() ?? null;
  const model = fields.get('model name') ??
    (implementer ? `implementer ${implementer} part ${part ?? '?'}` : (cpus()[0]?.model ?? 'unknown'));
  return {
    arch: cpuArch,
    model,
    vendor: fields.get('vendor_id') ?? null,
    family: num('cpu family'),
    modelNumber: num('model'),
    implementer,
    part,
    flags: new Set(flagText.toLowerCase().split(/\s+/).filter(Boolean)),
  };
}

/** This machine's CPU (an empty flag set where /proc/cpuinfo is missing, e.g. macOS). */
export function readCpuInfo(path = '/proc/cpuinfo'): CpuInfo {
  let text = '';
  try { text = readFileSync(path, 'utf8'); } catch { /* not Linux: no flags, no forced core */ }
  return parseCpuinfo(text);
}

/** One line for reports: "AMD EPYC (AuthenticAMD family 25 model 17, x64)". */
export function describeCpu(cpu: CpuInfo): string {
  const id = cpu.vendor != null
    ? `${cpu.vendor} family ${cpu.family ?? '?'} model ${cpu.modelNumber ?? '?'}`
    : cpu.implementer != null ? `implementer ${cpu.implementer} part ${cpu.part ?? '?'}` : 'no /proc/cpuinfo';
  return `${cpu.model} (${id}, ${cpu.arch})`;
}
