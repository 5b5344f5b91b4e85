import type { Command } from 'commander';
import { loadBrevityRecipe } from '../recipe/index.ts';
import { collectSet, withRecipeErrors } from '../recipe/errors.ts';
import { toYaml } from '../recipe/to-yaml.ts';

export function register(program: Command): void {
  const recipe = program.command('recipe').description('inspect recipe files');
  recipe
    .command('show <file>')
    .description('print the fully resolved recipe (extends merged, --set applied, defaults filled, validated)')
    .option('--set <key=value>', 'override a setting, YAML value (repeatable): --set train.lr=1e-5', collectSet, [])
    .option('--json', 'print JSON instead of YAML')
    .option('--sources', 'also list the files merged, bases first')
    .addHelpText('after', '\nExit codes: 0 valid, 2 invalid recipe (each problem printed as file:line: key.path: …).')
    .action((file: string, opts: { set: string[]; json?: boolean; sources?: boolean }) =>
      withRecipeErrors(() => {
        const { recipe: r, files } = loadBrevityRecipe(file, { set: opts.set });
        if (opts.sources) process.stdout.write(`# merged: ${files.join(' → ')}\n`);
        process.stdout.write(opts.json ? `${JSON.stringify(r, null, 2)}\n` : toYaml(r));
      }),
    );
}
