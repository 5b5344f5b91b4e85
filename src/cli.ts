import { Command } from 'commander';
import { register as doctor } from './commands/doctor.ts';
import { register as recipe } from './commands/recipe.ts';
import { register as evalCommand } from './commands/eval.ts';
import { register as ab } from './commands/ab.ts';
import { register as report } from './commands/report.ts';
import { register as verify } from './commands/verify.ts';
import { register as train } from './commands/train.ts';
import { register as task } from './commands/task.ts';
import { register as frontier } from './commands/frontier.ts';
import { register as serve } from './commands/serve.ts';

const program = new Command('brevity')
  .description('GRPO-style RL post-training for reasoning length control')
  .showHelpAfterError();

// One module per command in src/commands/, each adding itself to the program.
for (const register of [doctor, recipe, verify, train, evalCommand, ab, frontier, report, task, serve]) register(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  // One clear line instead of a stack trace through minified wasm glue; BREVITY_DEBUG=1 shows the stack.
  const err = e as Error;
  process.stderr.write(`brevity: ${process.env.BREVITY_DEBUG ? err.stack : err.message}\n`);
  process.exitCode = 1;
}
