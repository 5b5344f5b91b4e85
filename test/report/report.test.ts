import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRun } from '../../src/report/load-run.ts';
import { describe, expect, it } from 'vitest';
import { writeAbReport } from '../../src/report/ab-report.ts';
import { writeRunReport } from '../../src/report/run-report.ts';
import { makeAbDir, makeRunDir } from './fixtures.ts';

/** The SVG of one chart (by data-chart id) from a report. */
function chart(html: string, id: string): string {
  const m = html.match(new RegExp(`<figure class="chart" data-chart="${id}">([\\s\\S]*?)</figure>`));
  if (!m) throw new Error(`no chart ${id}`);
  return m[1];
}

/** Data marks of a chart as {field: value} from vega's per-item aria labels. */
function marks(svg: string): Record<string, string>[] {
  return [...svg.matchAll(/aria-label="([^"]*)"/g)]
    .map((m) => m[1])
    .filter((l) => !/^(Symbol legend|Title text|[XY]-axis)/.test(l) && l.includes(': '))
    .map((l) => Object.fromEntries(l.split('; ').map((kv) => [kv.slice(0, kv.indexOf(': ')), kv.slice(kv.indexOf(': ') + 2)])));
}

function legend(svg: string): string[] {
  const m = svg.match(/aria-roledescription="legend" aria-label="[^"]*values?: ([^"]*)"/);
  return m ? m[1].split(', ') : [];
}

describe('reports', () => {
  it('an accepted recipe change (an event line in metrics.jsonl) is a note in the report, not a training point', async () => {
    const dir = await makeRunDir();
    const steps = loadRun(dir).metrics.length;
    appendFileSync(join(dir, 'metrics.jsonl'), JSON.stringify({ step: 4, event: 'recipe-change', changes: ['train.lr: 0.001 → 0.002'] }) + '\n');
    const run = loadRun(dir);
    expect(run.metrics).toHaveLength(steps);
    expect(run.events).toEqual([{ step: 4, event: 'recipe-change', changes: ['train.lr: 0.001 → 0.002'] }]);
    const html = readFileSync(await writeRunReport(dir), 'utf8');
    expect(html).toMatch(/The recipe changed when the run resumed from step 4 \(--allow-recipe-change\): train\.lr: 0\.001 → 0\.002/);
  });

  it('run report: curve per checkpoint and budget, training curves, tables; self-contained', async () => {
    const dir = await makeRunDir();
    const html = readFileSync(await writeRunReport(dir), 'utf8');
    expect(html).not.toMatch(/<script|<link|src=|href="http/);
    const curve = chart(html, 'curve');
    expect(legend(curve)).toEqual(['base', 'step-000010']);
    const pts = marks(curve).filter((m) => m.series !== undefined && m.budget !== undefined);
    const key = (m: Record<string, string>) => `${m.series}@${m.budget}`;
    expect([...new Set(pts.map(key))].sort()).toEqual(['base@16', 'base@32', 'base@64', 'step-000010@16', 'step-000010@32', 'step-000010@64']);
    // base at budget 64: mean tokens (11+16+26+46)/4 = 24.75, accuracy 75%
    const b64 = pts.find((m) => key(m) === 'base@64')!;
    expect(Number(b64.tokens ?? b64['mean tokens per answer'])).toBeCloseTo(24.8, 0);
    expect(Number(b64.accuracy ?? b64['accuracy (%)'])).toBeCloseTo(75, 0);
    expect(legend(chart(html, 'train-length-tokens-'))).toEqual(['all', 'correct', 'wrong']);
    for (const id of ['train-reward', 'train-training-accuracy', 'train-truncation', 'train-kl', 'train-entropy']) {
      expect(marks(chart(html, id)).length + chart(html, id).length).toBeGreaterThan(0);
    }
    expect(legend(chart(html, 'train-kl'))).toEqual(['KL to reference']);
    expect(html).toContain('<p class="note">0 at every step, not drawn: KL to old policy.</p>');
    expect(html).toContain('Evaluation: step-000010');
    expect(html).toContain('length −% vs base');
    // before/after summary: base → step-000010 at budget 64: 24.75 → 15.5 tokens (−37.4%), accuracy 75 → 75
    expect(html).toContain('Before / after: base → step-000010');
    expect(html).toMatch(/<td>64<\/td><td>75\.0 \[[^\]]*\]<\/td><td>75\.0 \[[^\]]*\]<\/td><td>0\.0<\/td><td>24\.8 \[[^\]]*\]<\/td><td>15\.5 \[[^\]]*\]<\/td><td>37\.4<\/td>/);
  });

  it('A/B report: frontier of all arms with CIs and Pareto marks, comparison table', async () => {
    const dir = await makeAbDir();
    const html = readFileSync(await writeAbReport(dir), 'utf8');
    const svg = chart(html, 'frontier');
    expect(legend(svg)).toContain('grpo');
    expect(legend(svg)).toContain('dler');
    expect(svg).toMatch(/Pareto frontier/);
    const pts = marks(svg).filter((m) => m.series !== undefined && m.budget !== undefined);
    expect(new Set(pts.map((m) => `${m.series}@${m.budget}`)).size).toBe(6);
    expect(html).toContain('(control)');
    expect(html).toContain('★');
    expect(html).toMatch(/data-chart="ab-train-reward-mean"/);
  });
});
