/**
 * The reward service over Node's built-in HTTP server (no framework: four
 * routes, and the hot path is JSON parse → score → JSON write).
 *
 *   POST /get_reward   OpenRLHF remote reward protocol   (see protocol.ts)
 *   POST /v1/rewards   verl-style batch with group ids    (see protocol.ts)
 *   GET  /healthz      200 {"status":"ok"} when ready, 503 while starting or draining
 *   GET  /metrics      Prometheus text (metrics.ts)
 *
 * Robustness, each a setting with its reason:
 * - `concurrency` (4): scoring is synchronous JS, so more than a few scoring
 *   jobs in flight only adds latency; p-queue bounds them.
 * - `maxQueue` (256): requests waiting to be scored beyond this get 503 +
 *   Retry-After instead of growing memory without bound (≥ 50 concurrent
 *   clients of a Ray cluster fit).
 * - `bodyLimitBytes` (64 MiB): 1,024 samples × 16k tokens of text fits; a
 *   larger body is refused (413) before or while reading it.
 * - `requestTimeoutMs` (60 s): from arrival to answer (body read + queue wait);
 *   a stuck or slow client gets 503 and its socket closed, never holds a slot.
 * - A malformed body is a 400 naming the field; a shaper or verifier error is a
 *   500 for that request only (the history is untouched, the service goes on).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import PQueue from 'p-queue';
import { HttpError, readBody, sendJson } from './http-body.ts';
import { ServeMetrics } from './metrics.ts';
import { BadRequest, parseBatch, parseGetReward, type ServeTokenizer } from './protocol.ts';
import type { PipelineResult, RewardItem, RewardPipeline } from './reward-pipeline.ts';

export interface RewardServerOptions {
  concurrency?: number;
  maxQueue?: number;
  bodyLimitBytes?: number;
  requestTimeoutMs?: number;
}

export interface RewardServer {
  server: Server;
  metrics: ServeMetrics;
  listen(port: number, host: string): Promise<{ port: number; host: string }>;
  /** Stop accepting, let queued requests finish (up to `graceMs`), close sockets. */
  close(graceMs?: number): Promise<void>;
  ready: boolean;
}

type Route = '/get_reward' | '/v1/rewards';

