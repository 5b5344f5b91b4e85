/**
 * Reading a request body with a size limit, and writing JSON answers.
 *
 * The limit is checked twice: against Content-Length before reading anything
 * (an honest oversized request is refused at once), and while streaming (a
 * chunked or lying client is cut off at the limit, never buffered past it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new HttpError(413, `body of ${declared} bytes exceeds the limit of ${limit} bytes (--body-limit)`, { connection: 'close' }));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (e: Error) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      reject(e);
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        chunks.length = 0;
        req.pause();
        fail(new HttpError(413, `body exceeds the limit of ${limit} bytes (--body-limit)`, { connection: 'close' }));
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, size));
    });
    req.on('aborted', () => fail(new HttpError(499, 'client closed the connection before the body ended')));
    req.on('error', (e) => fail(new HttpError(499, `reading the body failed: ${e.message}`)));
  });
}

/** Send a JSON answer unless the client is gone; `connection: close` ends the socket after it. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}
