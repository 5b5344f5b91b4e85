/**
 * A/B comparison of arms evaluated on the same problems with the same seeds:
 * per arm and budget, pooled metrics over seeds (bootstrap over (seed,
 * problem) units), and against the control arm (the first) a paired
 * bootstrap of the accuracy and mean-token differences on the units both
 * have. Pareto flags over all (arm, budget) points.
 */
import type { EvalResult } from '../eval/evaluate.ts';
import type { ProblemRecord } from '../eval/records.ts';
import { pairedBootstrap, paretoFrontier } from '../eval/stats.ts';
import type { BootstrapOptions, Interval, PairedDiff } from '../eval/stats.ts';
import { summarizeBudget } from '../eval/summarize.ts';

export interface ArmEvals {
  arm: string;
  /** One evaluation per training seed, all on the same problems and eval seeds. */
  bySeed: { seed: number; result: EvalResult }[];
}

export interface AbRow {
  arm: string;
  budget: number;
  seeds: number;
  /** (seed, problem) units. */
  units: number;
  accuracy: Interval;
  meanTokens: Interval;
  truncationRate: number;
  /** vs the control arm; absent on the control's own rows. */
  vsControl?: { control: string; accuracy: PairedDiff; tokens: PairedDiff; lengthReduction: number };
  /** On the accuracy–tokens Pareto frontier of all rows. */
  pareto: boolean;
}

function units(a: ArmEvals, budget: number): Map<string, ProblemRecord> {
  const m = new Map<string, ProblemRecord>();
  for (const { seed, result } of a.bySeed) {
    const b = result.budgets.find((x) => x.budget === budget);
    if (!b) throw new Error(`A/B: arm ${a.arm} seed ${seed} has no evaluation at budget ${budget}`);
    for (const r of b.records) m.set(`${seed}/${r.id}`, r);
  }
  return m;
}

export function compareArms(arms: readonly ArmEvals[], budgets: readonly number[], boot: BootstrapOptions = {}): AbRow[] {
  if (arms.length === 0) return [];
  const rows: AbRow[] = [];
  const control = arms[0];
  for (const budget of budgets) {
    const cu = units(control, budget);
    for (const arm of arms) {
      const u = units(arm, budget);
      const recs = [...u.values()];
      const s = summarizeBudget(budget, recs, { bootstrap: boot });
      const row: AbRow = {
        arm: arm.arm, budget, seeds: arm.bySeed.length, units: recs.length, accuracy: s.accuracy, meanTokens: s.meanTokens,
        truncationRate: s.truncationRate.estimate, pareto: false,
      };
      if (arm !== control) {
        const keys = [...u.keys()].filter((k) => cu.has(k));
        if (keys.length === 0) throw new Error(`A/B: arms ${control.arm} and ${arm.arm} share no (seed, problem) at budget ${budget}; evaluate them on the same test problems`);
        const acc = (r: ProblemRecord) => r.correct / r.samples;
        const tok = (r: ProblemRecord) => r.tokens / r.samples;
        const cT = keys.reduce((x, k) => x + tok(cu.get(k)!), 0) / keys.length;
        const aT = keys.reduce((x, k) => x + tok(u.get(k)!), 0) / keys.length;
        row.vsControl = {
          control: control.arm,
          accuracy: pairedBootstrap(keys.map((k) => acc(cu.get(k)!)), keys.map((k) => acc(u.get(k)!)), boot),
          tokens: pairedBootstrap(keys.map((k) => tok(cu.get(k)!)), keys.map((k) => tok(u.get(k)!)), boot),
          lengthReduction: (cT - aT) / cT,
        };
      }
      rows.push(row);
    }
  }
  const flags = paretoFrontier(rows.map((r) => ({ tokens: r.meanTokens.estimate, accuracy: r.accuracy.estimate })));
  rows.forEach((r, i) => (r.pareto = flags[i]));
  return rows;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}`;
const ci = (i: Interval, f: (x: number) => string) => `${f(i.estimate)} [${f(i.lo)}, ${f(i.hi)}]`;
const signed = (f: (x: number) => string) => (x: number) => (x >= 0 ? '+' : '') + f(x);

/** Markdown comparison table (accuracy in %, tokens per sample; Δ vs the control with paired 95% CIs). */
export function formatAbTable(rows: readonly AbRow[]): string {
  const head = ['arm', 'budget', 'seeds', 'accuracy % [95% CI]', 'mean tokens [95% CI]', 'trunc %', 'Δacc pts [95% CI]', 'p', 'Δtokens [95% CI]', 'p', 'length −%', 'Pareto'];
  const lines = rows.map((r) => {
    const v = r.vsControl;
    return [
      r.arm, String(r.budget), String(r.seeds), ci(r.accuracy, pct), ci(r.meanTokens, (x) => x.toFixed(1)), pct(r.truncationRate),
      v ? ci(v.accuracy, signed(pct)) : '(control)', v ? v.accuracy.p.toFixed(3) : '',
      v ? ci(v.tokens, signed((x) => x.toFixed(1))) : '', v ? v.tokens.p.toFixed(3) : '', v ? pct(v.lengthReduction) : '', r.pareto ? '★' : '',
    ];
  });
  const all = [head, ...lines];
  const w = head.map((_, c) => Math.max(...all.map((l) => l[c].length)));
  const fmt = (l: string[]) => `| ${l.map((x, c) => x.padEnd(w[c])).join(' | ')} |`;
  return [fmt(head), `|${w.map((n) => '-'.repeat(n + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}
