/**
 * Picking the OpenBLAS core before the library initialises. OpenBLAS reads
 * OPENBLAS_CORETYPE once, when libopenblas is loaded (with the addon), and
 * cannot switch afterwards; so its own choice is asked in a child process
 * (native/core-probe.cjs prints openblas_get_corename() and a self-test), and
 * each better core the CPU supports is tried the same way until one is
 * reported back by the library and passes the self-test. A core the CPU
 * cannot run kills only the child. The answer is cached per CPU and addon
 * build in native/build/openblas-core.json (probing costs ~0.1 s per child).
 *
 * A user's OPENBLAS_CORETYPE is never overridden. BREVITY_OPENBLAS_SIMULATE_CORE
 * (e.g. Prescott) makes the library's "own choice" that core, to reproduce
 * the fallback of an older OpenBLAS on a newer CPU.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chooseCore, isGenericCore } from './openblas-core.ts';
import { describeCpu, type CpuInfo } from './cpu-info.ts';

export interface ProbeResult {
  corename: string;
  selfTest: { ok: boolean; worst: number | null; detail: string };
}

/** Runs the probe child with OPENBLAS_CORETYPE = coretype (undefined: unset); null when the child died. */
export type Prober = (coretype: string | undefined) => ProbeResult | { error: string };

export interface CoreSelection {
  cpu: string;
  /** What the library picks on its own (null: not probed, e.g. the user set OPENBLAS_CORETYPE). */
  defaultCore: string | null;
  /** OPENBLAS_CORETYPE to set before loading (undefined: leave the environment alone). */
  coretype: string | undefined;
  source: 'user' | 'library' | 'forced' | 'probe-failed';
  why: string;
  /** Each forced core tried, with what happened. */
  tried: string[];
  /** For a user's or the library's generic core: the better core brevity would pick. */
  hint: string | null;
}

/** The decision, from the CPU, the environment and a prober (all injectable for tests). */
export function selectCore(cpu: CpuInfo, env: NodeJS.ProcessEnv, probe: Prober): CoreSelection {
  const base = { cpu: describeCpu(cpu), tried: [] as string[], hint: null as string | null };
  const user = env.OPENBLAS_CORETYPE;
  if (user) {
    const c = chooseCore(cpu, user);
    const hint = isGenericCore(user, cpu.arch) && c.action === 'try'
      ? `${user} is a generic core; this CPU can run ${c.candidates[0]} (unset OPENBLAS_CORETYPE to let brevity choose)` : null;
    return { ...base, defaultCore: null, coretype: undefined, source: 'user', why: chooseCore(cpu, '', user).why, hint };
  }
  const simulate = env.BREVITY_OPENBLAS_SIMULATE_CORE || undefined;
  const first = probe(simulate);
  if ('error' in first) {
    return { ...base, defaultCore: null, coretype: simulate, source: 'probe-failed', why: `could not ask OpenBLAS for its core (${first.error}); left as is` };
  }
  const defaultCore = first.corename + (simulate ? ' (simulated by BREVITY_OPENBLAS_SIMULATE_CORE)' : '');
  const choice = chooseCore(cpu, first.corename);
  if (choice.action !== 'try') return { ...base, defaultCore, coretype: simulate, source: 'library', why: choice.why };
  const tried: string[] = [];
  for (const cand of choice.candidates) {
    const r = probe(cand);
    if ('error' in r) { tried.push(`${cand}: probe died (${r.error})`); continue; }
    if (r.corename.toLowerCase() !== cand.toLowerCase()) { tried.push(`${cand}: not in this OpenBLAS (it ran ${r.corename})`); continue; }
    if (!r.selfTest.ok) { tried.push(`${cand}: self-test failed (${r.selfTest.detail})`); continue; }
    tried.push(`${cand}: self-test ok`);
    return { ...base, defaultCore, coretype: cand, source: 'forced', why: `${choice.why}; forced ${cand}`, tried };
  }
  return {
    ...base, defaultCore, coretype: simulate, source: 'library', tried,
    why: `${choice.why}; no better core worked, kept ${first.corename}`,
    hint: `OpenBLAS runs the generic ${first.corename} kernels; a newer OpenBLAS (0.3.26+) knows this CPU`,
  };
}

/** The real prober: `node native/core-probe.cjs <addon>` with the given OPENBLAS_CORETYPE. */
export function childProber(addonPath: string): Prober {
  const script = join(dirname(addonPath), '..', '..', 'core-probe.cjs');
  return (coretype) => {
    const env = { ...process.env };
    delete env.OPENBLAS_CORETYPE;
    if (coretype) env.OPENBLAS_CORETYPE = coretype;
    const r = spawnSync(process.execPath, [script, addonPath], { env, encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) {
      const why = r.signal ? `signal ${r.signal}` : r.error ? r.error.message : `exit ${r.status}: ${(r.stderr ?? '').trim().split('\n').at(-1)}`;
      return { error: why };
    }
    try {
      return JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as ProbeResult;
    } catch {
      return { error: `unreadable probe output: ${r.stdout.slice(0, 200)}` };
    }
  };
}

/** selectCore with its answer cached per CPU, flags, addon build and simulation. */
export function cachedSelectCore(cpu: CpuInfo, env: NodeJS.ProcessEnv, addonPath: string, probe: Prober): CoreSelection {
  if (env.OPENBLAS_CORETYPE) return selectCore(cpu, env, probe); // no probing at all
  const cacheFile = join(dirname(addonPath), '..', 'openblas-core.json');
  let key = '';
  let cache: Record<string, CoreSelection> = {};
  try {
    const st = statSync(addonPath);
    key = JSON.stringify([describeCpu(cpu), [...cpu.flags].sort().join(' '), st.size, st.mtimeMs, env.BREVITY_OPENBLAS_SIMULATE_CORE ?? '']);
    cache = JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, CoreSelection>;
    if (cache[key]) return cache[key];
  } catch { /* no cache yet */ }
  const selection = selectCore(cpu, env, probe);
  if (key && selection.source !== 'probe-failed') {
    try { writeFileSync(cacheFile, JSON.stringify({ ...cache, [key]: selection }, null, 2) + '\n'); } catch { /* read-only install: probe again next time */ }
  }
  return selection;
}

/** Forget the cached choice (the in-process self-test disagreed with the child's). */
export function dropCoreCache(addonPath: string): void {
  try { writeFileSync(join(dirname(addonPath), '..', 'openblas-core.json'), '{}\n'); } catch { /* nothing cached */ }
}
