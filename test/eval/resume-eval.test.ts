/**
 * Resumable evaluations against a loopback OpenAI-compatible server: a server
 * that dies mid-run and comes back is resumed from the records without
 * redoing finished ones (and the result equals an uninterrupted run's);
 * --max-failures records failed requests and continues; a server that never
 * answers fails within the engine's deadline.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { evaluate, type EvaluateOptions } from '../../src/eval/evaluate.ts';
import { RecordLog } from '../../src/eval/record-log.ts';
import { OpenAICompatibleEngine } from '../../src/rollout/openai-engine.ts';
import type { Problem, Task } from '../../src/tasks/types.ts';
import { charTokenizer } from './fakes.ts';

const problems: Problem[] = Array.from({ length: 12 }, (_, i) => ({ id: `p${i}`, question: String(i), gold: String(i) }));
const task: Task = { name: 'loop', extractors: ['hash'], answerTrigger: '\n#### ', problems: () => problems, formatPrompt: (p) => `Q${p.question}\n` };
const tokenizer = { ...charTokenizer, eosTokenId: 3 };

/** The fake model: problem i thinks 6·(i % 4) chars, then answers i (wrong for multiples of 3). */
function complete(prompt: string, max: number): { text: string; finish: string } {
  const m = /^Q(\d+)\n/.exec(prompt)!;
  const i = Number(m[1]);
  const answer = i % 3 === 0 ? '999' : String(i);
  const full = prompt.length > m[0].length ? answer : `${'thinks'.repeat(i % 4)}\n#### ${answer}`;
  return { text: full.slice(0, max), finish: full.length > max ? 'length' : 'stop' };
}

interface Fake {
  url: string;
  /** First requests (prompt = the question alone) as "problem@budget". */
  firsts: string[];
  stop(): Promise<void>;
}

/** Serve on `port` (0 = any); `dieAfter` requests, the server closes and refuses connections; `hang` never answers. */
async function serve(o: { port?: number; dieAfter?: number; hang?: boolean; failProblem?: number } = {}): Promise<Fake> {
  const firsts: string[] = [];
  let served = 0;
  let server: Server;
  const stop = async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (o.hang) return; // accepts, never answers
      if (o.dieAfter !== undefined && served >= o.dieAfter) {
        req.socket.destroy();
        void stop();
        return;
      }
      served++;
      const b = JSON.parse(body) as { prompt: string; max_tokens: number };
      const m = /^Q(\d+)\n$/.exec(b.prompt);
      if (m) firsts.push(`${m[1]}@${b.max_tokens}`);
      if (o.failProblem !== undefined && b.prompt.startsWith(`Q${o.failProblem}\n`)) return res.writeHead(503).end('down for this one');
      const { text, finish } = complete(b.prompt, b.max_tokens);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ text, finish_reason: finish }] }));
    });
  });
  await new Promise<void>((r) => server.listen(o.port ?? 0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, firsts, stop };
}

const servers: Fake[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop().catch(() => {});
});

const verify: EvaluateOptions['verify'] = (text, gold) => {
  const got = /#### (\d+)/.exec(text)?.[1] ?? null;
  return { correct: got === gold, extracted: got, reason: got === null ? 'no-answer' : got === gold ? 'match' : 'mismatch' } as never;
};

function options(url: string, records?: RecordLog, extra: Partial<EvaluateOptions> = {}, deadlineMs = 20_000): EvaluateOptions {
  const engine = new OpenAICompatibleEngine(
    { baseUrl: url, model: 'm', concurrency: 2, backoffMs: 5, maxBackoffMs: 20, firstByteTimeoutMs: deadlineMs, deadlineMs, maxRetries: 2 },
    tokenizer,
  );
  return { engine, task, tokenizer, verify, budgets: [16, 32], samplesPerProblem: 1, temperature: 1, chunk: 2, seed: 3, bootstrap: { resamples: 20, seed: 0 }, records, ...extra };
}

const fingerprint = { model: 'loop', settings: 1 };
const recordsOf = (file: string) =>
  readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('"record"')).map((l) => JSON.parse(l) as { budget: number; index: number });

describe('resumable evaluation', () => {
  it('a server that dies mid-run and is restarted: the rerun resumes without redoing finished records', async () => {
    const clean = await serve();
    servers.push(clean);
    const expected = await evaluate(options(clean.url));
    expect(new Set(clean.firsts).size).toBe(24);

    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'brevity-eval-resume-')), 'e.records.jsonl');
    const dying = await serve({ dieAfter: 13 });
    const port = Number(new URL(dying.url).port);
    await expect(evaluate(options(dying.url, RecordLog.open(file, fingerprint)))).rejects.toThrow(
      /failed: .*finished records are kept in .*e\.records\.jsonl: rerun with the same settings to resume/,
    );
    const before = recordsOf(file);
    expect(before.length).toBeGreaterThan(0);
    expect(before.length).toBeLessThan(24);

    const back = await serve({ port });
    servers.push(back);
    const logs: string[] = [];
    const log = RecordLog.open(file, fingerprint, (s) => logs.push(s));
    expect(log.reused).toBe(before.length);
    expect(logs.join('\n')).toMatch(new RegExp(`resuming from .* \\(${before.length} finished records\\)`));
    const resumed = await evaluate(options(back.url, log));
    // Only the unfinished (problem, budget) pairs were asked for again…
    const done = new Set(before.map((r) => `${r.index}@${r.budget}`));
    expect(back.firsts.filter((f) => done.has(f))).toEqual([]);
    expect(new Set(back.firsts).size).toBe(24 - before.length);
    // …and the result is the uninterrupted one.
    expect(resumed).toEqual(expected);
    expect(recordsOf(file)).toHaveLength(24);

    // Different settings: the records are not reused.
    const other = RecordLog.open(file, { ...fingerprint, settings: 2 }, (s) => logs.push(s));
    expect(other.reused).toBe(0);
    expect(logs.join('\n')).toMatch(/different settings or another model; starting the evaluation afresh/);
  });

  it('--max-failures: failed requests are recorded, left out and counted; one more stops the evaluation', async () => {
    const s = await serve({ failProblem: 4 });
    servers.push(s);
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'brevity-eval-fail-')), 'f.records.jsonl');
    const r = await evaluate(options(s.url, RecordLog.open(file, fingerprint), { maxFailures: 2 }));
    expect(r.failures?.map((f) => `${f.id}@${f.budget}`)).toEqual(['p4@16', 'p4@32']);
    expect(r.failures![0].error).toMatch(/503/);
    for (const b of r.budgets) {
      expect(b.records.map((x) => x.id)).not.toContain('p4');
      expect(b.problems).toBe(11);
    }
    expect(readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('"failure"'))).toHaveLength(2);
    await expect(evaluate(options(s.url, undefined, { maxFailures: 1 }))).rejects.toThrow(/problem p4 at budget 32 failed: .*more than --max-failures 1/);
    await expect(evaluate(options(s.url))).rejects.toThrow(/problem p4 at budget 16 failed/);
  });

  it('a server that accepts and never answers fails within the engine deadline', async () => {
    const s = await serve({ hang: true });
    servers.push(s);
    const t0 = performance.now();
    await expect(evaluate(options(s.url, undefined, {}, 400))).rejects.toThrow(/failed/);
    // 3 attempts × a 400 ms deadline + backoff: well under 5 s.
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});
