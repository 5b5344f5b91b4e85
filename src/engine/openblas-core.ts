/**
 * Which OpenBLAS core to run. A DYNAMIC_ARCH OpenBLAS picks its kernels at
 * load time from the CPU id; a release older than the CPU does not know the
 * id and falls back to a generic core (Debian's 0.3.21 runs an Intel family 6
 * model 207 Xeon on Prescott, SSE3 kernels, at half the speed of its own
 * SkylakeX kernels). The flags in /proc/cpuinfo say what the CPU can run, so
 * when the library's choice is below that, the best core the library has is
 * forced with OPENBLAS_CORETYPE (read once, when the library initialises).
 *
 * Pure functions over (cpu, library's default core, user's OPENBLAS_CORETYPE):
 * the probing and loading live in openblas-select.ts.
 */
import type { CpuInfo } from './cpu-info.ts';

/**
 * x86 cores by the widest vector ISA their sgemm kernels use:
 * 0 SSE2/SSE3, 1 AVX, 2 AVX2+FMA, 3 AVX-512. Names as openblas_get_corename()
 * prints them; OPENBLAS_CORETYPE matches them case-insensitively.
 */
const X86_TIER: Record<string, number> = {
  unknown: 0, katmai: 0, coppermine: 0, northwood: 0, prescott: 0, banias: 0, atom: 0, core2: 0, penryn: 0,
  dunnington: 0, nehalem: 0, athlon: 0, opteron: 0, opteron_sse3: 0, barcelona: 0, bobcat: 0, nano: 0,
  sandybridge: 1, bulldozer: 1, piledriver: 1, steamroller: 1,
  haswell: 2, zen: 2, excavator: 2,
  skylakex: 3, cooperlake: 3, sapphirerapids: 3,
};

/** aarch64 cores that are OpenBLAS's generic fallbacks (portable ARMv8 / in-order kernels). */
const ARM_GENERIC = new Set(['armv8', 'unknown']);

/** aarch64 "CPU part" (ARM Ltd, implementer 0x41) → cores to try, best first. */
const ARM_PARTS: Record<string, string[]> = {
  '0xd0c': ['NeoverseN1'], // Neoverse N1 (Graviton2, Ampere Altra)
  '0xd40': ['NeoverseV1', 'NeoverseN1'], // Neoverse V1 (Graviton3)
  '0xd49': ['NeoverseN2', 'NeoverseN1'], // Neoverse N2
  '0xd4f': ['NeoverseN2', 'NeoverseN1'], // Neoverse V2 (Grace, Graviton4): SVE2 like N2
  '0xd08': ['CortexA72'],
  '0xd07': ['CortexA57'],
};

export type CoreChoice =
  | { action: 'user'; why: string }
  | { action: 'keep'; why: string }
  | { action: 'try'; candidates: string[]; why: string };

/** The widest x86 tier the flags support (the OS masks AVX flags it cannot save). */
export function x86FlagTier(flags: Set<string>): number {
  if (['avx512f', 'avx512bw', 'avx512vl', 'avx512dq'].every((f) => flags.has(f))) return 3;
  if (flags.has('avx2') && flags.has('fma')) return 2;
  if (flags.has('avx')) return 1;
  return 0;
}

/**
 * Decide from the library's own choice (`defaultCore`, what it picks with no
 * OPENBLAS_CORETYPE) whether to force a better one. A user's OPENBLAS_CORETYPE
 * is never overridden.
 */
export function chooseCore(cpu: CpuInfo, defaultCore: string, userCoretype?: string): CoreChoice {
  if (userCoretype) return { action: 'user', why: `OPENBLAS_CORETYPE=${userCoretype} set by the user (never overridden)` };
  const core = defaultCore.toLowerCase();
  if (cpu.arch === 'x64' || cpu.arch === 'ia32') {
    const have = X86_TIER[core];
    const can = x86FlagTier(cpu.flags);
    if (have == null) return { action: 'keep', why: `OpenBLAS chose ${defaultCore} (not a core brevity ranks; kept)` };
    if (have >= can) return { action: 'keep', why: `OpenBLAS chose ${defaultCore}, which matches the CPU's ${TIER_NAME[can]} flags` };
    const ladder = can === 3
      ? (cpu.flags.has('avx512_bf16') ? ['Cooperlake', 'SkylakeX', 'Haswell', 'Sandybridge'] : ['SkylakeX', 'Haswell', 'Sandybridge'])
      : can === 2 ? ['Haswell', 'Sandybridge'] : ['Sandybridge'];
    const candidates = ladder.filter((c) => X86_TIER[c.toLowerCase()] > have);
    return {
      action: 'try', candidates,
      why: `OpenBLAS fell back to ${defaultCore} (${TIER_NAME[have]} kernels) but the CPU has ${TIER_NAME[can]} ` +
        `(${cpu.vendor ?? '?'} family ${cpu.family ?? '?'} model ${cpu.modelNumber ?? '?'} is newer than this OpenBLAS)`,
    };
  }
  if (cpu.arch === 'arm64') {
    if (!ARM_GENERIC.has(core)) return { action: 'keep', why: `OpenBLAS chose ${defaultCore} (a specific ARM core)` };
    if (!cpu.flags.has('asimd')) return { action: 'keep', why: `OpenBLAS chose ${defaultCore}; the CPU reports no asimd (NEON)` };
    const byPart = cpu.implementer === '0x41' && cpu.part ? ARM_PARTS[cpu.part] : undefined;
    const candidates = byPart ?? ['NeoverseN1'];
    return {
      action: 'try', candidates,
      why: `OpenBLAS fell back to generic ${defaultCore} on ARM part ${cpu.part ?? '?'}` +
        (byPart ? '' : ' (unknown part: trying the plain-NEON NeoverseN1 kernels)'),
    };
  }
  return { action: 'keep', why: `OpenBLAS chose ${defaultCore} (no core selection for ${cpu.arch})` };
}

const TIER_NAME = ['SSE', 'AVX', 'AVX2+FMA', 'AVX-512'];

/** Whether a core name is one of OpenBLAS's generic fallbacks for this architecture. */
export function isGenericCore(core: string, cpuArch: string): boolean {
  const c = core.toLowerCase();
  if (cpuArch === 'arm64') return ARM_GENERIC.has(c);
  return X86_TIER[c] === 0;
}
