/**
 * What a report reads from a run directory:
 *   metrics.jsonl          one JSON object per training step (src/train/metrics.ts)
 *   evals/<label>.json     EvalResult of a checkpoint (e.g. base.json, step-000040.json)
 *   eval.json              EvalResult of the final policy (A/B runs)
 *   done.json              completion marker (src/ab/run-state.ts)
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { EvalResult } from '../eval/evaluate.ts';
import { readRunDone } from '../ab/run-state.ts';
import type { DoneMarker } from '../ab/run-state.ts';

export interface RunData {
  dir: string;
  name: string;
  metrics: Record<string, number>[];
  /** Non-step lines of metrics.jsonl, e.g. `{step, event: 'recipe-change', changes: [...]}` (an accepted --allow-recipe-change). */
  events: { step: number; event: string; changes?: string[] }[];
  /** In file-name order (`evals/` first, then eval.json); label = file stem. */
  evals: { label: string; result: EvalResult }[];
  done: DoneMarker | null;
}

function readJsonl(file: string): Record<string, number>[] {
  if (!existsSync(file)) return [];
  const out: Record<string, number>[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as Record<string, number>);
    } catch {
      // a line cut by a kill -9: skip it
    }
  }
  return out;
}

export function loadRun(dir: string): RunData {
  if (!existsSync(dir)) throw new Error(`report: ${dir} does not exist`);
  const evals: RunData['evals'] = [];
  const evalDir = join(dir, 'evals');
  if (existsSync(evalDir)) {
    for (const f of readdirSync(evalDir).filter((f) => f.endsWith('.json')).sort()) {
      evals.push({ label: f.replace(/\.json$/, ''), result: JSON.parse(readFileSync(join(evalDir, f), 'utf8')) as EvalResult });
    }
  }
  if (existsSync(join(dir, 'eval.json'))) evals.push({ label: 'final', result: JSON.parse(readFileSync(join(dir, 'eval.json'), 'utf8')) as EvalResult });
  const lines = readJsonl(join(dir, 'metrics.jsonl'));
  const metrics = lines.filter((l) => !('event' in l));
  const events = lines.filter((l) => 'event' in l) as unknown as RunData['events'];
  if (metrics.length === 0 && evals.length === 0) {
    throw new Error(`report: ${dir} has neither metrics.jsonl nor evaluations (evals/*.json, eval.json); is it a run directory?`);
  }
  return { dir, name: basename(dir), metrics, events, evals, done: readRunDone(dir) };
}
