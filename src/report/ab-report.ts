/**
 * The A/B report: every arm's accuracy–tokens frontier with CIs (pooled over
 * seeds), Pareto points marked, the paired comparison table, and each arm's
 * training reward/length curves per seed.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AbRow } from '../ab/compare.ts';
import { TRAINING_PANELS, curveSpec, trainingPoints, trainingSpec } from './charts.ts';
import type { CurvePoint, SeriesPoint } from './charts.ts';
import { esc, figure, page, table } from './html.ts';
import { numCI, pctCI } from './run-report.ts';
import { loadRun } from './load-run.ts';
import { vlToSvg } from './vega-svg.ts';

export interface AbFile {
  arms: string[];
  seeds: number[];
  budgets: number[];
  runs: { arm: string; seed: number; runDir: string }[];
  rows: AbRow[];
}

export function isAbDir(dir: string): boolean {
  return existsSync(join(dir, 'ab.json'));
}

export function abPoints(rows: readonly AbRow[]): CurvePoint[] {
  return rows.map((r) => ({
    series: r.arm, budget: r.budget, tokens: r.meanTokens.estimate, tokensLo: r.meanTokens.lo, tokensHi: r.meanTokens.hi,
    accuracy: 100 * r.accuracy.estimate, accuracyLo: 100 * r.accuracy.lo, accuracyHi: 100 * r.accuracy.hi, pareto: r.pareto,
  }));
}

export async function abReportHtml(dir: string, ab: AbFile): Promise<string> {
  const parts: string[] = [];
  parts.push(`<h1>brevity A/B: ${esc(ab.arms.join(' vs '))}</h1>`);
  parts.push(`<p class="meta">${esc(dir)} · ${ab.arms.length} arms × ${ab.seeds.length} seeds (${esc(ab.seeds.join(', '))}) · budgets ${esc(ab.budgets.join(', '))} · control: ${esc(ab.arms[0])}</p>`);
  parts.push('<h2>Frontier of all arms</h2>');
  parts.push('<p class="note">Accuracy vs mean tokens at each budget (labelled), pooled over seeds; whiskers: bootstrap 95% CIs over (seed, problem). Diamonds: on the Pareto frontier of all arms and budgets.</p>');
  parts.push(`<div class="charts">${figure(await vlToSvg(curveSpec(abPoints(ab.rows), 'Accuracy vs tokens, all arms', true)), 'frontier')}</div>`);
  parts.push('<h2>Comparison with the control</h2>');
  parts.push('<p class="note">Δ = arm − control on the same problems and seeds, paired bootstrap 95% CI and two-sided bootstrap p.</p>');
  parts.push(
    table(
      ['arm', 'budget', 'seeds', 'accuracy % [95% CI]', 'mean tokens [95% CI]', 'truncated %', 'Δacc pts [95% CI]', 'p', 'Δtokens [95% CI]', 'p', 'length −%', 'Pareto'],
      ab.rows.map((r) => {
        const v = r.vsControl;
        return [
          r.arm, String(r.budget), String(r.seeds), pctCI(r.accuracy), numCI(r.meanTokens), (100 * r.truncationRate).toFixed(1),
          v ? pctCI(v.accuracy) : '(control)', v ? v.accuracy.p.toFixed(3) : '', v ? numCI(v.tokens) : '', v ? v.tokens.p.toFixed(3) : '',
          v ? (100 * v.lengthReduction).toFixed(1) : '', r.pareto ? '★' : '',
        ];
      }),
    ),
  );
  const runs = ab.runs.filter((r) => existsSync(join(r.runDir, 'metrics.jsonl')));
  if (runs.length > 0) {
    parts.push('<h2>Training curves (per arm and seed)</h2><div class="charts">');
    for (const p of TRAINING_PANELS.filter((p) => ['Reward', 'Length (tokens)', 'Truncation'].includes(p.title))) {
      const key = Object.keys(p.keys)[0];
      const pts: SeriesPoint[] = runs.flatMap((r) => trainingPoints(loadRun(r.runDir).metrics, { [key]: `${r.arm} s${r.seed}` }));
      if (pts.length) parts.push(figure(await vlToSvg(trainingSpec(pts, `${p.title}: ${p.keys[key]}`, p.y)), `ab-train-${key.replace(/\W+/g, '-')}`));
    }
    parts.push('</div>');
  }
  return page(`brevity A/B · ${ab.arms.join(' vs ')}`, parts.join('\n'));
}

/** Writes `<abDir>/report.html`; returns its path. */
export async function writeAbReport(dir: string): Promise<string> {
  const ab = JSON.parse(readFileSync(join(dir, 'ab.json'), 'utf8')) as AbFile;
  const out = join(dir, 'report.html');
  writeFileSync(out, await abReportHtml(dir, ab));
  return out;
}
