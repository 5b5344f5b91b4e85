/**
 * OpenBLAS core selection: the choice from injected /proc/cpuinfo text and
 * injected library answers, then the real path (a child process running the
 * real library) with the library's fallback forced to generic Prescott.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseCpuinfo, readCpuInfo } from '../../src/engine/cpu-info.ts';
import { chooseCore, isGenericCore, x86FlagTier } from '../../src/engine/openblas-core.ts';
import { childProber, selectCore, type Prober, type ProbeResult } from '../../src/engine/openblas-select.ts';
import { ADDON_PATH, loadAddon } from '../../src/engine/native-addon.ts';

const AVX512 = 'fpu sse sse2 pni ssse3 sse4_1 sse4_2 avx f16c fma avx2 avx512f avx512dq avx512cd avx512bw avx512vl';
const cpuinfo = (vendor: string, family: number, model: number, flags: string) =>
  `processor\t: 0\nvendor_id\t: ${vendor}\ncpu family\t: ${family}\nmodel\t\t: ${model}\n` +
  `model name\t: Test CPU\nflags\t\t: ${flags}\n\nprocessor\t: 1\nvendor_id\t: OTHER\nflags\t\t: sse\n`;

/** The machine: Intel family 6 model 207 (Emerald Rapids), AVX-512 with bf16. */
const EMERALD = parseCpuinfo(cpuinfo('GenuineIntel', 6, 207, `${AVX512} avx512_bf16 amx_tile`), 'x64');
const HASWELL = parseCpuinfo(cpuinfo('GenuineIntel', 6, 60, 'sse sse2 avx fma avx2'), 'x64');
const OLD = parseCpuinfo(cpuinfo('GenuineIntel', 6, 23, 'sse sse2 pni ssse3'), 'x64');

const ok = (corename: string): ProbeResult => ({ corename, selfTest: { ok: true, worst: 1e-7, detail: 'ok' } });

/** A fake library: its own choice, the cores it knows, and the cores whose kernels compute wrong results. */
function fakeLibrary(own: string, knows: string[], broken: string[] = []) {
  const calls: Array<string | undefined> = [];
  const probe: Prober = (coretype) => {
    calls.push(coretype);
    const core = coretype && knows.some((k) => k.toLowerCase() === coretype.toLowerCase()) ? coretype : own;
    if (broken.includes(core)) return { corename: core, selfTest: { ok: false, worst: 0.9, detail: 'C[0] = 1, reference 2' } };
    return ok(core);
  };
  return { probe, calls };
}

describe('parseCpuinfo', () => {
  it('reads the first processor block only', () => {
    expect(EMERALD.vendor).toBe('GenuineIntel');
    expect(EMERALD.family).toBe(6);
    expect(EMERALD.modelNumber).toBe(207);
    expect(EMERALD.flags.has('avx512_bf16')).toBe(true);
    expect(EMERALD.flags.has('sse') && EMERALD.vendor !== 'OTHER').toBe(true);
  });
  it('reads aarch64 implementer, part and Features', () => {
    const arm = parseCpuinfo('processor\t: 0\nFeatures\t: fp asimd evtstrm sve\nCPU implementer\t: 0x41\nCPU part\t: 0xd40\n', 'arm64');
    expect([arm.implementer, arm.part, arm.flags.has('asimd')]).toEqual(['0x41', '0xd40', true]);
  });
});

describe('chooseCore', () => {
  it('ranks flags', () => {
    expect([x86FlagTier(EMERALD.flags), x86FlagTier(HASWELL.flags), x86FlagTier(OLD.flags)]).toEqual([3, 2, 0]);
    expect(x86FlagTier(new Set(['avx512f', 'avx2', 'fma']))).toBe(2); // avx512f alone is not SkylakeX's set
  });
  it('replaces Prescott on an AVX-512 bf16 CPU with Cooperlake, then SkylakeX, Haswell', () => {
    const c = chooseCore(EMERALD, 'Prescott');
    expect(c).toMatchObject({ action: 'try', candidates: ['Cooperlake', 'SkylakeX', 'Haswell', 'Sandybridge'] });
    expect(c.why).toMatch(/family 6 model 207/);
  });
  it('keeps a core that already matches the flags, and never a lower rung than the current one', () => {
    expect(chooseCore(EMERALD, 'SkylakeX').action).toBe('keep');
    expect(chooseCore(HASWELL, 'Zen').action).toBe('keep');
    expect(chooseCore(OLD, 'Core2').action).toBe('keep');
    expect(chooseCore(EMERALD, 'Sandybridge')).toMatchObject({ candidates: ['Cooperlake', 'SkylakeX', 'Haswell'] });
    expect(chooseCore(HASWELL, 'Nehalem')).toMatchObject({ candidates: ['Haswell', 'Sandybridge'] });
  });
  it('never overrides a user choice', () => {
    expect(chooseCore(EMERALD, 'Prescott', 'Prescott').action).toBe('user');
  });
  it('picks Neoverse kernels for a generic armv8 core on a known part', () => {
    const v1 = parseCpuinfo('Features\t: fp asimd sve\nCPU implementer\t: 0x41\nCPU part\t: 0xd40\n', 'arm64');
    expect(chooseCore(v1, 'armv8')).toMatchObject({ action: 'try', candidates: ['NeoverseV1', 'NeoverseN1'] });
    expect(chooseCore(v1, 'neoversev1').action).toBe('keep');
    expect(isGenericCore('armv8', 'arm64') && isGenericCore('Prescott', 'x64') && !isGenericCore('Haswell', 'x64')).toBe(true);
  });
});

