import type { Command } from 'commander';
import { join } from 'node:path';
import type { AbArm } from '../ab/run-ab.ts';
import { EXIT_CONFIG, collectSet, withRecipeErrors } from '../recipe/errors.ts';
import { loadBrevityRecipe } from '../recipe/index.ts';

export function register(program: Command): void {
  program
    .command('ab <recipes...>')
    .description('train recipes × seeds, evaluate every arm on the same problems and seeds, compare with a paired bootstrap')
    .option('--seeds <n>', 'training seeds per arm (0..n-1)', '2')
    .option('--set <key=value>', 'override applied to every arm (repeatable)', collectSet, [])
    .option('--concurrency <n>', 'runs trained at once (CPU-bound: 1 on small machines)', '1')
    .option('--dir <dir>', 'A/B directory (default runs/ab/<arm>-vs-<arm>…)')
    .addHelpText('after', '\nThe first recipe is the control. Completed runs (done.json) are skipped on rerun; interrupted runs resume.\nWrites <dir>/ab.json, ab.md, report.html.\nExit codes: 0 ok, 1 failure, 2 bad arguments or recipe (nothing is created).')
    .action((files: string[], o: { seeds: string; set: string[]; concurrency: string; dir?: string }) =>
      withRecipeErrors(async () => {
        const seeds = Number(o.seeds);
        const concurrency = Number(o.concurrency);
        if (!Number.isInteger(seeds) || seeds < 1 || !Number.isInteger(concurrency) || concurrency < 1) {
          process.stderr.write(`error: --seeds and --concurrency take positive integers (got ${o.seeds}, ${o.concurrency})\n`);
          process.exit(EXIT_CONFIG);
        }
        // every recipe is loaded and validated before anything is created on disk
        const arms: AbArm[] = files.map((f) => {
          const { recipe } = loadBrevityRecipe(f, { set: o.set });
          return { name: recipe.run.name, recipe };
        });
        const names = arms.map((a) => a.name);
        const dup = names.find((n, i) => names.indexOf(n) !== i);
        if (dup) {
          process.stderr.write(`error: two arms are named "${dup}"; give them distinct run.name values\n`);
          process.exit(EXIT_CONFIG);
        }
        // heavy modules (trainer, engines, charts) load only once the recipes are valid
        const [{ realHooks }, { runAb }, { writeAbReport }] = await Promise.all([import('../ab/hooks.ts'), import('../ab/run-ab.ts'), import('../report/ab-report.ts')]);
        const dir = o.dir ?? join(arms[0].recipe.run.outputDir, 'ab', names.join('-vs-'));
        const r = await runAb({
          arms, seeds: Array.from({ length: seeds }, (_, i) => i), dir, concurrency, hooks: realHooks(),
          bootstrap: { resamples: arms[0].recipe.eval.bootstrap, seed: arms[0].recipe.eval.seed }, log: (m) => console.error(m),
        });
        const report = await writeAbReport(dir);
        console.log(r.table);
        console.log(`\nA/B results in ${dir} (ab.json, ab.md); report: ${report}`);
      }),
    );
}
