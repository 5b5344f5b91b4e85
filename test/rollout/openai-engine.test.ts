/**
 * OpenAICompatibleEngine against a real HTTP server on 127.0.0.1 that injects
 * 429s, 500s, slow responses (past the client timeout) and malformed JSON.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAICompatibleEngine } from '../../src/rollout/openai-engine.ts';

// Character tokenizer: id = char code − 96 ('a' = 1), 0 = EOS.
const tokenizer = {
  eosTokenId: 0,
  encode: (s: string) => [...s].map((c) => c.charCodeAt(0) - 96),
  decode: (ids: readonly number[]) => ids.filter((i) => i > 0).map((i) => String.fromCharCode(i + 96)).join(''),
};

let server: Server;
let base = '';
let inFlight = 0;
let maxInFlight = 0;
const attempts = new Map<string, number>();
const faults = { r429: 0, r500: 0, slow: 0, malformed: 0, ok: 0 };
/** Deterministic completion for a (prompt, seed): lets the test check order and content. */
const answer = (prompt: string, seed: number, max: number) => (prompt + 'xyz'.repeat(20)).slice(0, Math.min(max, 3 + (seed % 5)));

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      // In flight from the request body's arrival until the response is written.
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const done = (status: number, text: string, headers: Record<string, string> = {}, delayMs = 5) =>
        setTimeout(() => {
          inFlight--;
          if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(text);
        }, delayMs);
      if (req.url === '/v1/completions-400') return done(400, '{"error":"bad model"}');
      if (req.url !== '/v1/completions') return done(404, 'no');
      const b = JSON.parse(body);
      if (b.model === 'always-broken') return done(200, '{"choices": [');
      if (b.model === 'hang-always') return done(200, '{"choices":[{"text":"late"}]}', {}, 200);
      if (b.model === 'hang-once') {
        const first = !attempts.has('hang');
        attempts.set('hang', 1);
        // First attempt answers after the 150 ms client timeout (the client has given up by then).
        return done(200, JSON.stringify({ choices: [{ text: first ? 'late' : 'ok', finish_reason: 'stop' }] }), {}, first ? 400 : 5);
      }
      const key = `${b.prompt}|${b.seed}`;
      const k = attempts.get(key) ?? 0;
      attempts.set(key, k + 1);
      // Bounded faults: each sample sees at most one fault, chosen by its seed.
      const fault = k === 0 ? b.seed % 5 : 4;
      if (fault === 0) { faults.r429++; return done(429, '{"error":"slow down"}', { 'retry-after': '0' }); }
      if (fault === 1) { faults.r500++; return done(500, 'internal'); }
      if (fault === 2) { faults.malformed++; return done(200, '{"choices": [{"text": "oops"'); }
      faults.ok++;
      if (fault === 3) faults.slow++;
      const text = answer(b.prompt, b.seed, b.max_tokens);
      const finish = text.length >= b.max_tokens ? 'length' : 'stop';
      // Slow responses take 100 ms (well within this test's 3 s client timeout), others 5 ms.
      done(200, JSON.stringify({ choices: [{ text, finish_reason: finish, index: 0 }] }), {}, fault === 3 ? 100 : 5);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  setTimeout(() => server.close(), 60_000).unref(); // stops by itself even if a test hangs
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const fast = { backoffMs: 5, maxBackoffMs: 20, firstByteTimeoutMs: 150, maxRetries: 4 };

describe('OpenAICompatibleEngine', () => {
  it('completes every sample, in order, through 429/500/slow/malformed faults, with bounded concurrency', async () => {
    const e = new OpenAICompatibleEngine({ baseUrl: base, model: 'm', concurrency: 4, ...fast, firstByteTimeoutMs: 3000 }, tokenizer);
    const prompts = ['abc', 'hello', 'q', 'zzz', 'mmm', 'ab'];
    const reqs = prompts.map((p, i) => ({ promptIds: tokenizer.encode(p), n: 5, maxTokens: 4 + i, seed: 1000 + i }));
    const out = await e.generate(reqs, { temperature: 1 });
    expect(out).toHaveLength(prompts.length);
    out.forEach((samples, i) => {
      expect(samples).toHaveLength(5);
      samples.forEach((s) => {
        expect(s.tokens).toEqual(tokenizer.encode(s.text));
        expect(s.text.startsWith(prompts[i].slice(0, s.text.length))).toBe(true);
        expect(s.finish).toBe(s.text.length >= reqs[i].maxTokens ? 'length' : 'stop');
      });
    });
    expect(maxInFlight).toBeLessThanOrEqual(4);
    expect(maxInFlight).toBeGreaterThanOrEqual(2);
    expect(Math.min(faults.r429, faults.r500, faults.malformed, faults.slow)).toBeGreaterThan(0);
    expect(faults.ok).toBe(30);
    // Same seeds ⇒ identical results on a second run.
    const again = await e.generate(reqs, { temperature: 1 });
    expect(again.map((r) => r.map((s) => s.text))).toEqual(out.map((r) => r.map((s) => s.text)));
    await e.dispose();
  });

  it('retries an attempt that times out', async () => {
    const e = new OpenAICompatibleEngine({ baseUrl: base, model: 'hang-once', ...fast }, tokenizer);
    const [[s]] = await e.generate([{ promptIds: [1], n: 1, maxTokens: 5, seed: 3 }], { temperature: 1 });
    expect(s.text).toBe('ok');
    const once = new OpenAICompatibleEngine({ baseUrl: base, model: 'hang-always', ...fast, firstByteTimeoutMs: 20, maxRetries: 0 }, tokenizer);
    await expect(once.generate([{ promptIds: [1], n: 1, maxTokens: 5, seed: 3 }], { temperature: 1 })).rejects.toThrow(/no response within 20 ms.*first-byte timeout/);
  });

  it('rejects bad URLs with a message naming the field', () => {
    expect(() => new OpenAICompatibleEngine({ baseUrl: 'localhost:8080', model: 'm' }, tokenizer)).toThrow(/baseUrl must be an http\(s\) URL/);
    expect(() => new OpenAICompatibleEngine({ baseUrl: 'ftp://x/v1', model: 'm' }, tokenizer)).toThrow(/baseUrl/);
  });

  it('fails clearly on refused connections, non-retryable 4xx and persistently malformed bodies', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const req = [{ promptIds: [1, 2], n: 1, maxTokens: 3, seed: 1 }];
    const refused = new OpenAICompatibleEngine({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm', ...fast, maxRetries: 1 }, tokenizer);
    await expect(refused.generate(req, { temperature: 1 })).rejects.toThrow(/gave up after 2 attempts.*could not connect/);
    const four = new OpenAICompatibleEngine({ baseUrl: base, model: 'm', ...fast }, tokenizer);
    (four as unknown as { url: string }).url = `${base}/completions-400`;
    await expect(four.generate(req, { temperature: 1 })).rejects.toThrow(/HTTP 400 \(not retried\).*bad model/);
    const broken = new OpenAICompatibleEngine({ baseUrl: base, model: 'always-broken', ...fast, maxRetries: 2 }, tokenizer);
    await expect(broken.generate(req, { temperature: 1 })).rejects.toThrow(/malformed JSON/);
  });
});
