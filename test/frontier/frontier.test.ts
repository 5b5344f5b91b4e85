import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EvalResult } from '../../src/eval/evaluate.ts';
import { toRecord } from '../../src/eval/records.ts';
import { oaaAt, oaaAuc, seedProblemBootstrap } from '../../src/eval/stats.ts';
import { byDifficulty, summarizeBudget } from '../../src/eval/summarize.ts';
import { RecipeError } from '../../src/recipe/errors.ts';
import { taskFromSection } from '../../src/eval/open-task.ts';
import type { Recipe } from '../../src/recipe/index.ts';
import type { Problem } from '../../src/tasks/types.ts';
import { FrontierStopped, runFrontier, type FrontierHooks } from '../../src/frontier/run-frontier.ts';
import { selectLr } from '../../src/frontier/select.ts';
import { armRecipe, loadSuite } from '../../src/frontier/suite.ts';
import { pearson } from '../../src/frontier/claims.ts';
import { writeFrontierSummary } from '../../src/frontier/summary.ts';
import { validationProblems } from '../../src/frontier/validation.ts';

const recipes = new URL('../../recipes/', import.meta.url).pathname;

/** An EvalResult built from a per-(problem, budget) outcome: one sample per problem. */
function fakeEval(model: string, problems: readonly Problem[], budgets: readonly number[], f: (p: Problem, i: number, b: number) => { correct: boolean; tokens: number }): EvalResult {
  return {
    model, task: 'arith',
    settings: { samplesPerProblem: 1, temperature: 1, topP: 1, seed: 0, answerTokens: 8, problems: problems.length },
    budgets: budgets.map((b) => {
      const records = problems.map((p, i) => {
        const o = f(p, i, b);
        return toRecord(p.id, p.difficulty, [{ correct: o.correct, tokens: Math.min(o.tokens, b), truncated: o.tokens > b }]);
      });
      return { ...summarizeBudget(b, records, { bootstrap: { resamples: 50 } }), byDifficulty: byDifficulty(records), records };
    }),
  };
}

describe('frontier statistics', () => {
  it('OAA and its AUC by hand (OptimalThinkingBench)', () => {
    const s = [{ correct: true, tokens: 10 }, { correct: true, tokens: 30 }, { correct: false, tokens: 5 }, { correct: true, tokens: 50 }];
    // AUC, t_max 40: (1 − 10/40) + (1 − 30/40) + 0 + max(0, 1 − 50/40) = 0.75 + 0.25 = 1.0, over 4 samples
    expect(oaaAuc(s, 40)).toBeCloseTo(0.25, 12);
    expect(oaaAt(s, 30)).toBe(0.25); // strict: the 30-token answer does not count at t = 30
    expect(oaaAt(s, 31)).toBe(0.5);
    // the AUC is the mean of OAA_t over t ∈ [0, t_max] (integer tokens: a Riemann sum over unit steps is exact)
    let area = 0;
    for (let t = 0; t < 40; t++) area += oaaAt(s, t + 1);
    expect(area / 40).toBeCloseTo(oaaAuc(s, 40), 12);
    expect(() => oaaAuc(s, 0)).toThrow(/t_max/);
  });

  it('the seed × problem bootstrap widens with run-to-run variance', () => {
    const p = Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const same = seedProblemBootstrap([p, p, p], { resamples: 400 });
    const shifted = seedProblemBootstrap([p, p.map(() => 1), p.map(() => 0)], { resamples: 400 });
    expect(same.estimate).toBeCloseTo(67 / 200, 12);
    expect(same.lo).toBeLessThan(same.estimate);
    expect(same.hi).toBeGreaterThan(same.estimate);
    // seeds disagreeing wildly (one always right, one always wrong) must show up in the interval
    expect(shifted.hi - shifted.lo).toBeGreaterThan(2 * (same.hi - same.lo));
    const constant = seedProblemBootstrap([[1, 1], [1, 1]]);
    expect([constant.lo, constant.hi]).toEqual([1, 1]);
    expect(() => seedProblemBootstrap([[1, 0], [1]])).toThrow(/same 2 problems/);
  });

  it('selection: OAA AUC prefers the short accurate run; the accuracy rule prefers the accurate one', () => {
    const problems = Array.from({ length: 10 }, (_, i) => ({ id: `p${i}`, question: `${i}`, gold: '0', difficulty: 1 }) as Problem);
    const long = fakeEval('long', problems, [256], (_, i) => ({ correct: i < 9, tokens: 200 }));
    const short = fakeEval('short', problems, [256], (_, i) => ({ correct: i < 8, tokens: 40 }));
    const vals = [{ lr: 1e-4, result: long }, { lr: 3e-4, result: short }];
    const oaa = selectLr('oaa-auc', vals, 256);
    expect(oaa.lr).toBe(3e-4);
    expect(oaa.scores.map((s) => s.score)).toEqual([expect.closeTo((9 * (1 - 200 / 256)) / 10, 12), expect.closeTo((8 * (1 - 40 / 256)) / 10, 12)]);
    expect(selectLr('accuracy', vals, 256).lr).toBe(1e-4);
    // ties: the smaller learning rate
    expect(selectLr('oaa-auc', [{ lr: 1e-3, result: short }, { lr: 1e-4, result: short }], 256).lr).toBe(1e-4);
  });
});

