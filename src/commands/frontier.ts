import type { Command } from 'commander';
import { withRecipeErrors } from '../recipe/errors.ts';

export function register(program: Command): void {
  program
    .command('frontier <suite>')
    .description('the frontier study: every arm of a suite file trained from the same base with an equal rollout budget, its learning rate selected on a validation split, evaluated on the test split, summarised with CIs')
    .option('--arms <names>', 'only these arms (comma-separated), e.g. to spread a suite over machines')
    .option('--summary-only', 'do not train or evaluate: summarise the finished arms into the results directory')
    .addHelpText('after', '\nResumable: finished runs and evaluations are skipped, an interrupted run resumes from its newest checkpoint.\nExit codes: 0 done, 1 failure, 2 invalid suite or recipe, 130 interrupted.')
    .action((file: string, o: { arms?: string; summaryOnly?: boolean }) =>
      withRecipeErrors(async () => {
        const { loadSuite, armRecipe } = await import('../frontier/suite.ts');
        const loaded = loadSuite(file);
        const only = o.arms?.split(',').map((s) => s.trim());
        const unknown = only?.filter((n) => !loaded.suite.arms.some((a) => a.name === n)) ?? [];
        if (unknown.length > 0) {
          const { RecipeError } = await import('../recipe/errors.ts');
          throw new RecipeError([`--arms: ${unknown.join(', ')} not in ${file} (arms: ${loaded.suite.arms.map((a) => a.name).join(', ')})`]);
        }
        // every arm's recipe is validated before anything runs
        for (const arm of loaded.suite.arms) for (const lr of loaded.suite.grid.lr) armRecipe(loaded, arm, lr, loaded.suite.grid.seed);
        const { runFrontier, FrontierStopped } = await import('../frontier/run-frontier.ts');
        const { writeFrontierSummary } = await import('../frontier/summary.ts');
        if (!o.summaryOnly) {
          const { realFrontierHooks } = await import('../frontier/hooks.ts');
          try {
            await runFrontier({ loaded, hooks: realFrontierHooks(), only });
          } catch (e) {
            if (!(e instanceof FrontierStopped)) throw e;
            process.stderr.write(`${e.message}\n`);
            process.exitCode = 130;
          }
        }
        const out = await writeFrontierSummary(loaded);
        console.log(out.table);
        console.log(`\nfrontier summary: ${out.files.join(', ')}`);
        for (const n of out.notes) console.error(n);
      }),
    );
}
