/** `brevity serve rewards --recipe R`: the recipe's verifier and reward shapers over HTTP (src/serve/). */
import type { Command } from 'commander';
import { loadBrevityRecipe } from '../recipe/index.ts';
import { collectSet, RecipeError, withRecipeErrors } from '../recipe/errors.ts';

export function register(program: Command): void {
  const serve = program.command('serve').description('serve parts of brevity over HTTP for other trainers (verl, OpenRLHF)');
  serve
    .command('rewards')
    .description("serve a recipe's verifier, reward shapers, budget policy and per-prompt history (POST /get_reward, POST /v1/rewards)")
    .requiredOption('--recipe <file>', 'recipe whose task verifier, rewards, budget and rollout.n are served')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0 = any free port)', '8000')
    .option('--tokenizer <dir>', "the policy model's tokenizer (tokenizer.json) for token lengths; default the recipe's model.checkpoint")
    .option('--state <file>', 'history + budget state, saved on SIGTERM and reloaded on start (default runs/<name>/serve-state.json)')
    .option('--concurrency <n>', 'requests scored at once', '4')
    .option('--max-queue <n>', 'requests waiting beyond which the service answers 503', '256')
    .option('--body-limit <MiB>', 'largest request body', '64')
    .option('--timeout <s>', 'per-request deadline from arrival to answer', '60')
    .option('--set <key=value>', 'override a recipe setting (repeatable)', collectSet, [])
    .addHelpText('after', '\nSIGTERM/SIGINT drain the queue, save the state and exit 0. Exit 2: invalid recipe or flag.\nSee docs/scale-out.md.')
    .action((opts: Record<string, string | string[]>) =>
      withRecipeErrors(async () => {
        const { recipe } = loadBrevityRecipe(opts.recipe as string, { set: opts.set as string[] });
        const { ServeOptionsSchema, serveRewards } = await import('../serve/run-service.ts');
        const flags = {
          host: opts.host,
          port: opts.port,
          tokenizer: opts.tokenizer,
          state: opts.state,
          concurrency: opts.concurrency,
          maxQueue: opts.maxQueue,
          bodyLimit: opts.bodyLimit,
          timeout: opts.timeout,
        };
        const parsed = ServeOptionsSchema.safeParse(Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined)));
        if (!parsed.success) {
          const names: Record<string, string> = { maxQueue: 'max-queue', bodyLimit: 'body-limit' };
          throw new RecipeError(parsed.error.issues.map((i) => `--${names[String(i.path[0])] ?? String(i.path[0])}: ${i.message}`));
        }
        const svc = await serveRewards(recipe, parsed.data, (s) => process.stderr.write(s + '\n'));
        await svc.stopped;
        process.exit(0);
      }),
    );
}
