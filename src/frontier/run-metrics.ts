/**
 * A run's training curve, compact enough to commit: a few metrics per step
 * from metrics.jsonl, and the run's cost (wall time of the steps, rollouts
 * and tokens generated, dynamic-sampling rounds).
 */
import { readFileSync } from 'node:fs';

const SERIES = ['accuracy', 'reward/mean', 'length/mean', 'length/correct_mean', 'length/truncated_ratio', 'sampling/rounds', 'groups/zero_std_ratio', 'kl/old', 'entropy/mean', 'lr'] as const;

export interface RunMetrics {
  steps: number[];
  series: Record<(typeof SERIES)[number], (number | null)[]>;
  cost: { wallSeconds: number; rolloutsGenerated: number; tokensGenerated: number; samplingRounds: number };
}

export function summarizeRunMetrics(file: string): RunMetrics {
  const rows = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`${file}:${i + 1}: not valid JSON`);
      }
    })
    .filter((r) => typeof r.step === 'number');
  const num = (r: Record<string, unknown>, k: string) => (typeof r[k] === 'number' && Number.isFinite(r[k]) ? (r[k] as number) : null);
  const sum = (k: string) => rows.reduce((s, r) => s + (num(r, k) ?? 0), 0);
  const series = Object.fromEntries(SERIES.map((k) => [k, rows.map((r) => num(r, k))])) as RunMetrics['series'];
  return {
    steps: rows.map((r) => r.step as number),
    series,
    cost: { wallSeconds: sum('time/step'), rolloutsGenerated: sum('batch/rollouts'), tokensGenerated: sum('batch/tokens_generated'), samplingRounds: sum('sampling/rounds') },
  };
}
