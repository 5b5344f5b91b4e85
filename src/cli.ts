import { Command } from 'commander';

const program = new Command('brevity')
  .description('GRPO-style RL post-training for reasoning length control')
  .showHelpAfterError();

program
  .command('doctor')
  .description('print the active tensor backend, matmul kernel and threads')
  .action(async () => {
    console.log('engine report not implemented yet');
  });

await program.parseAsync(process.argv);
