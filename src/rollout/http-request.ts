/**
 * One HTTP request with the three deadlines a served model needs, over a
 * keep-alive connection pool (node:http, not fetch: fetch has one abort signal
 * and no way to tell a dead host from a slow answer):
 *
 * - connect: a new socket must connect within `connectMs` (a reused pooled
 *   socket skips this);
 * - first byte: the response headers must arrive within `firstByteMs` after
 *   the request body was sent (a server that accepts and never answers);
 * - deadline: the whole exchange, body included, within `deadlineMs` (a
 *   server that stops mid-body, or trickles it).
 *
 * Each failure is an `HttpTimeout` naming the phase; callers treat it as a
 * failed attempt (retry or report).
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpTimeouts {
  connectMs: number;
  firstByteMs: number;
  deadlineMs: number;
}

export class HttpTimeout extends Error {
  constructor(
    readonly phase: 'connect' | 'first-byte' | 'deadline',
    ms: number,
  ) {
    super(
      phase === 'connect'
        ? `could not connect within ${ms} ms`
        : phase === 'first-byte'
          ? `no response within ${ms} ms of sending the request (first-byte timeout)`
          : `response not complete within the ${ms} ms deadline`,
    );
  }
}

/** A connection pool: keep-alive sockets, at most `maxSockets` per host. */
export function makeAgent(url: string, maxSockets: number): http.Agent {
  const opts = { keepAlive: true, maxSockets, keepAliveMsecs: 1000 };
  return url.startsWith('https:') ? new https.Agent(opts) : new http.Agent(opts);
}

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export function httpRequest(
  url: string,
  init: { method: string; headers?: Record<string, string>; body?: string; agent?: http.Agent; timeouts: HttpTimeouts },
): Promise<HttpResult> {
  const t = init.timeouts;
  const lib = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const timers: NodeJS.Timeout[] = [];
    let done = false;
    const finish = (err: Error | null, res?: HttpResult) => {
      if (done) return;
      done = true;
      for (const x of timers) clearTimeout(x);
      if (err) reject(err);
      else resolve(res!);
    };
    const body = init.body === undefined ? undefined : Buffer.from(init.body, 'utf8');
    const req = lib.request(url, {
      method: init.method,
      agent: init.agent,
      headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...init.headers },
    });
    const fail = (e: Error) => {
      finish(e);
      req.destroy();
    };
    timers.push(setTimeout(() => fail(new HttpTimeout('deadline', t.deadlineMs)), t.deadlineMs));
    req.on('socket', (socket) => {
      if (!socket.connecting) return;
      const c = setTimeout(() => fail(new HttpTimeout('connect', t.connectMs)), t.connectMs);
      timers.push(c);
      socket.once('connect', () => clearTimeout(c));
    });
    let firstByte: NodeJS.Timeout | undefined;
    req.on('finish', () => {
      firstByte = setTimeout(() => fail(new HttpTimeout('first-byte', t.firstByteMs)), t.firstByteMs);
      timers.push(firstByte);
    });
    req.on('error', (e) => finish(e));
    req.on('response', (res) => {
      if (firstByte) clearTimeout(firstByte);
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('aborted', () => finish(new Error('connection closed mid-body')));
      res.on('error', (e) => finish(e));
      res.on('end', () => {
        if (!res.complete) return finish(new Error('connection closed mid-body'));
        finish(null, { status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    req.end(body);
  });
}