export function createRewardServer(pipeline: RewardPipeline, tokenizer: ServeTokenizer | undefined, o: RewardServerOptions = {}): RewardServer {
  const opts = { concurrency: 4, maxQueue: 256, bodyLimitBytes: 64 * 2 ** 20, requestTimeoutMs: 60_000, ...o };
  const queue = new PQueue({ concurrency: opts.concurrency });
  const metrics = new ServeMetrics();
  metrics.gauge('queue_waiting', () => queue.size);
  metrics.gauge('queue_running', () => queue.pending);
  metrics.gauge('history_prompts', () => pipeline.history.size);
  metrics.gauge('next_step', () => pipeline.nextStep);
  metrics.gauge('samples_scored', () => pipeline.scored);
  metrics.gauge('heap_used_bytes', () => process.memoryUsage().heapUsed);
  metrics.gauge('rss_bytes', () => process.memoryUsage().rss);
  metrics.gauge('cpu_seconds', () => {
    const c = process.cpuUsage();
    return (c.user + c.system) / 1e6;
  });

  const state = { ready: false };

  const score = (route: Route, body: unknown, url: URL): unknown => {
    const parsed: { items: RewardItem[]; step?: number } =
      route === '/get_reward' ? parseGetReward(body, url.searchParams, { groupSize: pipeline.parts.groupSize }, tokenizer!) : parseBatch(body, tokenizer);
    let r: PipelineResult;
    try {
      r = pipeline.score(parsed.items, { step: parsed.step });
    } catch (e) {
      metrics.inc('scoring_errors_total');
      throw new HttpError(500, `scoring failed (this request only; history unchanged): ${(e as Error).message}`);
    }
    metrics.inc('samples_total', r.items.length);
    for (const [k, v] of Object.entries(r.metrics)) if (k.startsWith('reward/')) metrics.reward(k, v, r.items.length);
    const correct = r.items.map((x) => (x.correct ? 1 : 0));
    if (route === '/get_reward') {
      const extra: Record<string, number[]> = {
        correct,
        length: r.items.map((x) => x.length),
        truncated: r.items.map((x) => (x.finish === 'length' ? 1 : 0)),
        cap: r.items.map((x) => x.cap),
      };
      for (const [name, vals] of Object.entries(r.perShaper)) extra[`reward/${name}`] = vals.map((v) => v ?? 0);
      return { rewards: r.items.map((x) => x.reward), scores: correct, extra_logs: extra };
    }
    return {
      step: r.step,
      rewards: r.items.map((x) => x.reward),
      correct: r.items.map((x) => x.correct),
      parsed: r.items.map((x) => x.parsed),
      finish: r.items.map((x) => x.finish),
      length: r.items.map((x) => x.length),
      cap: r.items.map((x) => x.cap),
      per_shaper: r.perShaper,
      metrics: r.metrics,
    };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const t0 = performance.now();
    const url = new URL(req.url ?? '/', 'http://x');
    const route = url.pathname;
    let status = 200;
    const finish = (code: number, body: unknown, headers: Record<string, string> = {}) => {
      status = code;
      sendJson(res, code, body, headers);
    };
    if (route === '/healthz' && req.method === 'GET') {
      return finish(state.ready ? 200 : 503, { status: state.ready ? 'ok' : 'unavailable', step: pipeline.nextStep, prompts: pipeline.history.size });
    }
    if (route === '/metrics' && req.method === 'GET') {
      const text = metrics.render();
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text);
      return;
    }
    if (route !== '/get_reward' && route !== '/v1/rewards') return finish(404, { error: `no route ${req.method} ${route}; try POST /get_reward, POST /v1/rewards, GET /healthz, GET /metrics` });
    if (req.method !== 'POST') return finish(405, { error: `${route} takes POST` }, { allow: 'POST' });

    let gone = false;
    res.on('close', () => {
      if (!res.writableFinished) {
        gone = true;
        metrics.inc('client_disconnects_total');
      }
    });
    const timer = setTimeout(() => {
      metrics.inc('timeouts_total');
      finish(503, { error: `request not answered within ${opts.requestTimeoutMs} ms (body read + queue); retry` }, { connection: 'close', 'retry-after': '1' });
      gone = true;
      res.on('finish', () => req.destroy());
    }, opts.requestTimeoutMs);
    try {
      if (!state.ready) throw new HttpError(503, 'shutting down', { 'retry-after': '1' });
      const raw = await readBody(req, opts.bodyLimitBytes);
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch (e) {
        throw new BadRequest(`body is not valid JSON: ${(e as Error).message}`);
      }
      if (queue.size >= opts.maxQueue) throw new HttpError(503, `busy: ${queue.size} requests waiting (maxQueue ${opts.maxQueue}); retry`, { 'retry-after': '1' });
      const out = await queue.add(() => (gone ? undefined : score(route, body, url)));
      if (!gone) finish(200, out);
    } catch (e) {
      if (e instanceof BadRequest) {
        metrics.inc('bad_requests_total');
        finish(400, { error: e.message });
      } else if (e instanceof HttpError) {
        if (e.status === 499) status = 499;
        else finish(e.status, { error: e.message }, e.headers);
        if (e.headers.connection === 'close') res.on('finish', () => req.destroy());
      } else {
        finish(500, { error: (e as Error).message });
      }
    } finally {
      clearTimeout(timer);
      metrics.request(route, status, (performance.now() - t0) / 1000);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) sendJson(res, 500, { error: (e as Error).message });
    });
  });
  // Node's own guards against slow headers/bodies sit just above ours.
  server.requestTimeout = opts.requestTimeoutMs + 5_000;
  server.headersTimeout = Math.min(opts.requestTimeoutMs, 60_000);
  server.keepAliveTimeout = 5_000;

  return {
    server,
    metrics,
    get ready() {
      return state.ready;
    },
    set ready(v: boolean) {
      state.ready = v;
    },
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          state.ready = true;
          const a = server.address() as AddressInfo;
          resolve({ port: a.port, host: a.address });
        });
      });
    },
    async close(graceMs = 10_000) {
      state.ready = false;
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      await Promise.race([queue.onIdle(), new Promise((r) => setTimeout(r, graceMs).unref())]);
      server.closeAllConnections();
      await closed;
    },
  };
}
