/**
 * `npm run test:e2e`: a 2-arm × 1-seed mini frontier through the real CLI
 * (`brevity frontier`), from the shipped base model, then assertions on what
 * it wrote: ab.json rows with their units, the selection, the plot, the
 * claims table; then a rerun that must train and evaluate nothing. Sized to
 * finish in a few minutes on a 2-core machine. Exit 0 when every check holds.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(path.join(tmpdir(), 'brevity-e2e-'));
const suite = path.join(dir, 'suite.yaml');
const TEST = 40;
writeFileSync(suite, `results: ${dir}/results
runs: ${dir}/runs
seeds: [0]
control: grpo
shared: [train.steps=4, train.promptsPerStep=4, rollout.n=4, train.checkpointEvery=2, eval.testSize=${TEST}, 'eval.budgets=[32, 256]']
grid: { lr: [3.0e-4, 1.0e-3] }
validation: { seed: 4242, size: 40, budget: 256 }
arms:
  - { name: grpo, recipe: ${root}/recipes/grpo.yaml }
  - { name: dler, recipe: ${root}/recipes/dler.yaml, set: [budget.cap=64] }
`);

const failures: string[] = [];
const check = (ok: boolean, what: string) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
const brevity = (args: string[]) => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [path.join(root, 'bin/brevity.js'), ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  console.log(`$ brevity ${args.join(' ')}  (exit ${r.status}, ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  return r;
};

const first = brevity(['frontier', suite]);
check(first.status === 0, 'the mini frontier exits 0');
if (first.status !== 0) console.error(first.stderr.slice(-4000));
const res = path.join(dir, 'results');
const ab = existsSync(path.join(res, 'ab.json')) ? JSON.parse(readFileSync(path.join(res, 'ab.json'), 'utf8')) : null;
check(ab !== null, 'results/ab.json written');
if (ab) {
  check(JSON.stringify(ab.arms) === '["grpo","dler"]' && JSON.stringify(ab.seeds) === '[0]', 'ab.json lists the arms (control first) and seeds');
  const rows = ab.rows as { arm: string; budget: number; units: number; vsControl?: unknown }[];
  check(rows.length === 4 && rows.every((r) => r.units === TEST), `ab.json has a row per arm and budget, each over ${TEST} (seed, problem) units`);
  check(rows.filter((r) => r.arm === 'dler').every((r) => r.vsControl !== undefined), 'the non-control rows carry the paired comparison with the control');
  check(ab.frontier.every((a: { lr: number }) => [3e-4, 1e-3].includes(a.lr)), 'every arm has a selected learning rate from the grid');
  check(ab.frontier.every((a: { oaaAuc: { estimate: number }; accuracy: { lo: number; hi: number } }) => a.oaaAuc.estimate >= 0 && a.accuracy.lo <= a.accuracy.hi), 'per-arm summaries with CIs and OAA AUC');
  check(ab.claims.length >= 7 && ab.claims.some((c: { paper: string; reproduces: string }) => c.paper === 'DLER' && c.reproduces !== 'not measured'), 'the claims table judges DLER and lists every seed paper');
}
const svg = path.join(res, 'frontier.svg');
check(existsSync(svg) && /<svg[\s\S]*dler[\s\S]*<\/svg>/.test(readFileSync(svg, 'utf8')), 'the frontier plot (SVG) names the arms');
check(/\| DLER \|/.test(existsSync(path.join(res, 'claims.md')) ? readFileSync(path.join(res, 'claims.md'), 'utf8') : ''), 'claims.md has the claims table');
for (const f of ['base/test.json', 'base/val.json', 'selection.json', 'runs/grpo.seed-0.eval.json', 'runs/dler.seed-0.metrics.json', 'runs/dler.lr-1e-3.val.json']) check(existsSync(path.join(res, f)), `results/${f} written`);

const again = brevity(['frontier', suite]);
check(again.status === 0 && !/training|resuming/.test(again.stderr) && !/^step /m.test(again.stderr), 'a rerun trains and evaluates nothing');

console.log(failures.length === 0 ? `e2e: all checks passed (${dir})` : `e2e: ${failures.length} check(s) failed (${dir})`);
process.exit(failures.length === 0 ? 0 : 1);
