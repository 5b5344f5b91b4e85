/**
 * OpenAICompatibleEngine against fake vLLM / llama-server / SGLang servers on
 * loopback: server token ids and log-probs are used (not re-encoded text),
 * n > 1 in one request, fallback when n is ignored, the budget clip,
 * keep-alive reuse, the three timeouts, and weight sync (the fake servers load
 * the checkpoint they are told to load and compare it with the weights sent).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint } from '../../src/model/checkpoint.ts';
import type { NamedTensors } from '../../src/model/config.ts';
import { OpenAICompatibleEngine } from '../../src/rollout/openai-engine.ts';
import { randomWeights, tinyConfig } from './fixtures.ts';

// Character tokenizer: id = char code − 96 ('a' = 1), 0 = EOS.
const tokenizer = {
  eosTokenId: 0,
  encode: (s: string) => [...s].map((c) => c.charCodeAt(0) - 96),
  decode: (ids: readonly number[]) => ids.filter((i) => i > 0).map((i) => String.fromCharCode(i + 96)).join(''),
};
const dir = mkdtempSync(path.join(tmpdir(), 'brevity-served-'));
const cfg = tinyConfig('qwen2');
const sent: { weights?: NamedTensors } = {};
const log: { bodies: Record<string, unknown>[]; sockets: number; loads: string[]; rpc: string[]; errors: string[] } = { bodies: [], sockets: 0, loads: [], rpc: [], errors: [] };

/** The fake's sampler: ids of choice k under seed s (distinct per (s, k)); the text deliberately does NOT re-encode to them. */
const idsFor = (seed: number, k: number, len: number) => Array.from({ length: len }, (_, t) => 1 + ((seed * 31 + k * 7 + t * 3) % 26));

async function checkLoad(dirSeen: string): Promise<void> {
  // The fake "server" loads what it was told to load and checks it against what the trainer sent.
  const ck = await loadCheckpoint(dirSeen);
  for (const [name, t] of sent.weights!) {
    const got = ck.weights.get(name);
    if (!got || got.data.length !== t.data.length || got.data.some((v, i) => v !== t.data[i])) throw new Error(`tensor ${name} differs`);
  }
  if (!existsSync(path.join(dirSeen, 'tokenizer.json'))) throw new Error('tokenizer.json missing');
  log.loads.push(dirSeen);
}

let server: Server;
let base = '';
const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

