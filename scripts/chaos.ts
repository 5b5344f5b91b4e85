/**
 * `npm run test:chaos`: a short `brevity train` run (the quickstart recipe,
 * shrunk with --set) is killed with SIGKILL 10 times at chosen moments —
 * during the base evaluation, during rollouts, during a checkpoint write,
 * during a step evaluation, during the final evaluation, at random — and
 * restarted each time the way a user would (`--resume` when there is a valid
 * checkpoint, a fresh start when there is nothing, `--overwrite` when the run
 * died before its first checkpoint); once, a file of the newest checkpoint is
 * truncated. The final metrics (minus timings), weights, optimizer state and
 * evaluations must equal an uninterrupted run's. Prints what it did and the
 * hashes; exits 1 on any difference.
 *
 *   npm run test:chaos [-- --seed 7 --keep]
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, watch } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { latestCheckpoint } from '../src/train/checkpoint.ts';
import { MetricsWriter } from '../src/train/metrics.ts';
import { Rng } from '../src/util/rng.ts';

const args = process.argv.slice(2);
const seedArg = args.indexOf('--seed');
const SEED = seedArg >= 0 ? Number(args[seedArg + 1]) : Date.now() % 100_000;
const KEEP = args.includes('--keep');
const root = mkdtempSync(path.join(os.tmpdir(), 'brevity-chaos-'));
const rng = new Rng(`chaos:${SEED}`);

const SETTINGS = [
  'train.steps=6', 'train.promptsPerStep=4', 'train.checkpointEvery=1', 'train.keepCheckpoints=2', 'rollout.n=4', 'rollout.engine=tfjs',
  'eval.testSize=8', 'eval.budgets=[32, 64]', 'eval.every=2', 'eval.bootstrap=100', `run.outputDir=${root}`,
];
const recipeArgs = (name: string) => ['recipes/quickstart.yaml', '--progress', 'lines', ...SETTINGS.flatMap((s) => ['--set', s]), '--set', `run.name=${name}`];

type Moment = 'base-eval' | 'rollout' | 'checkpoint-write' | 'step-eval' | 'final-eval' | 'random';
const PLAN: Moment[] = ['base-eval', 'rollout', 'checkpoint-write', 'rollout', 'step-eval', 'checkpoint-write', 'random', 'checkpoint-write', 'random', 'final-eval'];

interface Proc {
  out: () => string;
  done: Promise<number | string>;
  kill: () => void;
  alive: () => boolean;
}

function brevity(argv: string[]): Proc {
  let out = '';
  let exited = false;
  const child = spawn(process.execPath, ['bin/brevity.js', 'train', ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const done = new Promise<number | string>((res) => child.on('exit', (code, sig) => ((exited = true), res(code ?? String(sig)))));
  return { out: () => out, done, kill: () => child.kill('SIGKILL'), alive: () => !exited };
}

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolve when `cond` holds (polled every few ms), or null when the process exits first. */
async function when(p: Proc, cond: () => boolean, everyMs = 3): Promise<boolean> {
  while (p.alive()) {
    if (cond()) return true;
    await sleep(everyMs);
  }
  return false;
}

const metricsLines = (dir: string) => (existsSync(path.join(dir, 'metrics.jsonl')) ? MetricsWriter.read(dir).length : 0);
const recordsIn = (dir: string, pattern: RegExp) => {
  const d = path.join(dir, 'evals');
  if (!existsSync(d)) return 0;
  return readdirSync(d)
    .filter((f) => pattern.test(f) && f.endsWith('.records.jsonl'))
    .reduce((a, f) => a + readFileSync(path.join(d, f), 'utf8').split('\n').filter((l) => l.includes('"record"')).length, 0);
};

/**
 * Kill during a checkpoint write: poll checkpoints/ and SIGKILL the moment a
 * temporary `step-N.tmp-*` directory is there (the save writes config,
 * weights, optimizer, state with an fsync each, then the manifest, then
 * renames). Polled by path, not watched: --overwrite moves the directory.
 */