function writeSuite(dir: string, body: string): string {
  const f = join(dir, 'suite.yaml');
  writeFileSync(f, body);
  return f;
}

const SUITE = (dir: string) => `results: ${dir}/results
runs: ${dir}/runs
seeds: [0, 1]
control: grpo
shared: [train.steps=2, train.promptsPerStep=2, rollout.n=2, 'eval.budgets=[32, 256]', eval.testSize=30]
grid: { lr: [1.0e-4, 1.0e-3] }
validation: { seed: 4242, size: 40, budget: 256 }
arms:
  - { name: grpo, recipe: ${recipes}grpo.yaml }
  - { name: dler, recipe: ${recipes}dler.yaml, set: [budget.cap=64] }
`;

describe('frontier suite file', () => {
  it('applies arm overrides, then the shared ones, then lr and seed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'brevity-frontier-'));
    const loaded = loadSuite(writeSuite(dir, SUITE(dir)));
    const r = armRecipe(loaded, loaded.suite.arms[1], 1e-3, 1);
    expect([r.budget.type === 'fixed' && r.budget.cap, r.rollout.n, r.train.steps, r.train.lr, r.train.seed]).toEqual([64, 2, 2, 1e-3, 1]);
    expect(loaded.suite.selection).toBe('oaa-auc');
  });

  it('rejects an unknown control, a grid seed outside the seeds, and an arm overriding a shared key, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'brevity-frontier-'));
    expect(() => loadSuite(writeSuite(dir, SUITE(dir).replace('control: grpo', 'control: gpro')))).toThrow(/suite\.yaml:4: control: control "gpro" is not an arm/);
    expect(() => loadSuite(writeSuite(dir, SUITE(dir).replace('grid: { lr', 'grid: { seed: 5, lr')))).toThrow(/grid\.seed 5 must be one of seeds/);
    const loaded = loadSuite(writeSuite(dir, SUITE(dir).replace('set: [budget.cap=64]', 'set: [rollout.n=16]')));
    expect(() => armRecipe(loaded, loaded.suite.arms[1], 1e-4, 0)).toThrow(RecipeError);
    expect(() => armRecipe(loaded, loaded.suite.arms[1], 1e-4, 0)).toThrow(/arm dler sets rollout\.n/);
  });

  it('the validation split is disjoint from the test split and from training', () => {
    const dir = mkdtempSync(join(tmpdir(), 'brevity-frontier-'));
    const loaded = loadSuite(writeSuite(dir, SUITE(dir)));
    const recipe = armRecipe(loaded, loaded.suite.arms[0], 1e-4, 0);
    const val = validationProblems(recipe, { seed: 4242, size: 300, budget: 256 });
    const task = taskFromSection(recipe.task);
    const test = new Set(task.problems('test').map((p) => p.question));
    const train = new Set(task.problems('train').map((p) => p.question));
    expect(val).toHaveLength(300);
    expect(val.filter((p) => test.has(p.question) || train.has(p.question))).toEqual([]);
    expect(validationProblems(recipe, { seed: 4242, size: 300, budget: 256 }).map((p) => p.id)).toEqual(val.map((p) => p.id));
  });
});

/**
 * Fake training: a checkpoint marker and metrics; the "model" is (arm, lr):
 * dler answers in 30 tokens, grpo in 100; lr 1e-3 loses accuracy on odd problems.
 */