async function handle(req: IncomingMessage, res: ServerResponse, raw: string) {
  const b = JSON.parse(raw || '{}');
  if (req.url === '/update_weights_from_disk') {
    await checkLoad(b.model_path).then(
      () => json(res, 200, { success: true, message: 'ok' }),
      (e) => json(res, 200, { success: false, message: (e as Error).message }),
    );
    return;
  }
  if (req.url === '/collective_rpc') {
    log.rpc.push(b.method);
    if (b.method === 'update_config') log.rpc.push(`model=${b.args[0].model_config.model}`);
    if (b.method === 'reload_weights') await checkLoad(log.rpc.filter((x) => x.startsWith('model=')).at(-1)!.slice(6));
    return json(res, 200, {});
  }
  if (req.url === '/reset_prefix_cache') return (log.rpc.push('reset_prefix_cache'), json(res, 200, {}));
  log.bodies.push(b);
  const n = b.model === 'ignores-n' ? 1 : b.n;
  const choices = Array.from({ length: n }, (_, k) => {
    const len = b.model === 'overlong' ? 50 : Math.min(b.max_tokens, 3 + ((b.seed + k) % 4));
    const ids = idsFor(b.seed, k, len);
    const lps = ids.map((_, t) => -0.01 * (t + 1) - k);
    const text = 'SERVER TEXT';
    const finish = len >= b.max_tokens ? 'length' : 'stop';
    if (b.model === 'llama') return { index: k, text, finish_reason: finish, tokens: ids, logprobs: b.n_probs ? { content: ids.map((id, t) => ({ id, logprob: lps[t] })) } : null };
    if (b.return_tokens_as_token_ids) return { index: k, text, finish_reason: finish, logprobs: { tokens: ids.map((i) => `token_id:${i}`), token_logprobs: lps } };
    return { index: k, text: 'abc', finish_reason: finish };
  });
  // Answer out of index order: the engine must sort by index.
  json(res, 200, { choices: choices.reverse() });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => void handle(req, res, raw).catch((e) => (log.errors.push(String(e)), json(res, 500, { error: String(e) }))));
  });
  server.on('connection', () => log.sockets++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('served rollouts (vLLM-style fake)', () => {
  it('asks for n samples in one request, uses the server ids and log-probs, over a few pooled sockets', async () => {
    const e = new OpenAICompatibleEngine({ baseUrl: base, model: 'm', server: 'vllm', concurrency: 2 }, tokenizer);
    log.bodies.length = 0;
    const before = log.sockets;
    const reqs = Array.from({ length: 6 }, (_, i) => ({ promptIds: [1, 2], n: 4, maxTokens: 16, seed: 100 + i }));
    const out = await e.generate(reqs, { temperature: 1, logprobs: true });
    expect(log.bodies).toHaveLength(6);
    expect(log.bodies.every((b) => b.n === 4 && b.return_tokens_as_token_ids === true && b.logprobs === 1)).toBe(true);
    expect(log.bodies.map((b) => b.seed).sort()).toEqual(reqs.map((r) => r.seed)); // one request per prompt, the prompt's seed
    out.forEach((samples, i) =>
      samples.forEach((s, k) => {
        const len = 3 + ((reqs[i].seed + k) % 4);
        expect(s.tokens).toEqual(idsFor(reqs[i].seed, k, len)); // server ids, in index order
        expect(s.logprobs).toEqual(s.tokens.map((_, t) => -0.01 * (t + 1) - k));
        expect(s.text).toBe('SERVER TEXT');
      }),
    );
    // Distinct samples within a group (the server's seeded stream).
    expect(new Set(out[0].map((s) => s.tokens.join())).size).toBe(4);
    expect(log.sockets - before).toBeLessThanOrEqual(2); // keep-alive: 6 requests, ≤ concurrency sockets
    await e.dispose();
  });

  it('falls back to one request per sample (derived seeds) when the server ignores n, and says so once', async () => {
    const warnings: string[] = [];
    const e = new OpenAICompatibleEngine({ baseUrl: base, model: 'ignores-n', server: 'vllm' }, tokenizer, (s) => warnings.push(s));
    log.bodies.length = 0;
    const out = await e.generate([{ promptIds: [1], n: 3, maxTokens: 16, seed: 7 }, { promptIds: [2], n: 3, maxTokens: 16, seed: 8 }], { temperature: 1 });
    expect(out.map((s) => s.length)).toEqual([3, 3]);
    expect(warnings.filter((w) => /ignores n/.test(w))).toHaveLength(1);
    expect(e.stats.nIgnored).toBeGreaterThanOrEqual(1);
    const singles = log.bodies.filter((b) => b.n === 1).map((b) => b.seed);
    expect(new Set(singles).size).toBe(singles.length); // distinct derived seeds
  });

  it('clips a server that ignores max_tokens to the budget, and flags it', async () => {
    const warnings: string[] = [];
    const e = new OpenAICompatibleEngine({ baseUrl: base, model: 'overlong', server: 'vllm' }, tokenizer, (s) => warnings.push(s));
    const [[s]] = await e.generate([{ promptIds: [1], n: 1, maxTokens: 16, seed: 1 }], { temperature: 1, logprobs: true });
    expect(s.tokens).toHaveLength(16);
    expect(s.tokens).toEqual(idsFor(log.bodies.at(-1)!.seed as number, 0, 50).slice(0, 16));
    expect(s.logprobs).toHaveLength(16);
    expect(s.finish).toBe('length');
    expect(s.text).toBe(tokenizer.decode(s.tokens));
    expect(e.stats.overBudget).toBe(1);
    expect(warnings.join()).toMatch(/returned 50 tokens for max_tokens 16.*clipped/);
  });

  it('reads llama-server token ids and n_probs log-probs; one request per sample by default', async () => {
    const e = new OpenAICompatibleEngine({ baseUrl: base, model: 'llama', server: 'llama-server' }, tokenizer);
    log.bodies.length = 0;
    const [samples] = await e.generate([{ promptIds: [1], n: 2, maxTokens: 16, seed: 5 }], { temperature: 1, logprobs: true });
    expect(log.bodies.every((b) => b.n === 1 && b.return_tokens === true && b.n_probs === 1)).toBe(true);
    expect(log.bodies).toHaveLength(2);
    samples.forEach((s) => expect(s.logprobs).toHaveLength(s.tokens.length));
  });

  it('re-encodes the text when the server returns no ids (generic)', async () => {
    const e = new OpenAICompatibleEngine({ baseUrl: base, model: 'm' }, tokenizer);
    const [[s]] = await e.generate([{ promptIds: [1], n: 1, maxTokens: 16, seed: 2 }], { temperature: 1 });
    expect(s.tokens).toEqual(tokenizer.encode('abc'));
    expect(s.logprobs).toBeUndefined();
  });
});

describe('weight sync', () => {
  const files = { 'tokenizer.json': '{"fake": true}' };
  it('SGLang: writes an HF checkpoint per version and calls update_weights_from_disk with its path', async () => {
    const e = new OpenAICompatibleEngine({ baseUrl: base, model: 'm', server: 'sglang', weightSync: { kind: 'sglang', dir: path.join(dir, 'sg'), config: cfg, files } }, tokenizer);
    for (let v = 1; v <= 3; v++) {
      sent.weights = randomWeights(cfg, v);
      const r = await e.updateWeights(sent.weights);
      expect(r.mode).toBe('reload');
    }
    expect(log.errors).toEqual([]);
    expect(log.loads.slice(-3)).toEqual([1, 2, 3].map((v) => path.join(dir, 'sg', `v${v}`)));
    expect(existsSync(path.join(dir, 'sg', 'v1'))).toBe(false); // older than the previous version: removed
    expect(existsSync(path.join(dir, 'sg', 'v2'))).toBe(true);
  });

  it('vLLM: update_config to the new folder, reload_weights, reset_prefix_cache; a refused load is an error', async () => {
    const e = new OpenAICompatibleEngine({ baseUrl: base, model: 'm', server: 'vllm', weightSync: { kind: 'vllm', dir: path.join(dir, 'vl'), config: cfg, files } }, tokenizer);
    sent.weights = randomWeights(cfg, 9);
    log.rpc.length = 0;
    await e.updateWeights(sent.weights);
    expect(log.rpc).toEqual(['update_config', `model=${path.join(dir, 'vl', 'v1')}`, 'reload_weights', 'reset_prefix_cache']);
    expect(log.loads.at(-1)).toBe(path.join(dir, 'vl', 'v1'));
    // SGLang answering success: false (here: the weights it loads are not the ones sent) fails the sync.
    const sg = new OpenAICompatibleEngine({ baseUrl: base, model: 'm', weightSync: { kind: 'sglang', dir: path.join(dir, 'bad'), config: cfg, files } }, tokenizer);
    const w = randomWeights(cfg, 10);
    sent.weights = randomWeights(cfg, 11);
    await expect(sg.updateWeights(w)).rejects.toThrow(/SGLang refused .*bad\/v1: tensor .* differs/);
    await expect(new OpenAICompatibleEngine({ baseUrl: base, model: 'm' }, tokenizer).updateWeights(w)).rejects.toThrow(/needs the weightSync option/);
  });
});

describe('timeouts', () => {
  it('a server that accepts and never answers, and one that stops mid-body, fail within the deadline', async () => {
    const hang = createServer(() => {});
    const midBody = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"choices": [{"text": "abc"');
    });
    const ports = await Promise.all([hang, midBody].map((s) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)))));
    try {
      const t = { firstByteTimeoutMs: 150, deadlineMs: 400, maxRetries: 1, backoffMs: 5 };
      const req = [{ promptIds: [1], n: 1, maxTokens: 4, seed: 1 }];
      let t0 = Date.now();
      await expect(new OpenAICompatibleEngine({ baseUrl: `http://127.0.0.1:${ports[0]}/v1`, model: 'm', ...t }, tokenizer).generate(req, { temperature: 1 })).rejects.toThrow(
        /gave up after 2 attempts.*no response within 150 ms/,
      );
      expect(Date.now() - t0).toBeLessThan(2000);
      t0 = Date.now();
      await expect(new OpenAICompatibleEngine({ baseUrl: `http://127.0.0.1:${ports[1]}/v1`, model: 'm', ...t }, tokenizer).generate(req, { temperature: 1 })).rejects.toThrow(
        /gave up after 2 attempts.*not complete within the 400 ms deadline/,
      );
      expect(Date.now() - t0).toBeLessThan(2500);
    } finally {
      for (const s of [hang, midBody]) (s.closeAllConnections(), s.close());
    }
  });
});
