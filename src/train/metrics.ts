/**
 * Step metrics: the rollout statistics of a step, `runs/<run>/metrics.jsonl`
 * (one JSON object per step, namespaced keys), and the progress display (a
 * cli-progress bar on a terminal, one plain line per step otherwise).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import type { ScoredRollout } from '../../rewards/types.ts';

export type StepMetrics = Record<string, number>;

/** Linear-interpolation quantile (numpy default); NaN for an empty list. */
export function quantileOf(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

const meanOf = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/**
 * Accuracy and length statistics over a step's rollouts: `accuracy`,
 * `length/{mean,p50,p90}`, `length/correct_{mean,p50,p90}`,
 * `length/wrong_{mean,p50,p90}`, `length/truncated_ratio`,
 * `verify/parse_fail_ratio`. Empty subsets are left out (JSON has no NaN).
 */
export function rolloutStats(rollouts: readonly ScoredRollout[]): StepMetrics {
  const out: StepMetrics = {};
  if (rollouts.length === 0) return out;
  const all = rollouts.map((r) => r.length);
  const cor = rollouts.filter((r) => r.correct).map((r) => r.length);
  const wrong = rollouts.filter((r) => !r.correct).map((r) => r.length);
  out['accuracy'] = cor.length / rollouts.length;
  for (const [prefix, xs] of [['', all], ['correct_', cor], ['wrong_', wrong]] as const) {
    if (xs.length === 0) continue;
    out[`length/${prefix}mean`] = meanOf(xs);
    out[`length/${prefix}p50`] = quantileOf(xs, 0.5);
    out[`length/${prefix}p90`] = quantileOf(xs, 0.9);
  }
  out['length/truncated_ratio'] = rollouts.filter((r) => r.finish === 'length').length / rollouts.length;
  out['verify/parse_fail_ratio'] = rollouts.filter((r) => r.parsed === null).length / rollouts.length;
  return out;
}

/** Appends one line per step; on resume, drops lines of steps after the checkpoint. */
export class MetricsWriter {
  readonly file: string;

  constructor(runDir: string) {
    mkdirSync(runDir, { recursive: true });
    this.file = path.join(runDir, 'metrics.jsonl');
  }

  /** Keep only lines with step ≤ `step` (a resumed run rewrites the steps after its checkpoint). */
  truncateAfter(step: number): void {
    if (!existsSync(this.file)) return;
    const kept = readFileSync(this.file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .filter((l) => {
        try {
          return (JSON.parse(l) as { step: number }).step <= step;
        } catch {
          return false; // a line cut by a kill -9
        }
      });
    writeFileSync(this.file, kept.map((l) => l + '\n').join(''));
  }

  reset(): void {
    writeFileSync(this.file, '');
  }

  write(m: StepMetrics): void {
    const clean: Record<string, number> = {};
    for (const [k, v] of Object.entries(m)) if (Number.isFinite(v)) clean[k] = v;
    appendFileSync(this.file, JSON.stringify(clean) + '\n');
  }

  /**
   * A line that is not a step's metrics (e.g. `{step, event: 'recipe-change', changes}`):
   * step readers skip lines with an `event` key; truncateAfter treats them by their step.
   */
  static appendEvent(runDir: string, e: { step: number; event: string; [k: string]: unknown }): void {
    appendFileSync(path.join(runDir, 'metrics.jsonl'), JSON.stringify(e) + '\n');
  }

  /** Step metrics, one per step (event lines left out). */
  static read(runDir: string): StepMetrics[] {
    return MetricsWriter.readAll(runDir).filter((l) => !('event' in l)) as StepMetrics[];
  }

  /** Every line, events included. */
  static readAll(runDir: string): Record<string, unknown>[] {
    const f = path.join(runDir, 'metrics.jsonl');
    if (!existsSync(f)) return [];
    return readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .flatMap((l, i, all) => {
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch (e) {
          if (i === all.length - 1) return []; // the last line, cut by a kill -9
          throw new Error(`${f}:${i + 1}: not valid JSON (${(e as Error).message})`);
        }
      });
  }
}

const fmt = (v: number | undefined, d = 3) => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(d));

/** One line of key figures for a step. */
export function summaryLine(m: StepMetrics, total: number): string {
  return (
    `step ${m.step}/${total}  reward ${fmt(m['reward/mean'])}  acc ${fmt(m['accuracy'])}  ` +
    `len ${fmt(m['length/mean'], 1)}  trunc ${fmt(m['length/truncated_ratio'], 2)}  kl ${fmt(m['kl/ref'] ?? m['kl/old'], 4)}  ` +
    `gnorm ${fmt(m['grad/norm'])}  lr ${m['lr'] !== undefined ? m['lr'].toExponential(2) : '-'}  ${fmt(m['time/step'], 2)}s`
  );
}

export interface ProgressReporter {
  start(total: number, startStep: number): void;
  update(m: StepMetrics): void;
  log(line: string): void;
  stop(): void;
}

/** cli-progress bar on a TTY, plain lines otherwise (or `silent`). */
export function makeProgress(mode: 'auto' | 'bar' | 'lines' | 'silent', stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  const useBar = mode === 'bar' || (mode === 'auto' && stream.isTTY === true);
  if (mode === 'silent') return { start() {}, update() {}, log() {}, stop() {} };
  if (!useBar) {
    let total = 0;
    return {
      start: (t) => void (total = t),
      update: (m) => void stream.write(summaryLine(m, total) + '\n'),
      log: (line) => void stream.write(line + '\n'),
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'train [{bar}] {value}/{total} | reward {reward} | acc {acc} | len {len} | kl {kl} | {eta_formatted} left',
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    start: (t, s) => bar.start(t, s, { reward: '-', acc: '-', len: '-', kl: '-' }),
    update: (m) =>
      bar.update(m.step, {
        reward: fmt(m['reward/mean']),
        acc: fmt(m['accuracy']),
        len: fmt(m['length/mean'], 1),
        kl: fmt(m['kl/ref'] ?? m['kl/old'], 4),
      }),
    log: (line) => {
      stream.write('\n' + line + '\n');
    },
    stop: () => bar.stop(),
  };
}