async function killDuringCheckpoint(p: Proc, dir: string): Promise<boolean> {
  const ckDir = path.join(dir, 'checkpoints');
  const stale = new Set(tmpDirs(dir)); // left by an earlier kill: not this process's write
  const ok = await when(p, () => {
    try {
      return readdirSync(ckDir).some((e) => /\.tmp-/.test(e) && !stale.has(e));
    } catch {
      return false;
    }
  }, 1);
  if (ok) p.kill();
  return ok;
}

const tmpDirs = (dir: string) => (existsSync(path.join(dir, 'checkpoints')) ? readdirSync(path.join(dir, 'checkpoints')).filter((e) => /\.tmp-|\.old$/.test(e)) : []);

const stepName = (n: number) => `step-${String(n).padStart(6, '0')}`;

async function killAt(moment: Moment, p: Proc, dir: string): Promise<string | null> {
  const m0 = metricsLines(dir);
  switch (moment) {
    case 'base-eval': {
      const ok = await when(p, () => recordsIn(dir, /^base\./) >= 1 + Math.floor(rng.next() * 6));
      if (ok) p.kill();
      return ok ? `after ${recordsIn(dir, /^base\./)} base-eval records` : null;
    }
    case 'rollout': {
      // A step is done and checkpointed (its manifest is there): the next one is sampling; wait a random part of it.
      const ok = await when(p, () => {
        const n = metricsLines(dir);
        return n > m0 && existsSync(path.join(dir, 'checkpoints', stepName(n), 'manifest.json'));
      });
      if (!ok) return null;
      const ms = rng.next() * 300;
      await sleep(ms);
      if (!p.alive()) return null;
      p.kill();
      return `${Math.round(ms)} ms into the step after step ${metricsLines(dir)}`;
    }
    case 'checkpoint-write':
      return (await killDuringCheckpoint(p, dir)) ? 'the moment a checkpoint temporary appeared' : null;
    case 'step-eval': {
      const ok = await when(p, () => recordsIn(dir, /^step-/) >= 1 + Math.floor(rng.next() * 10) && recordsIn(dir, /^step-/) % 16 !== 0);
      if (ok) p.kill();
      return ok ? `after ${recordsIn(dir, /^step-/)} step-eval records` : null;
    }
    case 'final-eval': {
      const ok = await when(p, () => recordsIn(dir, /^final\./) >= 1 + Math.floor(rng.next() * 8));
      if (ok) p.kill();
      return ok ? `after ${recordsIn(dir, /^final\./)} final-eval records` : null;
    }
    case 'random': {
      const ms = 500 + rng.next() * 8000;
      const t0 = Date.now();
      const ok = await when(p, () => Date.now() - t0 > ms);
      if (ok) p.kill();
      return ok ? `${Math.round(ms)} ms after start` : null;
    }
  }
}

/** How a user restarts: resume a checkpoint; start over a run that has none. */
function restartArgs(dir: string): { flags: string[]; why: string } {
  if (latestCheckpoint(dir)) return { flags: ['--resume'], why: '--resume' };
  const metrics = path.join(dir, 'metrics.jsonl');
  if (existsSync(metrics) && statSync(metrics).size > 0) return { flags: ['--overwrite'], why: '--overwrite (died before its first checkpoint)' };
  return { flags: [], why: 'fresh start (nothing to resume)' };
}

const stable = (dir: string) =>
  MetricsWriter.read(dir).map((m) => Object.fromEntries(Object.entries(m).filter(([k]) => !k.startsWith('time/') && !k.startsWith('throughput/'))));

function finalFiles(dir: string): Record<string, string> {
  const ck = latestCheckpoint(dir)!;
  const out: Record<string, string> = {};
  for (const f of ['model.safetensors', 'optimizer.safetensors']) out[`${path.basename(ck)}/${f}`] = sha(path.join(ck, f));
  for (const f of readdirSync(path.join(dir, 'evals')).filter((f) => f.endsWith('.json')).sort()) out[`evals/${f}`] = sha(path.join(dir, 'evals', f));
  return out;
}

