import type { Command } from 'commander';
import { join } from 'node:path';
import { EXIT_CONFIG, collectSet, withRecipeErrors } from '../recipe/errors.ts';
import { loadBrevityRecipe } from '../recipe/index.ts';

const ints = (flag: string) => (v: string) => {
  const xs = v.split(',').map((s) => Number(s.trim()));
  if (xs.length === 0 || xs.some((x) => !Number.isInteger(x) || x <= 0)) {
    process.stderr.write(`error: ${flag} expects comma-separated positive integers, got "${v}"\n`);
    process.exit(EXIT_CONFIG);
  }
  return xs;
};
const num = (flag: string) => (v: string) => {
  const x = Number(v);
  if (!Number.isFinite(x)) {
    process.stderr.write(`error: ${flag} expects a number, got "${v}"\n`);
    process.exit(EXIT_CONFIG);
  }
  return x;
};

interface EvalFlags {
  task?: string; recipe?: string; set: string[]; budgets?: number[]; samples?: number; testSize?: number; temperature?: number; passK?: number[];
  seed?: number; answerTokens?: number; base?: string; out?: string; engine: 'auto' | 'llama-cpp' | 'tfjs'; tokenizer?: string; model?: string;
}

export function register(program: Command): void {
  program
    .command('eval <source>')
    .description('accuracy–tokens curve of a checkpoint directory, a GGUF file or an OpenAI-compatible URL, with budget forcing')
    .option('--task <task>', 'arith | gsm8k | math500 | path/to/file.jsonl (default: the recipe’s task, else arith)')
    .option('--recipe <file>', 'take task and eval settings from a recipe (flags override)')
    .option('--set <key=value>', 'recipe override, repeatable', collectSet, [])
    .option('--budgets <list>', 'token budgets, e.g. 16,32,64,128', ints('--budgets'))
    .option('--samples <n>', 'samples per problem (pass@k needs n ≥ k)', num('--samples'))
    .option('--test-size <n>', 'test problems (a fixed prefix of the test split)', num('--test-size'))
    .option('--temperature <t>', 'sampling temperature (0 = greedy)', num('--temperature'))
    .option('--pass-k <list>', 'k values for pass@k', ints('--pass-k'))
    .option('--seed <n>', 'eval seed (sampling and bootstrap)', num('--seed'))
    .option('--answer-tokens <n>', 'tokens allowed after the forced answer trigger', num('--answer-tokens'))
    .option('--base <eval.json>', 'earlier eval result to compare against (length reduction, Δacc, AES)')
    .option('--out <stem>', 'write <stem>.json and <stem>.csv (default runs/eval/<name>)')
    .option('--engine <kind>', 'auto | llama-cpp | tfjs (checkpoint sources)', 'auto')
    .option('--tokenizer <dir>', 'tokenizer directory (required for URLs; for a .gguf, use it instead of the file’s own)')
    .option('--model <name>', 'model name for an OpenAI-compatible server')
    .addHelpText('after', '\nExamples:\n  brevity eval models/base --budgets 16,32,64,128,256\n  brevity eval runs/quickstart/checkpoints/step-000040 --base runs/eval/base.json\n  brevity eval model.gguf --task gsm8k --budgets 256,512,1024\n  brevity eval http://127.0.0.1:8080/v1 --tokenizer models/qwen --task gsm8k --budgets 256,512\n\nExit codes: 0 ok, 1 failure, 2 bad arguments or recipe.')
    .action((source: string, f: EvalFlags) =>
      withRecipeErrors(async () => {
        // heavy modules (engines, verifier) load only when the command runs, keeping `brevity --help` fast
        const [{ evaluate }, { openModel }, { taskFromFlag, taskFromSection }, { formatEvalTable }, { readEvalResult, writeEvalResult }, { verify }] = await Promise.all([
          import('../eval/evaluate.ts'), import('../eval/open-model.ts'), import('../eval/open-task.ts'), import('../eval/print.ts'),
          import('../eval/write-results.ts'), import('../verify/index.ts'),
        ]);
        const recipe = f.recipe ? loadBrevityRecipe(f.recipe, { set: f.set }).recipe : undefined;
        const e = recipe?.eval;
        let task;
        try {
          task = f.task ? taskFromFlag(f.task) : recipe ? taskFromSection(recipe.task) : taskFromFlag('arith');
        } catch (err) {
          process.stderr.write(`error: ${(err as Error).message}\n`);
          process.exit(EXIT_CONFIG);
        }
        const { engine, tokenizer, label } = await openModel(source, { engine: f.engine, tokenizer: f.tokenizer, model: f.model });
        try {
          const samplesPerProblem = f.samples ?? e?.samplesPerProblem ?? 1;
          const r = await evaluate({
            engine, task, tokenizer, verify, model: label,
            budgets: f.budgets ?? e?.budgets ?? [16, 32, 64, 128, 256],
            samplesPerProblem,
            temperature: f.temperature ?? e?.temperature ?? 1,
            testSize: f.testSize ?? e?.testSize ?? 200,
            passK: (f.passK ?? e?.passK ?? [1]).filter((k) => k <= samplesPerProblem),
            seed: f.seed ?? e?.seed ?? 0,
            answerTokens: f.answerTokens ?? e?.answerTokens ?? 8,
            bootstrap: { resamples: e?.bootstrap ?? 1000, seed: f.seed ?? e?.seed ?? 0 },
            aes: e?.aes,
            base: f.base ? readEvalResult(f.base) : undefined,
            onProgress: (d, t) => process.stderr.isTTY && process.stderr.write(`\reval ${d}/${t} problem×budget`),
          });
          if (process.stderr.isTTY) process.stderr.write('\n');
          const stem = f.out ?? join('runs', 'eval', label.replace(/^https?:\/\//, '').replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, ''));
          writeEvalResult(stem, r);
          console.log(formatEvalTable(r));
          console.log(`\nwrote ${stem}.json and ${stem}.csv`);
        } finally {
          await engine.dispose();
        }
      }),
    );
}
