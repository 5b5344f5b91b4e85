import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('report <dirs...>')
    .description('write a self-contained HTML report for each run directory or A/B directory')
    .addHelpText('after', '\nA run directory has metrics.jsonl and/or evals/*.json, eval.json; an A/B directory has ab.json.\nWrites <dir>/report.html. Exit codes: 0 ok, 1 a directory could not be reported.')
    .action(async (dirs: string[]) => {
      const [{ isAbDir, writeAbReport }, { writeRunReport }] = await Promise.all([import('../report/ab-report.ts'), import('../report/run-report.ts')]);
      let failed = 0;
      for (const d of dirs) {
        try {
          console.log(isAbDir(d) ? await writeAbReport(d) : await writeRunReport(d));
        } catch (e) {
          console.error(`error: ${(e as Error).message}`);
          failed++;
        }
      }
      if (failed) process.exit(1);
    });
}