async function main(): Promise<number> {
  const t0 = performance.now();
  console.log(`chaos: seed ${SEED}, runs under ${root}\nchaos: settings ${SETTINGS.slice(0, -1).join(' ')}`);

  console.log('chaos: uninterrupted reference run …');
  const ref = brevity(recipeArgs('ref'));
  const refCode = await ref.done;
  if (refCode !== 0) {
    console.log(ref.out());
    console.log(`chaos: FAIL: the reference run exited ${refCode}`);
    return 1;
  }
  const refDir = path.join(root, 'ref');

  const dir = path.join(root, 'chaos');
  let kills = 0;
  let midWrite = 0;
  let corrupted = false;
  let fallbackSeen = false;
  let flags: string[] = [];
  let why = 'fresh start';
  for (let attempt = 1; ; attempt++) {
    const before = new Set(tmpDirs(dir));
    const p = brevity([...recipeArgs('chaos'), ...flags]);
    const moment = kills < PLAN.length ? PLAN[kills] : null;
    const what = moment ? await killAt(moment, p, dir) : null;
    const code = await p.done;
    if (/damaged checkpoint skipped/.test(p.out())) fallbackSeen = true;
    if (what !== null) {
      kills++;
      const tmp = tmpDirs(dir).filter((e) => !before.has(e));
      if (moment === 'checkpoint-write' && tmp.length) midWrite++;
      console.log(
        `chaos: start ${attempt} (${why}): SIGKILL #${kills} during ${moment}, ${what}; steps on disk ${metricsLines(dir)}, newest valid checkpoint ${path.basename(latestCheckpoint(dir) ?? 'none')}` +
          (tmp.length ? `, left half-written: ${tmp.join(', ')}` : ''),
      );
      if (kills === 4 && !corrupted) {
        const ck = latestCheckpoint(dir);
        const all = existsSync(path.join(dir, 'checkpoints')) ? readdirSync(path.join(dir, 'checkpoints')).filter((e) => /^step-\d+$/.test(e)) : [];
        if (ck && all.length >= 2) {
          const victim = path.join(ck, 'model.safetensors');
          truncateSync(victim, Math.floor(statSync(victim).size / 2));
          corrupted = true;
          console.log(`chaos: corrupted ${path.relative(root, victim)} (truncated to half)`);
        }
      }
    } else {
      console.log(`chaos: start ${attempt} (${why}): ran to the end, exit ${code}`);
      if (code !== 0) {
        console.log(p.out());
        console.log('chaos: FAIL: a restarted run did not finish cleanly');
        return 1;
      }
      if (kills >= PLAN.length) break;
      console.log(`chaos: FAIL: the run finished after ${kills} kills; the plan has ${PLAN.length}`);
      return 1;
    }
    ({ flags, why } = restartArgs(dir));
  }

  const mRef = stable(refDir);
  const mChaos = stable(dir);
  const hRef = finalFiles(refDir);
  const hChaos = finalFiles(dir);
  console.log(`\nchaos: ${kills} SIGKILLs (${midWrite} inside a checkpoint write), 1 corrupted checkpoint (fallback ${fallbackSeen ? 'seen' : 'NOT seen'}), ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  console.log(`chaos: metrics ${mChaos.length} steps, ${JSON.stringify(mChaos) === JSON.stringify(mRef) ? 'equal' : 'DIFFERENT'} to the uninterrupted run (minus time/ and throughput/)`);
  let same = JSON.stringify(mChaos) === JSON.stringify(mRef);
  for (const k of [...new Set([...Object.keys(hRef), ...Object.keys(hChaos)])]) {
    const eq = hRef[k] === hChaos[k];
    same &&= eq;
    console.log(`chaos: ${k}\n         uninterrupted ${hRef[k] ?? '-'}\n         chaos         ${hChaos[k] ?? '-'}  ${eq ? 'same' : 'DIFFERENT'}`);
  }
  const ok = same && kills === PLAN.length && midWrite > 0 && corrupted && fallbackSeen;
  if (!KEEP && ok) rmSync(root, { recursive: true, force: true });
  console.log(ok ? 'chaos: PASS' : `chaos: FAIL${midWrite === 0 ? ' (no kill landed inside a checkpoint write)' : ''}${!fallbackSeen ? ' (no fallback)' : ''}; runs kept in ${root}`);
  return ok ? 0 : 1;
}

process.exitCode = await main();
