import type { Command } from 'commander';
import { cpus } from 'node:os';
import type { EngineInfo } from '../engine/index.ts';
import { describeCpu, readCpuInfo } from '../engine/cpu-info.ts';

/** The engine report as lines of text (also used by `npm start` before training exists). */
export function formatEngineReport(info: EngineInfo): string[] {
  const lines = [
    `backend        ${info.backend}${info.gpu ? ' (GPU)' : ''}`,
    `matmul kernel  ${describeKernel(info)}`,
    `native addon   ${info.addon.loaded ? `found: ${info.addon.path}` : 'not available'}`,
    `               ${info.addon.reason}`,
    `OpenBLAS       ${info.addon.kind === 'openblas' ? `${info.addon.blasThreads} threads; ${info.addon.blasConfig}` : 'not loaded'}`,
    ...coreLines(info),
    `wasm           ${info.wasmThreads != null ? `${info.wasmThreads} thread(s), SIMD ${info.wasmSimd ? 'on' : 'off'}` : 'not in use'}`,
    `CPU            ${describeCpu(readCpuInfo())} ×${cpus().length}`,
    `options        backend=${info.options.backend} kernel=${info.options.kernel}` +
      `${info.options.blasThreads ? ` blasThreads=${info.options.blasThreads}` : ''}` +
      ` (env: BREVITY_BACKEND=${process.env.BREVITY_BACKEND ?? ''} BREVITY_KERNEL=${process.env.BREVITY_KERNEL ?? ''})`,
    'why:',
    ...info.reasons.map((r) => `  - ${r}`),
  ];
  const hints: string[] = [];
  if (info.backend === 'wasm' && (!info.addon.loaded || info.addon.kind === 'own')) {
    hints.push('enable the native kernel: apt-get install -y libopenblas-dev (Debian/Ubuntu), then `node scripts/build-native.js`');
  }
  if (info.addon.core?.hint) hints.push(info.addon.core.hint);
  if (info.backend === 'wasm') {
    hints.push('with network access and a GPU: npm install @tensorflow/tfjs-node-gpu (or @tensorflow/tfjs-node) — picked up automatically');
  }
  if (hints.length) lines.push('to go faster:', ...hints.map((h) => `  - ${h}`));
  return lines;
}

/** The OpenBLAS core: which one runs, who chose it (user / library / brevity), why, and the self-test. */
function coreLines(info: EngineInfo): string[] {
  const c = info.addon.core;
  if (!c) return [];
  const who = c.source === 'user' ? 'set by OPENBLAS_CORETYPE' : c.source === 'forced' ? 'forced by brevity'
    : c.source === 'library' ? "the library's own choice" : 'not checked';
  return [
    `OpenBLAS core  ${c.active ?? '?'} (${who}${c.defaultCore && c.source === 'forced' ? `; the library alone picks ${c.defaultCore}` : ''})`,
    `               ${c.why}`,
    ...c.tried.map((t) => `               tried ${t}`),
    `               ${c.selfTest}`,
  ];
}

function describeKernel(info: EngineInfo): string {
  switch (info.kernel) {
    case 'native': return info.addon.kind === 'own'
      ? `native (brevity's own ${info.addon.blasConfig ?? ''} kernel on the wasm heap; no OpenBLAS)`
      : 'native (OpenBLAS cblas_sgemm on the wasm heap)';
    case 'portable': return 'portable (wasm XNNPACK fast path for every product)';
    case 'stock': return 'stock (tfjs-backend-wasm as shipped; slow for transposed/batched products)';
    default: return 'tensorflow (libtensorflow kernels)';
  }
}

export function register(program: Command): void {
  program
    .command('doctor')
    .description('print the active tensor backend, matmul kernel and threads, and why')
    .option('--backend <name>', 'force a backend: auto | wasm | tfjs-node | tfjs-node-gpu')
    .option('--kernel <name>', 'force the wasm matmul kernel: auto | native | portable | stock')
    .option('--json', 'print the engine report as JSON')
    .option('--model <dir>', 'also estimate the memory to train this model (config.json only)')
    .option('--recipe <file>', 'with the recipe’s sequence length, micro-batch and KL reference')
    .action(async (opts: { backend?: string; kernel?: string; json?: boolean; model?: string; recipe?: string }) => {
      const { initEngine } = await import('../engine/index.ts');
      let info: EngineInfo;
      try {
        info = await initEngine({
          ...(opts.backend ? { backend: opts.backend as never } : {}),
          ...(opts.kernel ? { kernel: opts.kernel as never } : {}),
        });
      } catch (e) {
        console.error(`brevity doctor: ${(e as Error).message}`);
        process.exitCode = 1;
        return;
      }
      if (opts.json) console.log(JSON.stringify(info, null, 2));
      else console.log(formatEngineReport(info).join('\n'));
      if (opts.model || opts.recipe) {
        const { memoryReport } = await import('./doctor-memory.ts');
        const r = memoryReport({ model: opts.model, recipe: opts.recipe, backend: info.backend });
        console.log(r.lines.join('\n'));
        if (!r.fits) process.exitCode = 1;
      }
    });
}
