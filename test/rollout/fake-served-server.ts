/**
 * A fake vLLM / SGLang / llama-server on loopback for the served-engine tests.
 * `/v1/completions` answers with the choices `complete(body)` returns; the
 * weight-reload endpoints (SGLang `update_weights_from_disk`; vLLM
 * `collective_rpc` update_config + reload_weights, `reset_prefix_cache`)
 * "load" the folder they are told to through `load(dir)` (which throws when
 * the folder is wrong). `log.events` keeps the order of completions and loads.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeServedLog {
  /** Completion request bodies, in arrival order. */
  bodies: Record<string, unknown>[];
  /** Sockets accepted (keep-alive reuse keeps this low). */
  sockets: number;
  /** Folders loaded successfully, in order. */
  loads: string[];
  /** vLLM RPCs seen: method names, `model=<dir>` after update_config, and reset_prefix_cache. */
  rpc: string[];
  /** `completion` or `load:<dir>`, in order. */
  events: string[];
  /** Handler failures (answered 500). */
  errors: string[];
}

export interface FakeServed {
  /** API root, `http://127.0.0.1:<port>/v1`. */
  base: string;
  log: FakeServedLog;
  close(): void;
}

export async function startFakeServed(o: {
  complete: (body: Record<string, unknown>) => unknown[] | Promise<unknown[]>;
  load: (dir: string) => void | Promise<void>;
}): Promise<FakeServed> {
  const log: FakeServedLog = { bodies: [], sockets: 0, loads: [], rpc: [], events: [], errors: [] };
  const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const load = async (dir: string) => {
    await o.load(dir);
    log.loads.push(dir);
    log.events.push(`load:${dir}`);
  };
  async function handle(req: IncomingMessage, res: ServerResponse, raw: string) {
    const b = JSON.parse(raw || '{}');
    if (req.url === '/update_weights_from_disk') {
      await load(b.model_path).then(
        () => json(res, 200, { success: true, message: 'ok' }),
        (e) => json(res, 200, { success: false, message: (e as Error).message }),
      );
      return;
    }
    if (req.url === '/collective_rpc') {
      log.rpc.push(b.method);
      if (b.method === 'update_config') log.rpc.push(`model=${b.args[0].model_config.model}`);
      if (b.method === 'reload_weights') await load(log.rpc.filter((x) => x.startsWith('model=')).at(-1)!.slice(6));
      return json(res, 200, {});
    }
    if (req.url === '/reset_prefix_cache') return (log.rpc.push('reset_prefix_cache'), json(res, 200, {}));
    if (req.url !== '/v1/completions') return json(res, 404, { error: `no route ${req.url}` });
    log.bodies.push(b);
    log.events.push('completion');
    json(res, 200, { choices: await o.complete(b) });
  }
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => void handle(req, res, raw).catch((e) => (log.errors.push(String(e)), json(res, 500, { error: String(e) }))));
  });
  server.on('connection', () => log.sockets++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    log,
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}
