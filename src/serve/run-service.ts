/**
 * `brevity serve rewards` as a function: build the pipeline from a recipe,
 * reload the state file, listen, and on SIGTERM/SIGINT drain the queue, save
 * the history and budget state atomically and resolve.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Recipe } from '../recipe/index.ts';
import { buildRewardPipeline } from './build.ts';
import { createRewardServer } from './reward-server.ts';
import { saveServeState } from './state-file.ts';

export const ServeOptionsSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  /** 0 = any free port (printed on start). */
  port: z.coerce.number().int().min(0).max(65535).default(8000),
  tokenizer: z.string().min(1).optional(),
  /** Default: <run.outputDir>/<run.name>/serve-state.json. */
  state: z.string().min(1).optional(),
  concurrency: z.coerce.number().int().positive().default(4),
  maxQueue: z.coerce.number().int().positive().default(256),
  /** MiB. */
  bodyLimit: z.coerce.number().positive().default(64),
  /** Seconds. */
  timeout: z.coerce.number().positive().default(60),
});
export type ServeOptions = z.input<typeof ServeOptionsSchema>;

export interface RunningService {
  port: number;
  host: string;
  /** Resolves after a signal (or `stop()`) drained the queue and saved the state. */
  stopped: Promise<void>;
  stop(reason?: string): Promise<void>;
}

export async function serveRewards(recipe: Recipe, raw: ServeOptions, log: (s: string) => void, signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): Promise<RunningService> {
  const o = ServeOptionsSchema.parse(raw);
  const stateFile = o.state ?? path.join(recipe.run.outputDir, recipe.run.name, 'serve-state.json');
  const { pipeline, tokenizer, restored } = buildRewardPipeline(recipe, { tokenizerDir: o.tokenizer, stateFile });
  if (restored) log(`restored history of ${restored.prompts} prompts from ${restored.file} (next step ${restored.nextStep})`);
  const srv = createRewardServer(pipeline, tokenizer, {
    concurrency: o.concurrency,
    maxQueue: o.maxQueue,
    bodyLimitBytes: Math.floor(o.bodyLimit * 2 ** 20),
    requestTimeoutMs: Math.round(o.timeout * 1000),
  });
  const addr = await srv.listen(o.port, o.host);
  const shapers = pipeline.parts.shapers.map((s) => `${s.name}×${s.weight}`).join(' + ');
  log(`brevity reward service on http://${addr.host}:${addr.port} (shapers ${shapers}; budget ${recipe.budget.type}; n_samples_per_prompt default ${recipe.rollout.n}; state ${stateFile})`);
  let stopping: Promise<void> | undefined;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));
  const handlers = new Map<NodeJS.Signals, () => void>();
  const stop = (reason = 'stop') =>
    (stopping ??= (async () => {
      for (const [s, h] of handlers) process.off(s, h);
      log(`${reason}: draining and saving the history`);
      await srv.close();
      mkdirSync(path.dirname(stateFile), { recursive: true });
      saveServeState(stateFile, pipeline);
      log(`saved ${pipeline.history.size} prompts (next step ${pipeline.nextStep}) to ${stateFile}`);
      resolveStopped();
    })());
  for (const s of signals) {
    const h = () => void stop(s);
    handlers.set(s, h);
    process.on(s, h);
  }
  return { port: addr.port, host: addr.host, stopped, stop };
}
