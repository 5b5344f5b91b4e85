/**
 * vega-lite specs for the report charts. Every mark carries an aria label
 * (`field: value; …`) in the SVG, which is how tests read the series back.
 */
import type { TopLevelSpec } from 'vega-lite';

/** One point of an accuracy–tokens curve: a model (checkpoint or arm) at a budget. */
export interface CurvePoint {
  series: string;
  budget: number;
  tokens: number;
  tokensLo: number;
  tokensHi: number;
  /** Accuracy in % (0–100). */
  accuracy: number;
  accuracyLo: number;
  accuracyHi: number;
  pareto?: boolean;
}

const W = 520;
const H = 320;

/**
 * Accuracy (%) vs mean tokens, one line per series ordered by budget, 95% CI
 * whiskers on both axes; with `markPareto`, frontier points are drawn as
 * filled diamonds.
 */
export function curveSpec(points: readonly CurvePoint[], title: string, markPareto = false): TopLevelSpec {
  const x = { field: 'tokens', type: 'quantitative' as const, title: 'mean tokens per answer', scale: { zero: true } };
  const y = { field: 'accuracy', type: 'quantitative' as const, title: 'accuracy (%)', scale: { domain: [0, 100] } };
  const color = { field: 'series', type: 'nominal' as const, title: null, sort: [...new Set(points.map((p) => p.series))] };
  return {
    title,
    width: W,
    height: H,
    data: { values: points.map((p) => ({ ...p, frontier: p.pareto ? 'Pareto frontier' : 'dominated' })) },
    layer: [
      { mark: { type: 'rule', opacity: 0.5 }, encoding: { x, y: { field: 'accuracyLo', type: 'quantitative' }, y2: { field: 'accuracyHi' }, color } },
      { mark: { type: 'rule', opacity: 0.5 }, encoding: { x: { field: 'tokensLo', type: 'quantitative' }, x2: { field: 'tokensHi' }, y, color } },
      { mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color, order: { field: 'budget', type: 'quantitative' } } },
      {
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          x,
          y,
          color,
          ...(markPareto ? { shape: { field: 'frontier', type: 'nominal' as const, title: null, scale: { domain: ['Pareto frontier', 'dominated'], range: ['diamond', 'circle'] } } } : {}),
          tooltip: [{ field: 'series' }, { field: 'budget' }, { field: 'tokens', format: '.1f' }, { field: 'accuracy', format: '.1f' }],
        },
      },
      { mark: { type: 'text', dx: 7, dy: -7, fontSize: 9, color: '#555' }, encoding: { x, y, text: { field: 'budget', type: 'quantitative' } } },
    ],
  } as TopLevelSpec;
}

/** Long-format rows of a training metric: one series per metric key. */
export interface SeriesPoint {
  step: number;
  value: number;
  series: string;
}

/** A small line chart of one or more training metrics over steps. */
export function trainingSpec(points: readonly SeriesPoint[], title: string, yTitle: string): TopLevelSpec {
  return {
    title,
    width: 250,
    height: 150,
    data: { values: points as unknown as Record<string, unknown>[] },
    mark: { type: 'line', strokeWidth: 1.5, point: points.length <= 60 ? { size: 12 } : false },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step', axis: { tickMinStep: 1, format: 'd' } },
      y: { field: 'value', type: 'quantitative', title: yTitle, scale: { zero: false } },
      color: { field: 'series', type: 'nominal', title: null, sort: [...new Set(points.map((p) => p.series))] },
    },
  } as TopLevelSpec;
}

/** Training panels: title, y-axis title, metrics.jsonl keys → legend names. */
export const TRAINING_PANELS: { title: string; y: string; keys: Record<string, string> }[] = [
  { title: 'Reward', y: 'mean reward', keys: { 'reward/mean': 'reward' } },
  { title: 'Training accuracy', y: 'accuracy', keys: { accuracy: 'accuracy' } },
  { title: 'Length (tokens)', y: 'tokens', keys: { 'length/mean': 'all', 'length/correct_mean': 'correct', 'length/wrong_mean': 'wrong' } },
  { title: 'Truncation', y: 'truncated ratio', keys: { 'length/truncated_ratio': 'truncated' } },
  { title: 'KL', y: 'KL', keys: { 'kl/ref': 'KL to reference', 'kl/old': 'KL to old policy' } },
  { title: 'Entropy', y: 'nats per token', keys: { 'entropy/mean': 'entropy' } },
];

export function trainingPoints(rows: readonly Record<string, number>[], keys: Record<string, string>): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  for (const [k, name] of Object.entries(keys)) {
    for (const r of rows) if (typeof r[k] === 'number' && Number.isFinite(r[k]) && typeof r.step === 'number') out.push({ step: r.step, value: r[k], series: name });
  }
  return out;
}
