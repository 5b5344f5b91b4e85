/**
 * The reward server under hostile clients: a failing shaper, oversized and
 * stalled bodies, clients that vanish mid-request, 50 clients at once. Each
 * case checks the answer and that the server still scores the next request.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PromptHistory } from '../../rewards/history.ts';
import { BudgetSpecSchema, resolveBudgetPolicy, resolveShaper, ShaperSpecSchema } from '../../rewards/registry.ts';
import type { Shaper } from '../../rewards/types.ts';
import { RewardPipeline } from '../../src/serve/reward-pipeline.ts';
import { createRewardServer, type RewardServer } from '../../src/serve/reward-server.ts';

// A shaper that fails on one marker answer: the request carrying it must fail alone.
const fragile: Shaper = (batch) => {
  if (batch.some((r) => r.parsed === '666')) throw new Error('fragile shaper refuses 666');
  return batch.map((r) => (r.correct ? 1 : 0));
};
const history = new PromptHistory();
const pipeline = new RewardPipeline({
  extractors: ['hash'],
  shapers: [{ name: 'fragile', weight: 1, fn: fragile }, resolveShaper(ShaperSpecSchema.parse({ type: 'dler' }))],
  budget: resolveBudgetPolicy(BudgetSpecSchema.parse({ type: 'fixed', cap: 50 })),
  history,
  maxTokens: 100,
  groupSize: 2,
});
let srv: RewardServer;
let port = 0;

beforeAll(async () => {
  srv = createRewardServer(pipeline, undefined, { bodyLimitBytes: 4096, requestTimeoutMs: 400, concurrency: 2, maxQueue: 256 });
  port = (await srv.listen(0, '127.0.0.1')).port;
});
afterAll(() => srv.close(100));

const items = (gold: string, answers: string[], group = 'g') =>
  answers.map((a, i) => ({ group_id: `${group}`, response: `#### ${a}\n`, gold, response_length: 10 + i, finish_reason: 'stop' }));
const post = (body: string) => fetch(`http://127.0.0.1:${port}/v1/rewards`, { method: 'POST', body });

/** Raw socket: write `head`, then do `then` with the socket; resolves with what the server sent and when it closed. */
function raw(head: string, then: (s: ReturnType<typeof connect>) => void): Promise<{ text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    let text = '';
    const s = connect(port, '127.0.0.1', () => {
      s.write(head);
      then(s);
    });
    s.on('data', (d) => (text += d.toString()));
    s.on('close', () => resolve({ text, ms: Date.now() - t0 }));
    s.on('error', () => {});
    setTimeout(() => reject(new Error(`socket still open after 5 s; got ${JSON.stringify(text.slice(0, 80))}`)), 5000).unref();
  });
}

const healthyAfter = async () => {
  const r = await post(JSON.stringify({ items: items('3', ['3', '4']) }));
  expect(r.status).toBe(200);
  expect(((await r.json()) as { rewards: number[] }).rewards).toEqual([2, 0]);
};

describe('reward server faults', () => {
  it('a shaper error fails that request only and leaves the history unchanged', async () => {
    const before = history.size;
    const bad = await post(JSON.stringify({ items: [...items('1', ['1']), ...items('666', ['666'], 'h')] }));
    expect(bad.status).toBe(500);
    expect(((await bad.json()) as { error: string }).error).toMatch(/scoring failed .*fragile shaper refuses 666/);
    expect(history.size).toBe(before);
    await healthyAfter();
    expect(history.size).toBe(before + 1);
  });

  it('refuses an oversized body by Content-Length (413) and cuts off a chunked one at the limit', async () => {
    const big = JSON.stringify({ items: items('1', Array(400).fill('1')) });
    expect(big.length).toBeGreaterThan(4096);
    const r = await post(big);
    expect(r.status).toBe(413);
    expect(((await r.json()) as { error: string }).error).toMatch(/exceeds the limit of 4096 bytes/);
    // Chunked (no Content-Length): the server answers 413 once 4 KiB arrived and closes the socket.
    const chunked = await raw('POST /v1/rewards HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n', (s) => {
      const chunk = 'x'.repeat(1000);
      for (let i = 0; i < 8; i++) s.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`);
    });
    expect(chunked.text).toMatch(/^HTTP\/1\.1 413/);
    await healthyAfter();
  });

  it('answers a stalled body with 503 within the request timeout and closes the socket', async () => {
    const r = await raw('POST /v1/rewards HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{"items": [', () => {});
    expect(r.text).toMatch(/^HTTP\/1\.1 503/);
    expect(r.text).toMatch(/not answered within 400 ms/);
    expect(r.ms).toBeLessThan(2500);
    await healthyAfter();
  });

  it('survives clients that disconnect mid-body, and counts them', async () => {
    for (let i = 0; i < 5; i++) {
      await raw('POST /v1/rewards HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\n{"items": [{"group_id"', (s) => setTimeout(() => s.destroy(), 20));
    }
    await healthyAfter();
    expect(srv.metrics.counter('client_disconnects_total')).toBeGreaterThanOrEqual(5);
  });

  it('scores 50 concurrent clients correctly (each its own gold)', async () => {
    const rs = await Promise.all(
      Array.from({ length: 50 }, async (_, c) => {
        const r = await post(JSON.stringify({ items: items(String(c), [String(c), String(c + 1)], `c${c}`) }));
        return { status: r.status, rewards: ((await r.json()) as { rewards: number[] }).rewards };
      }),
    );
    expect(rs.every((r) => r.status === 200)).toBe(true);
    expect(rs.every((r) => r.rewards[0] === 2 && r.rewards[1] === 0)).toBe(true);
  });
});
