/**
 * `npm run bench:verify`: verifications per second and pass rates of the math verifier.
 *
 * Throughput is measured cold (gold and parse caches cleared before every pass, so each check
 * parses both sides) and warm (caches kept, as in training where a group of rollouts shares
 * one gold), over: the 131 public Math-Verify cases, GSM8K reference solutions (`####`
 * extractor) and MATH-500 reference solutions (boxed), and the hand-written adversarial set
 * (test/verify/fixtures). Target: ≥ 5,000 verifications/s (cold, public cases).
 */
import os from 'node:os';
import { clearCaches, verify, type VerifyOptions } from '../src/verify/verify.ts';
import { optionsFromConfig } from '../src/verify/case-config.ts';
import { dataDir, isMislabelled, loadGsm8k, loadMath500, loadPublicCases } from '../src/verify/datasets.ts';
import { CASES } from '../test/verify/fixtures/adversarial-cases.ts';

type Job = { response: string; gold: string; opts: VerifyOptions };

/**
 * Verifications per second of wall time and per second of this process's CPU time (the
 * second is what the code costs when other processes share the 2 cores).
 */
function rate(jobs: Job[], cold: boolean, minMs = 1500): { wall: number; cpu: number } {
  let n = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  while (performance.now() - t0 < minMs) {
    if (cold) clearCaches();
    for (const j of jobs) verify(j.response, j.gold, j.opts);
    n += jobs.length;
  }
  const c = process.cpuUsage(c0);
  return { wall: n / ((performance.now() - t0) / 1000), cpu: n / ((c.user + c.system) / 1e6) };
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US').padStart(8);

const cases = loadPublicCases();
const gsm = loadGsm8k();
const math = loadMath500();
if (!cases || !gsm || !math) {
  console.error(`bench:verify: data not found in ${dataDir} (expected verifier-cases.public.jsonl, gsm8k-test.jsonl, math500-test.jsonl)`);
  process.exit(1);
}

console.log(`verifier benchmark — node ${process.version}, ${os.cpus().length} CPU(s), load avg ${os.loadavg()[0].toFixed(2)}`);

// Pass rates.
let agree = 0;
const disagreements: string[] = [];
for (const c of cases) {
  const r = verify(c.pred, c.gold, optionsFromConfig(c.config));
  if (r.correct === c.equal) agree++;
  else disagreements.push(`line ${c.line}${isMislabelled(c) ? ' (mislabelled by its source)' : ''}`);
}
const mislabelled = cases.filter(isMislabelled).length;
console.log(
  `public cases: ${agree}/${cases.length} agree with labels (${((100 * agree) / cases.length).toFixed(1)}%); ` +
    `${agree + mislabelled}/${cases.length} with the mislabelled row corrected; disagreements: ${disagreements.join(', ') || 'none'}`,
);
const gsmJobs: Job[] = gsm.map((r) => ({ response: r.solution, gold: r.answer, opts: { extractors: ['hash'], strict: true } }));
const gsmOk = gsmJobs.filter((j) => verify(j.response, j.gold, j.opts).correct).length;
console.log(`GSM8K: ${gsmOk}/${gsm.length} reference '####' answers verify`);
const mathJobs: Job[] = math.map((r) => ({ response: r.solution, gold: r.answer, opts: { extractors: ['boxed'], strict: true } }));
const mathFail = math.filter((r, i) => !verify(mathJobs[i].response, mathJobs[i].gold, mathJobs[i].opts).correct);
console.log(
  `MATH-500: ${math.length - mathFail.length}/${math.length} reference boxed answers verify (${((100 * (math.length - mathFail.length)) / math.length).toFixed(1)}%)` +
    (mathFail.length ? `; failures: ${mathFail.map((r) => r.unique_id).join(', ')}` : ''),
);

const adv = CASES.filter(([gold, response, equal]) => verify(response, gold).correct === equal).length;
const advFp = CASES.filter(([gold, response, equal]) => !equal && verify(response, gold).correct).length;
console.log(`adversarial fixture: ${adv}/${CASES.length} agree (${((100 * adv) / CASES.length).toFixed(1)}%), ${advFp} false positives`);

// Throughput.
const publicJobs: Job[] = cases.map((c) => ({ response: c.pred, gold: c.gold, opts: optionsFromConfig(c.config) }));
const gsmAnswers: Job[] = gsm.map((r) => ({ response: `… so the total is\n#### ${r.answer}`, gold: r.answer, opts: { extractors: ['hash'] } }));
for (const [name, jobs] of [
  ['public cases', publicJobs],
  ['GSM8K answers (#### line)', gsmAnswers],
  ['GSM8K full solutions', gsmJobs],
  ['MATH-500 full solutions', mathJobs],
  ['adversarial fixture', CASES.map(([gold, response]) => ({ response, gold, opts: {} }))],
] as const) {
  const cold = rate(jobs as Job[], true);
  const warm = rate(jobs as Job[], false);
  console.log(
    `${name.padEnd(28)} cold ${fmt(cold.wall)}/s wall ${fmt(cold.cpu)}/s CPU | warm ${fmt(warm.wall)}/s wall ${fmt(warm.cpu)}/s CPU`,
  );
}
console.log('cold: gold and parse caches cleared before every pass; warm: kept (a rollout group shares its gold)');
