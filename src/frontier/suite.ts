/**
 * A frontier suite file (recipes/frontier.yaml): which recipes are compared
 * (arms), with which training seeds, under which shared overrides (the equal
 * rollout budget), the learning-rate grid searched on one seed, the
 * validation split the grid is selected on and the declared selection rule.
 *
 * Overrides are applied in this order: the arm's recipe file, the arm's own
 * `set` (its paper's defaults scaled to this testbed), the suite's `shared`
 * (so every arm gets the same prompts × samples × steps), then the grid's
 * learning rate and the seed.
 */
import path from 'node:path';
import { z } from 'zod';
import { loadBrevityRecipe, type Recipe } from '../recipe/index.ts';
import { loadRecipe } from '../recipe/load.ts';
import { RecipeError } from '../recipe/errors.ts';
import { parseSet } from '../recipe/set.ts';

const ArmSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'arm names are lower-case kebab-case (they name directories)').describe('Arm name: the row label and the run directory.'),
  recipe: z.string().min(1).describe('Recipe file, relative to the suite file.'),
  set: z.array(z.string()).default([]).describe('The arm\'s own overrides (key=value), e.g. schedules rescaled to the suite\'s step count.'),
});

export const SELECTION_RULES = {
  'oaa-auc': 'highest accuracy-under-budget AUC (OptimalThinkingBench OAA, t_max = the validation budget) on the validation split; ties to the smaller learning rate',
  accuracy: 'highest validation accuracy; ties to the shorter mean length',
} as const;

export const SuiteSchema = z.strictObject({
  results: z.string().default('results/frontier').describe('Summary directory (committed): ab.json, per-run eval and metrics summaries, the report.'),
  runs: z.string().default('runs/frontier').describe('Run directories with checkpoints (never committed).'),
  seeds: z.array(z.number().int().nonnegative()).min(1).default([0, 1, 2]).describe('Training seeds of the final runs.'),
  control: z.string().describe('The arm every other arm is compared with (paired).'),
  shared: z.array(z.string()).default([]).describe('Overrides every arm gets last: the equal rollout budget and the eval settings.'),
  grid: z.strictObject({
    lr: z.array(z.number().positive()).min(1).describe('Learning rates searched for every arm on the grid seed.'),
    seed: z.number().int().nonnegative().default(0).describe('The training seed the grid is searched on (its selected run is reused as that seed\'s final run).'),
  }),
  validation: z.strictObject({
    seed: z.number().int().nonnegative().describe('Seed of the validation split (the built-in task\'s held-out partition; problems also in the test split are dropped).'),
    size: z.number().int().positive().describe('Validation problems.'),
    budget: z.number().int().positive().describe('Evaluation budget on the validation split (uncapped = the rollout cap).'),
  }),
  l1: z.strictObject({
    targets: z.array(z.number().int().positive()).min(2).default([32, 64, 128, 192]).describe('Lengths requested in the prompt when checking that an L1 arm follows them.'),
    problems: z.number().int().positive().default(200).describe('Test problems answered at each requested length.'),
  }).default({ targets: [32, 64, 128, 192], problems: 200 }),
  selection: z.enum(Object.keys(SELECTION_RULES) as [keyof typeof SELECTION_RULES]).default('oaa-auc'),
  arms: z.array(ArmSchema).min(1),
}).superRefine((s, ctx) => {
  const names = s.arms.map((a) => a.name);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i) ctx.addIssue({ code: 'custom', path: ['arms', i, 'name'], message: `arm "${n}" appears twice; give each arm a distinct name` });
  });
  if (!names.includes(s.control)) ctx.addIssue({ code: 'custom', path: ['control'], message: `control "${s.control}" is not an arm (arms: ${names.join(', ')})` });
  if (!s.seeds.includes(s.grid.seed)) ctx.addIssue({ code: 'custom', path: ['grid', 'seed'], message: `grid.seed ${s.grid.seed} must be one of seeds [${s.seeds.join(', ')}] (its selected run is that seed's final run)` });
});
export type Suite = z.infer<typeof SuiteSchema>;
export type SuiteArm = Suite['arms'][number];

export interface LoadedSuite {
  suite: Suite;
  file: string;
}

export function loadSuite(file: string): LoadedSuite {
  return { suite: loadRecipe(file, SuiteSchema).recipe, file };
}

/** Keys the suite's `shared` overrides set: an arm may not set them too (the equal budget would depend on order). */
function sharedKeys(suite: Suite): Set<string> {
  return new Set(suite.shared.map((s) => parseSet(s).path.join('.')));
}

/** One arm's recipe at a learning rate and training seed. */
export function armRecipe(loaded: LoadedSuite, arm: SuiteArm, lr: number, seed: number): Recipe {
  const { suite, file } = loaded;
  const clash = arm.set.map((s) => parseSet(s).path.join('.')).filter((k) => sharedKeys(suite).has(k));
  if (clash.length > 0) throw new RecipeError([`${file}: arm ${arm.name} sets ${clash.join(', ')}, which the suite's shared overrides fix for every arm; remove it from the arm`]);
  const recipeFile = path.resolve(path.dirname(file), arm.recipe);
  return loadBrevityRecipe(recipeFile, { set: [...arm.set, ...suite.shared, `train.lr=${lr}`, `train.seed=${seed}`] }).recipe;
}

/** Directory-safe label of a learning rate: 3e-4 → "3e-4". */
export function lrLabel(lr: number): string {
  return lr.toExponential().replace('e+', 'e').replace(/\.?0+e/, 'e');
}
