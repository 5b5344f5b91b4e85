import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('doctor')
    .description('print the active tensor backend, matmul kernel and threads, and why')
    .action(async () => {
      console.log('engine report not implemented yet');
    });
}