function fakeHooks(log: string[], stopAt?: string): FrontierHooks {
  return {
    async train(recipe: Recipe, runDir: string, resume: boolean) {
      const key = `${recipe.run.name}:${recipe.train.lr}:${recipe.train.seed}`;
      log.push(`train ${key}${resume ? ' resume' : ''}`);
      mkdirSync(join(runDir, 'checkpoints', 'step-1'), { recursive: true });
      writeFileSync(join(runDir, 'model'), JSON.stringify({ short: recipe.budget.type === 'fixed' && (recipe.budget as { cap: number }).cap < 256, lr: recipe.train.lr }));
      if (stopAt === key) return { step: 1, stoppedBy: 'signal' };
      writeFileSync(join(runDir, 'metrics.jsonl'), [1, 2].map((s) => JSON.stringify({ step: s, accuracy: 0.5, 'length/mean': 50, 'time/step': 30, 'batch/rollouts': 4, 'batch/tokens_generated': 200, 'sampling/rounds': 1 })).join('\n') + '\n');
      return { step: recipe.train.steps, stoppedBy: 'done' };
    },
    async evaluate(recipe, checkpointDir, label, opts) {
      const problems = opts?.problems;
      log.push(`eval ${label}`);
      const model = checkpointDir.includes('models/base') ? { short: false, lr: 0 } : JSON.parse(readFileSync(join(checkpointDir, '..', '..', 'model'), 'utf8'));
      const ps = problems ?? taskFromSection(recipe.task).problems('test').slice(0, recipe.eval.testSize);
      return fakeEval(label, ps, recipe.eval.budgets, (_, i) => ({ correct: model.lr === 1e-3 ? i % 2 === 0 : i % 5 !== 0, tokens: model.short ? 30 : 100 }));
    },
    latestCheckpoint: (runDir) => (existsSync(join(runDir, 'checkpoints', 'step-1')) ? join(runDir, 'checkpoints', 'step-1') : null),
  };
}

describe('runFrontier', () => {
  it('grid on the validation split, selection, final seeds, test evals, summary; a rerun does nothing; a stop resumes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'brevity-frontier-'));
    const loaded = loadSuite(writeSuite(dir, SUITE(dir)));
    const log: string[] = [];
    await expect(runFrontier({ loaded, hooks: fakeHooks(log, 'dler:0.001:0'), log: () => {} })).rejects.toThrow(FrontierStopped);
    expect(log.filter((l) => l.startsWith('train'))).toEqual(['train grpo:0.0001:0', 'train grpo:0.001:0', 'train grpo:0.0001:1', 'train dler:0.0001:0', 'train dler:0.001:0']);
    // a run directory without a valid checkpoint is moved aside and started over, not "resumed"
    const broken = join(dir, 'runs', 'grpo', 'lr-1e-3', 'seed-0');
    rmSync(broken, { recursive: true });
    mkdirSync(join(broken, 'checkpoints', 'step-7'), { recursive: true });
    rmSync(join(dir, 'results', 'runs', 'grpo.lr-1e-3.val.json'));
    log.length = 0;
    await runFrontier({ loaded, hooks: fakeHooks(log), log: () => {} });
    expect(log.slice(0, 2)).toEqual(['train grpo:0.001:0', 'eval grpo/lr-1e-3/val']);
    expect(readdirSync(join(dir, 'runs', 'grpo', 'lr-1e-3')).filter((d) => d.startsWith('seed-0.unusable-'))).toHaveLength(1);
    log.splice(0, 2);
    // the interrupted run resumes; nothing finished is trained or evaluated again; base evals are cached
    expect(log).toEqual(['train dler:0.001:0 resume', 'eval dler/lr-1e-3/val', 'eval dler/seed-0', 'train dler:0.0001:1', 'eval dler/seed-1']);
    const sel = JSON.parse(readFileSync(join(dir, 'results', 'selection.json'), 'utf8'));
    expect([sel.grpo.lr, sel.dler.lr]).toEqual([1e-4, 1e-4]); // lr 1e-3 loses accuracy on validation
    log.length = 0;
    await runFrontier({ loaded, hooks: fakeHooks(log), log: () => {} });
    expect(log).toEqual([]);
    // a fresh clone has the committed results but no run directories: nothing is redone …
    rmSync(join(dir, 'runs'), { recursive: true });
    await runFrontier({ loaded, hooks: fakeHooks(log), log: () => {} });
    expect(log).toEqual([]);
    // … and only what is missing from the results is: a final seed, and seed 0 (the selected grid run, retrained)
    for (const f of ['dler.seed-1.eval.json', 'grpo.seed-0.metrics.json']) rmSync(join(dir, 'results', 'runs', f));
    await runFrontier({ loaded, hooks: fakeHooks(log), log: () => {} });
    expect(log).toEqual(['train grpo:0.0001:0', 'eval grpo/seed-0', 'train dler:0.0001:1', 'eval dler/seed-1']);

    const out = await writeFrontierSummary(loaded);
    const ab = JSON.parse(readFileSync(join(dir, 'results', 'ab.json'), 'utf8'));
    expect(ab.arms).toEqual(['grpo', 'dler']);
    expect(ab.rows.map((r: { arm: string; budget: number; units: number }) => `${r.arm}@${r.budget}:${r.units}`)).toEqual(['grpo@32:60', 'dler@32:60', 'grpo@256:60', 'dler@256:60']);
    const [grpo, dler] = ab.frontier;
    // uncapped: grpo answers in 100 tokens like the base, dler in 30; both at lr 1e-4 keep the base's 80%
    expect([grpo.meanTokens.estimate, dler.meanTokens.estimate]).toEqual([100, 30]);
    expect([grpo.lengthReduction, dler.lengthReduction]).toEqual([0, expect.closeTo(0.7, 12)]);
    expect([dler.accuracy.estimate, dler.deltaAccVsBase.estimate, dler.deltaAccVsControl.estimate]).toEqual([expect.closeTo(0.8, 12), 0, 0]);
    expect(grpo.deltaAccVsControl).toBeUndefined();
    // OAA AUC at t_max 256: 0.8 · (1 − 30/256)
    expect(dler.oaaAuc.estimate).toBeCloseTo(0.8 * (1 - 30 / 256), 12);
    expect(dler.cost).toEqual({ wallMinutes: 1, rolloutsGenerated: 8, tokensGenerated: 400 });
    expect(out.table).toMatch(/\| dler \| 1e-4 \| 80\.0 \[/);
    expect(existsSync(join(dir, 'results', 'frontier.svg'))).toBe(true);
    // claims: DLER's direction holds (shorter, CI below 0; no accuracy loss); arms the suite lacks are "not measured"
    const claim = (paper: string) => ab.claims.find((c: { paper: string }) => c.paper === paper);
    expect(claim('DLER').reproduces).toBe('yes');
    expect(claim('DLER').evidence).toMatch(/dler: length 70\.0% shorter/);
    expect(claim('DRPO').reproduces).toBe('not measured');
    expect(readFileSync(join(dir, 'results', 'claims.md'), 'utf8')).toMatch(/\| DLER \| .* \| \*\*yes\*\* \|/);
  });
});

