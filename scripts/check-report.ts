/**
 * Open an HTML report in headless Chromium (Debian `chromium`), fail on any
 * console error, uncaught exception or failed network request, and save a
 * full-page screenshot.
 *
 *   npx tsx scripts/check-report.ts [report.html] [--out docs/report.png]
 *
 * Without a report path it builds a demo A/B-style run report from the test
 * fixtures (fake engine, no model needed). Talks the DevTools protocol over
 * --remote-debugging-pipe (fds 3/4, NUL-separated JSON), so no extra npm
 * packages. Not part of CI: Chromium is not a project dependency.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Readable, Writable } from 'node:stream';

const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const out = outIdx >= 0 ? args.splice(outIdx, 2)[1] : 'docs/report.png';
let report = args[0];
if (!report) {
  const { makeRunDir } = await import('../test/report/fixtures.ts');
  const { writeRunReport } = await import('../src/report/run-report.ts');
  report = await writeRunReport(await makeRunDir());
  console.log(`demo report: ${report}`);
}

const browser = process.env.CHROMIUM ?? 'chromium';
const proc = spawn(browser, ['--headless=new', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--remote-debugging-pipe', '--window-size=1280,900', 'about:blank'], {
  stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
});
proc.on('error', (e) => {
  console.error(`cannot start ${browser}: ${e.message} (Debian: apt-get install -y chromium, or set CHROMIUM=/path/to/chrome)`);
  process.exit(1);
});
const toBrowser = proc.stdio[3] as Writable;
const fromBrowser = proc.stdio[4] as Readable;

let nextId = 1;
const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
const listeners: ((msg: any) => void)[] = [];
let buf = '';
fromBrowser.on('data', (chunk: Buffer) => {
  buf += chunk.toString('utf8');
  let i: number;
  while ((i = buf.indexOf('\0')) >= 0) {
    const msg = JSON.parse(buf.slice(0, i));
    buf = buf.slice(i + 1);
    if (msg.id !== undefined && pending.has(msg.id)) {
      const p = pending.get(msg.id)!;
      pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`${msg.error.message} (${msg.error.code})`));
      else p.resolve(msg.result);
    } else for (const l of listeners) l(msg);
  }
});
function send(method: string, params: object = {}, sessionId?: string): Promise<any> {
  const id = nextId++;
  toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}
const waitFor = (pred: (m: any) => boolean, ms: number) =>
  new Promise<any>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    listeners.push((m) => {
      if (pred(m)) {
        clearTimeout(t);
        resolve(m);
      }
    });
  });

const problems: string[] = [];
listeners.push((m) => {
  if (m.method === 'Runtime.consoleAPICalled' && ['error', 'assert'].includes(m.params.type)) problems.push(`console.${m.params.type}: ${m.params.args.map((a: any) => a.value ?? a.description).join(' ')}`);
  if (m.method === 'Runtime.exceptionThrown') problems.push(`exception: ${m.params.exceptionDetails.exception?.description ?? m.params.exceptionDetails.text}`);
  if (m.method === 'Log.entryAdded' && m.params.entry.level === 'error') problems.push(`log: ${m.params.entry.text} ${m.params.entry.url ?? ''}`);
  if (m.method === 'Network.loadingFailed') problems.push(`network: ${m.params.errorText}`);
  if (m.method === 'Network.requestWillBeSent' && !/^(file|data|about):/.test(m.params.request.url)) problems.push(`network request at view time: ${m.params.request.url}`);
});

try {
  const { targetInfos } = await send('Target.getTargets');
  const page = targetInfos.find((t: any) => t.type === 'page');
  const { sessionId } = await send('Target.attachToTarget', { targetId: page.targetId, flatten: true });
  for (const d of ['Runtime', 'Log', 'Page', 'Network']) await send(`${d}.enable`, {}, sessionId);
  const loaded = waitFor((m) => m.method === 'Page.loadEventFired' && m.sessionId === sessionId, 30_000);
  await send('Page.navigate', { url: pathToFileURL(resolve(report)).href }, sessionId);
  await loaded;
  await new Promise((r) => setTimeout(r, 300));
  const { result } = await send('Runtime.evaluate', { expression: 'JSON.stringify({ svgs: document.querySelectorAll("figure.chart svg").length, h: document.documentElement.scrollHeight })', returnByValue: true }, sessionId);
  const info = JSON.parse(result.value) as { svgs: number; h: number };
  if (info.svgs === 0) problems.push('no charts (figure.chart svg) in the page');
  await send('Emulation.setDeviceMetricsOverride', { width: 1280, height: Math.min(info.h, 6000), deviceScaleFactor: 1, mobile: false }, sessionId);
  const shot = await send('Page.captureScreenshot', { format: 'png' }, sessionId);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, Buffer.from(shot.data, 'base64'));
  console.log(`${info.svgs} charts, page height ${info.h}px; screenshot: ${out}`);
  await send('Browser.close').catch(() => {});
} finally {
  proc.kill();
}
if (problems.length) {
  console.error(`report has ${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
console.log('no console errors');
