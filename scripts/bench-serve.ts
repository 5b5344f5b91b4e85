/**
 * `npm run bench:serve`: the reward service (`brevity serve rewards --recipe
 * recipes/dler.yaml`) as a separate process on loopback, loaded for
 * BENCH_SECONDS (default 60) with requests of 256 GSM8K-style samples
 * (16 prompts × 16 samples; reference solutions, a quarter with a wrong final
 * number, one in eight past the cap) from BENCH_CLIENTS (default 4)
 * keep-alive clients, through `POST /v1/rewards` (lengths in tokens, as verl
 * sends them), then a shorter phase of `POST /get_reward` (text in, lengths
 * counted with the model's tokenizer). Prints samples/s, p50/p99 latency,
 * errors and the server's memory over time; the baseline, measured in the same
 * run, is the same batches scored in-process (no HTTP).
 *
 * Then the fault test: clients that disconnect mid-body and mid-wait,
 * malformed JSON, oversized bodies, 50 concurrent clients, and a SIGTERM
 * restart that must bring the history back. Exit 1 on any failed check.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadBrevityRecipe } from '../src/recipe/index.ts';
import { buildRewardPipeline } from '../src/serve/build.ts';
import { parseBatch } from '../src/serve/protocol.ts';
import { loadGsm8k } from '../src/verify/datasets.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const RECIPE = 'recipes/dler.yaml';
const dir = mkdtempSync(path.join(tmpdir(), 'bench-serve-'));
const state = path.join(dir, 'state.json');
const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

// ---- workload -----------------------------------------------------------------
const rows = loadGsm8k();
if (!rows) throw new Error('bench:serve: data/gsm8k-test.jsonl not found');
const { recipe } = loadBrevityRecipe(RECIPE);
const { tokenizer } = buildRewardPipeline(recipe);
const solutions = rows.map((r) => ({ text: r.solution.replace(/<<[^>]*>>/g, ''), gold: r.answer, prompt: `Q: ${r.id}\n` }));
const tokenLengths = solutions.map((s) => tokenizer.encode(s.text).length);

function batchBody(b: number): { verl: string; openrlhf: string; items: number } {
  const items: object[] = [];
  const query: string[] = [];
  const prompts: string[] = [];
  const labels: string[] = [];
  for (let p = 0; p < 16; p++) {
    const k = (b * 16 + p) % solutions.length;
    const s = solutions[k];
    for (let j = 0; j < 16; j++) {
      const wrong = (j + p) % 4 === 0;
      const text = wrong ? s.text.replace(/#### (.*)$/, (_, a) => `#### ${Number(a.replace(/,/g, '')) + 1}`) : s.text;
      const truncated = j % 8 === 7;
      items.push({ group_id: `${b}-${p}`, prompt_id: s.prompt, response: text, gold: s.gold, response_length: truncated ? 96 : tokenLengths[k], finish_reason: truncated ? 'length' : 'stop' });
      prompts.push(s.prompt);
      query.push(s.prompt + text);
      labels.push(s.gold);
    }
  }
  return { verl: JSON.stringify({ items }), openrlhf: JSON.stringify({ query, prompts, labels }), items: items.length };
}
const bodies = Array.from({ length: 32 }, (_, b) => batchBody(b));

// ---- baseline: the same batches scored in-process ---------------------------------
function inProcessRate(ms: number): { wall: number; cpu: number } {
  const { pipeline } = buildRewardPipeline(recipe);
  let n = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; performance.now() - t0 < ms; i++) {
    const b = bodies[i % bodies.length];
    n += pipeline.score(parseBatch(JSON.parse(b.verl), tokenizer).items).items.length;
  }
  const c = process.cpuUsage(c0);
  return { wall: n / ((performance.now() - t0) / 1000), cpu: n / ((c.user + c.system) / 1e6) };
}

// ---- the service as a child process ----------------------------------------------
async function startService(extra: string[] = []): Promise<{ child: ChildProcess; port: number; log: () => string }> {
  const child = spawn(process.execPath, ['bin/brevity.js', 'serve', 'rewards', '--recipe', RECIPE, '--port', '0', '--state', state, '--body-limit', '2', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const port = await new Promise<number>((resolve, reject) => {
    const t = setInterval(() => {
      const m = /service on http:\/\/[\d.]+:(\d+)/.exec(err);
      if (m) (clearInterval(t), resolve(Number(m[1])));
      if (child.exitCode !== null) (clearInterval(t), reject(new Error(`service exited: ${err}`)));
    }, 100);
  });
  return { child, port, log: () => err };
}
const stopService = (child: ChildProcess) => new Promise<number | null>((r) => (child.once('exit', (code) => r(code)), child.kill('SIGTERM')));

async function metric(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN;
};

async function load(port: number, route: '/v1/rewards' | '/get_reward', seconds: number) {
  const lat: number[] = [];
  let samples = 0;
  let errors = 0;
  const mem: number[] = [];
  const cpu0 = await metric(port, 'brevity_serve_cpu_seconds');
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const sampler = setInterval(() => void metric(port, 'brevity_serve_rss_bytes').then((v) => mem.push(v)), 5000);
  const url = `http://127.0.0.1:${port}${route}${route === '/get_reward' ? '?n_samples_per_prompt=16' : ''}`;
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = c; performance.now() < end; i += CLIENTS) {
        const b = bodies[i % bodies.length];
        const t = performance.now();
        const r = await fetch(url, { method: 'POST', body: route === '/v1/rewards' ? b.verl : b.openrlhf, headers: { 'content-type': 'application/json' } });
        const j = (await r.json()) as { rewards?: number[] };
        lat.push(performance.now() - t);
        if (r.status !== 200 || j.rewards?.length !== b.items) errors++;
        else samples += b.items;
      }
    }),
  );
  clearInterval(sampler);
  const secs = (performance.now() - t0) / 1000;
  const cpu = (await metric(port, 'brevity_serve_cpu_seconds')) - cpu0;
  return { rate: samples / secs, perCpu: samples / cpu, p50: pct(lat, 0.5), p99: pct(lat, 0.99), errors, requests: lat.length, mem };
}

function rawSocket(port: number, head: string, act: (s: ReturnType<typeof connect>) => void): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const s = connect(port, '127.0.0.1', () => (s.write(head), act(s)));
    s.on('data', (d) => (text += d));
    s.on('error', () => {});
    s.on('close', () => resolve(text));
  });
}

async function faults(port: number) {
  console.log('\nfault test');
  for (let i = 0; i < 20; i++) {
    // Half a body, then gone (after 200 ms, so the server surely started reading it).
    await rawSocket(port, `POST /v1/rewards HTTP/1.1\r\nhost: x\r\ncontent-length: ${bodies[0].verl.length}\r\n\r\n${bodies[0].verl.slice(0, 5000)}`, (s) => setTimeout(() => s.destroy(), 200));
  }
  // Whole body sent, client gone before the answer.
  for (let i = 0; i < 20; i++) {
    await rawSocket(port, `POST /v1/rewards HTTP/1.1\r\nhost: x\r\ncontent-length: ${Buffer.byteLength(bodies[1].verl)}\r\n\r\n${bodies[1].verl}`, (s) => s.destroy());
  }
  const gone = await metric(port, 'brevity_serve_client_disconnects_total');
  // The 20 mid-body ones are always seen; a mid-wait one is seen only if it left before its answer was written.
  check(gone >= 20, `40 clients disconnecting mid-body or mid-wait: ${gone} counted as disconnects, nothing hangs`);
  const bad = await fetch(`http://127.0.0.1:${port}/v1/rewards`, { method: 'POST', body: '{"items": [{"group_id": 1, ' });
  check(bad.status === 400 && /not valid JSON/.test(((await bad.json()) as { error: string }).error), 'malformed JSON → 400 naming the problem');
  const field = await fetch(`http://127.0.0.1:${port}/v1/rewards`, { method: 'POST', body: JSON.stringify({ items: [{ group_id: 1, response: 'x', gold: '1', response_length: 'long' }] }) });
  check(field.status === 400 && /items\[0\]\.response_length/.test(((await field.json()) as { error: string }).error), 'wrong field type → 400 naming items[0].response_length');
  const huge = 'x'.repeat(3 * 2 ** 20);
  const big = await fetch(`http://127.0.0.1:${port}/v1/rewards`, { method: 'POST', body: huge }).then((r) => r.status, (e) => `reset (${(e as Error).message})`);
  check(big === 413, `3 MiB body against a 2 MiB limit → 413 (got ${big})`);
  const many = await Promise.all(
    Array.from({ length: 50 }, async (_, c) => {
      const b = bodies[c % bodies.length];
      const r = await fetch(`http://127.0.0.1:${port}/v1/rewards`, { method: 'POST', body: b.verl });
      return r.status === 200 && ((await r.json()) as { rewards: number[] }).rewards.length === b.items;
    }),
  );
  check(many.every(Boolean), `50 concurrent clients × 256 samples: ${many.filter(Boolean).length}/50 answered in full`);
  const h = await fetch(`http://127.0.0.1:${port}/healthz`);
  check(h.status === 200, 'healthy after the faults');
}

// ---- run ------------------------------------------------------------------------
console.log(`bench:serve — ${RECIPE}, requests of ${bodies[0].items} GSM8K-style samples, ${CLIENTS} keep-alive clients, ${SECONDS} s; machine shared (load average ${(await import('node:os')).loadavg()[0].toFixed(1)})`);
const base = inProcessRate(3000);
console.log(`baseline, in-process pipeline (parse + verify + shapers + history, no HTTP): ${Math.round(base.wall).toLocaleString('en-US')} samples/s, ${Math.round(base.cpu).toLocaleString('en-US')} per CPU-second`);
let svc = await startService();
try {
  const rssStart = await metric(svc.port, 'brevity_serve_rss_bytes');
  await load(svc.port, '/v1/rewards', 3); // warm-up
  const v = await load(svc.port, '/v1/rewards', SECONDS);
  const mb = (x: number) => (x / 2 ** 20).toFixed(0);
  console.log(`\nPOST /v1/rewards: ${Math.round(v.rate).toLocaleString('en-US')} samples/s (${(v.rate / base.wall).toFixed(2)}× in-process), ${Math.round(v.perCpu).toLocaleString('en-US')} per server CPU-second (${(v.perCpu / base.cpu).toFixed(2)}× in-process), ${v.requests} requests, p50 ${v.p50.toFixed(1)} ms, p99 ${v.p99.toFixed(1)} ms, errors ${v.errors}`);
  console.log(`  server RSS MiB: start ${mb(rssStart)}, every 5 s: ${v.mem.map(mb).join(' ')}`);
  const g = await load(svc.port, '/get_reward', Math.max(5, Math.round(SECONDS / 6)));
  console.log(`POST /get_reward (tokenizes every response): ${Math.round(g.rate).toLocaleString('en-US')} samples/s, ${Math.round(g.perCpu).toLocaleString('en-US')} per server CPU-second, p50 ${g.p50.toFixed(1)} ms, p99 ${g.p99.toFixed(1)} ms, errors ${g.errors}`);
  check(v.errors === 0 && g.errors === 0, '0 errors under sustained load');
  const half = v.mem.slice(Math.floor(v.mem.length / 2));
  check(v.mem.length < 4 || Math.max(...half) < 1.5 * Math.min(...half) + 64 * 2 ** 20, 'memory flat (second half of the run within 1.5× + 64 MiB)');
  await faults(svc.port);
  const prompts = await metric(svc.port, 'brevity_serve_history_prompts');
  const code = await stopService(svc.child);
  check(code === 0, `SIGTERM → exit 0 after saving (got ${code})`);
  svc = await startService();
  const after = (await (await fetch(`http://127.0.0.1:${svc.port}/healthz`)).json()) as { prompts: number };
  check(after.prompts === prompts, `history survives a SIGTERM restart: ${prompts} prompts before, ${after.prompts} after`);
  const note = v.rate >= 20_000 ? 'meets' : 'below';
  console.log(`\nsummary: ${Math.round(v.rate).toLocaleString('en-US')} samples/s scored (${note} the 20,000 target; ${Math.round(v.perCpu).toLocaleString('en-US')} per server CPU-second), p50 ${v.p50.toFixed(1)} ms, p99 ${v.p99.toFixed(1)} ms per 256-sample request; ${failures.length} failed checks`);
} finally {
  if (svc.child.exitCode === null) await stopService(svc.child);
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failures.length ? 1 : 0);