describe('L1 length following', () => {
  it('an L1 arm answers at each requested length; the claim is the correlation of requested and produced length', async () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    const dir = mkdtempSync(join(tmpdir(), 'brevity-frontier-l1-'));
    const loaded = loadSuite(writeSuite(dir, `results: ${dir}/results
runs: ${dir}/runs
seeds: [0]
control: l1-max
shared: [train.steps=2, train.promptsPerStep=2, rollout.n=2, 'eval.budgets=[32, 256]', eval.testSize=30]
grid: { lr: [1.0e-4] }
validation: { seed: 4242, size: 20, budget: 256 }
l1: { targets: [32, 64, 128], problems: 10 }
arms:
  - { name: l1-max, recipe: ${recipes}l1-max.yaml }
`));
    const suffixes: (string | undefined)[] = [];
    const hooks = fakeHooks([]);
    // the policy follows the request closely: 1.2 × the requested length, 80 tokens without one
    hooks.evaluate = async (recipe, _ck, label, opts) => {
      suffixes.push(opts?.promptSuffix);
      const target = Number(/Think for (\d+) tokens/.exec(opts?.promptSuffix ?? '')?.[1] ?? NaN);
      const ps = opts?.problems ?? taskFromSection(recipe.task).problems('test').slice(0, recipe.eval.testSize);
      return fakeEval(label, ps, recipe.eval.budgets, (_, i) => ({ correct: i % 2 === 0, tokens: Number.isNaN(target) ? 80 : Math.round(1.2 * target) + (i % 3) }));
    };
    await runFrontier({ loaded, hooks, log: () => {} });
    expect(suffixes.filter(Boolean)).toEqual(['Think for 32 tokens.', 'Think for 64 tokens.', 'Think for 128 tokens.']);
    const l1 = JSON.parse(readFileSync(join(dir, 'results', 'runs', 'l1-max.seed-0.l1.json'), 'utf8'));
    expect(l1.samples).toHaveLength(30);
    await writeFrontierSummary(loaded);
    const claim = JSON.parse(readFileSync(join(dir, 'results', 'ab.json'), 'utf8')).claims.find((c: { paper: string }) => c.paper === 'L1');
    expect(claim.reproduces).toBe('yes');
    expect(claim.evidence).toMatch(/l1-max: r = 1\.00; requested→mean tokens 32→39, 64→78, 128→155/);
  });
});
