import type { Command } from 'commander';
import { generateArithSplit } from '../tasks/arith.ts';
import { arithTrace, type TraceStyle } from '../tasks/arith-traces.ts';
import { builtinPrompt } from '../tasks/prompts.ts';

/**
 * `brevity task arith`: print a split of the built-in task as JSON Lines —
 * any size, seed and difficulty mix, so a fresh held-out set is one flag away.
 */
export function register(program: Command): void {
  const task = program.command('task').description('Inspect and export built-in tasks');
  task
    .command('arith')
    .description('Print arith problems as JSON Lines (id, question, gold, difficulty, conciseOracleLength[, prompt, trace])')
    .option('--split <split>', 'train or test (never overlap)', 'test')
    .option('--size <n>', 'number of problems', '1000')
    .option('--seed <n>', 'split seed (the fixed benchmark test split is seed 1234)', '1234')
    .option('--mix <w1,w2,w3,w4,w5>', 'weights of difficulties 1..5', '1,1,1,1,1')
    .option('--trace <style>', 'also print the reference trace: concise, verbose or direct')
    .action((o: { split: string; size: string; seed: string; mix: string; trace?: string }) => {
      if (o.split !== 'train' && o.split !== 'test') throw new Error(`--split must be train or test, got "${o.split}"`);
      if (o.trace && !['concise', 'verbose', 'direct'].includes(o.trace)) throw new Error(`--trace must be concise, verbose or direct, got "${o.trace}"`);
      const mix = o.mix.split(',').map(Number);
      const problems = generateArithSplit(o.split, { size: Number(o.size), seed: Number(o.seed), difficultyMix: mix });
      for (const p of problems) {
        const extra = o.trace ? { prompt: builtinPrompt(p.question), trace: arithTrace(p.question, o.trace as TraceStyle, p.id) } : {};
        process.stdout.write(JSON.stringify({ ...p, ...extra }) + '\n');
      }
    });
}