describe('selectCore with an injected library', () => {
  it('forces the first candidate the library knows and that passes the self-test', () => {
    const lib = fakeLibrary('Prescott', ['SkylakeX', 'Haswell'], []); // an old OpenBLAS: no Cooperlake
    const s = selectCore(EMERALD, {}, lib.probe);
    expect(s).toMatchObject({ source: 'forced', coretype: 'SkylakeX', defaultCore: 'Prescott' });
    expect(s.tried).toEqual(['Cooperlake: not in this OpenBLAS (it ran Prescott)', 'SkylakeX: self-test ok']);
    expect(lib.calls).toEqual([undefined, 'Cooperlake', 'SkylakeX']);
  });
  it('skips a core whose self-test fails or whose probe dies', () => {
    const lib = fakeLibrary('Prescott', ['Cooperlake', 'SkylakeX', 'Haswell'], ['Cooperlake']);
    const dying: Prober = (c) => (c === 'SkylakeX' ? { error: 'signal SIGILL' } : lib.probe(c));
    const s = selectCore(EMERALD, {}, dying);
    expect(s.coretype).toBe('Haswell');
    expect(s.tried[0]).toMatch(/Cooperlake: self-test failed/);
    expect(s.tried[1]).toMatch(/SkylakeX: probe died \(signal SIGILL\)/);
  });
  it('keeps the library core when nothing better works, with a hint', () => {
    const s = selectCore(EMERALD, {}, fakeLibrary('Prescott', []).probe);
    expect(s).toMatchObject({ source: 'library', coretype: undefined });
    expect(s.hint).toMatch(/generic Prescott/);
  });
  it('does not probe at all when the user set OPENBLAS_CORETYPE, and hints at the better core', () => {
    const lib = fakeLibrary('Prescott', ['Cooperlake']);
    const s = selectCore(EMERALD, { OPENBLAS_CORETYPE: 'Prescott' }, lib.probe);
    expect(lib.calls).toEqual([]);
    expect(s).toMatchObject({ source: 'user', coretype: undefined });
    expect(s.hint).toMatch(/can run Cooperlake/);
  });
  it('simulates the fallback with BREVITY_OPENBLAS_SIMULATE_CORE', () => {
    const lib = fakeLibrary('Cooperlake', ['Prescott', 'Cooperlake']);
    const s = selectCore(EMERALD, { BREVITY_OPENBLAS_SIMULATE_CORE: 'Prescott' }, lib.probe);
    expect(lib.calls[0]).toBe('Prescott');
    expect(s).toMatchObject({ source: 'forced', coretype: 'Cooperlake' });
  });
});

const real = loadAddon();
const cpu = readCpuInfo();
const better = cpu.arch === 'x64' && x86FlagTier(cpu.flags) > 0;

describe.skipIf(!real.addon)('the real OpenBLAS', () => {
  it('reports the core it was told to run, and Prescott passes the self-test', () => {
    const r = childProber(ADDON_PATH)('Prescott');
    expect(r).toMatchObject({ corename: 'Prescott', selfTest: { ok: true } });
  });
  it.skipIf(!better)('with its choice forced to generic Prescott, doctor shows the better core brevity forced', () => {
    const out = execFileSync(process.execPath, ['bin/brevity.js', 'doctor', '--json'], {
      encoding: 'utf8', env: { ...process.env, OPENBLAS_CORETYPE: '', BREVITY_OPENBLAS_SIMULATE_CORE: 'Prescott', BREVITY_KERNEL: 'native' },
    });
    const core = JSON.parse(out).addon.core;
    expect(core.source).toBe('forced');
    expect(core.defaultCore).toMatch(/^Prescott/);
    expect(core.active.toLowerCase()).toBe(core.coretype.toLowerCase());
    expect(isGenericCore(core.active, cpu.arch)).toBe(false);
    expect(core.selfTest).toMatch(/self-test ok/);
  }, 60_000);
  it('and with the user\'s OPENBLAS_CORETYPE=Prescott, doctor keeps it and says what would be better', () => {
    const out = execFileSync(process.execPath, ['bin/brevity.js', 'doctor'], {
      encoding: 'utf8', env: { ...process.env, OPENBLAS_CORETYPE: 'Prescott', BREVITY_KERNEL: 'native' },
    });
    expect(out).toMatch(/OpenBLAS core {2}Prescott \(set by OPENBLAS_CORETYPE\)/);
    if (better) expect(out).toMatch(/Prescott is a generic core; this CPU can run/);
  }, 60_000);
});
