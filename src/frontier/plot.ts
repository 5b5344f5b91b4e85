/**
 * docs/frontier.png's source: uncapped accuracy vs mean tokens, one point per
 * arm with 95% CI whiskers (seed × problem bootstrap), the base model, and
 * the Pareto front (no arm or base shorter and at least as accurate) drawn
 * as a step line.
 */
import { spawnSync } from 'node:child_process';
import type { TopLevelSpec } from 'vega-lite';
import { paretoFrontier } from '../eval/stats.ts';
import { vlToSvg } from '../report/vega-svg.ts';
import type { ArmSummary } from './summary.ts';

export function frontierSpec(arms: readonly ArmSummary[], base: { accuracy: number; meanTokens: number }): TopLevelSpec {
  const seeds = Math.max(0, ...arms.map((a) => a.seeds));
  const pts = [
    { arm: 'base', kind: 'base model', tokens: base.meanTokens, tokensLo: base.meanTokens, tokensHi: base.meanTokens, accuracy: 100 * base.accuracy, accuracyLo: 100 * base.accuracy, accuracyHi: 100 * base.accuracy },
    ...arms.map((a) => ({
      arm: a.arm, kind: 'trained arm', tokens: a.meanTokens.estimate, tokensLo: a.meanTokens.lo, tokensHi: a.meanTokens.hi,
      accuracy: 100 * a.accuracy.estimate, accuracyLo: 100 * a.accuracy.lo, accuracyHi: 100 * a.accuracy.hi,
    })),
  ];
  const flags = paretoFrontier(pts);
  const front = pts.filter((_, i) => flags[i]).sort((a, b) => a.tokens - b.tokens);
  const x = { field: 'tokens', type: 'quantitative' as const, title: 'mean tokens per answer (uncapped)', scale: { zero: true } };
  const y = { field: 'accuracy', type: 'quantitative' as const, title: 'accuracy (%)', scale: { zero: false } };
  return {
    title: `Length penalties: uncapped accuracy vs tokens (${seeds} seed${seeds === 1 ? '' : 's'} per arm, 95% CIs)`,
    width: 640,
    height: 400,
    layer: [
      { data: { values: front }, mark: { type: 'line', interpolate: 'step-after', color: '#999', strokeDash: [4, 3] }, encoding: { x, y } },
      { data: { values: pts }, mark: { type: 'rule', color: '#4c78a8', opacity: 0.6, clip: true }, encoding: { x, y: { field: 'accuracyLo', type: 'quantitative' }, y2: { field: 'accuracyHi' } } },
      { data: { values: pts }, mark: { type: 'rule', color: '#4c78a8', opacity: 0.6 }, encoding: { x: { field: 'tokensLo', type: 'quantitative' }, x2: { field: 'tokensHi' }, y } },
      {
        data: { values: pts },
        mark: { type: 'point', filled: true, size: 70 },
        encoding: { x, y, shape: { field: 'kind', type: 'nominal', title: null }, color: { field: 'kind', type: 'nominal', title: null, scale: { range: ['#e45756', '#4c78a8'] } } },
      },
      { data: { values: pts }, mark: { type: 'text', dx: 6, dy: -8, fontSize: 10, align: 'left' }, encoding: { x, y, text: { field: 'arm' } } },
    ],
  } as TopLevelSpec;
}

export function frontierSvg(arms: readonly ArmSummary[], base: { accuracy: number; meanTokens: number }): Promise<string> {
  return vlToSvg(frontierSpec(arms, base));
}

/** SVG → PNG with librsvg's rsvg-convert when installed (Debian librsvg2-bin); returns why not otherwise. */
export function svgToPng(svg: string, png: string): string | null {
  const r = spawnSync('rsvg-convert', ['-z', '1.5', '-b', 'white', '-o', png, svg], { encoding: 'utf8' });
  if (r.error) return `no PNG: rsvg-convert not found (apt-get install -y librsvg2-bin); the SVG is ${svg}`;
  return r.status === 0 ? null : `no PNG: rsvg-convert failed: ${r.stderr.trim()}`;
}
