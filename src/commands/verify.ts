/** `brevity verify <file.jsonl>`: the scoring lives in src/verify/verify-file.ts, loaded on use (mathjs is slow to import). */
import type { Command } from 'commander';
import { EXTRACTORS } from '../verify/types.ts';
import type { VerifyFileOptions } from '../verify/verify-file.ts';

export function register(program: Command): void {
  program
    .command('verify')
    .description('score gold/pred pairs in a JSONL file with the math answer verifier')
    .argument('<file.jsonl>', 'rows with "gold", "pred", optional "equal" (expected verdict) and "config"')
    .option('--explain', 'show extraction, normalization and why, for each failing row')
    .option('--strict', 'no last-number fallback')
    .option('--extractors <list>', `comma-separated extractors (${EXTRACTORS.join(', ')}); default: all, or from each row's config`)
    .option('--float-rounding <k>', 'also accept numbers equal after rounding to k decimals (off by default: equality is exact)')
    .action(async (file: string, opts: VerifyFileOptions) => {
      try {
        const { verifyFile } = await import('../verify/verify-file.ts');
        const sum = verifyFile(file, opts, (s) => console.log(s), (s) => console.error(s));
        // Scripts and CI can rely on the status: 1 when any row failed (or was malformed).
        if (sum.failed > 0 || sum.skipped > 0) process.exitCode = 1;
      } catch (e) {
        console.error(`brevity verify: ${(e as Error).message}`);
        process.exitCode = 2;
      }
    });
}
