import type { Command } from 'commander';
import { join } from 'node:path';
import { z } from 'zod';
import { EXIT_CONFIG, UsageError, collectSet, withRecipeErrors } from '../recipe/errors.ts';
import { loadBrevityRecipe } from '../recipe/index.ts';

/** Comma-separated list → strings; each element is checked by the schema below. */
const list = (v: string) => v.split(',').map((x) => x.trim());

/**
 * The numeric flags, checked once at the edge (exit 2 naming the flag):
 * a number given as text must be a whole, finite decimal — "1.5" is not a
 * problem count and "-3" is not a test size.
 */
const numberText = () => z.coerce.number({ error: 'expected a number' });
const count = numberText().pipe(z.number().int('expected a whole number').positive('expected at least 1'));
const EvalFlagsSchema = z.object({
  budgets: z.array(count).min(1).optional(),
  samples: count.optional(),
  testSize: count.optional(),
  temperature: numberText().pipe(z.number().min(0, 'expected ≥ 0 (0 = greedy)')).optional(),
  passK: z.array(count).min(1).optional(),
  seed: numberText().pipe(z.number().int('expected a whole number').min(0, 'expected ≥ 0')).optional(),
  answerTokens: count.optional(),
  maxFailures: numberText().pipe(z.number().int('expected a whole number').min(0, 'expected ≥ 0')).default(0),
});
const FLAG_NAMES: Record<string, string> = {
  budgets: '--budgets', samples: '--samples', testSize: '--test-size', temperature: '--temperature', passK: '--pass-k', seed: '--seed',
  answerTokens: '--answer-tokens', maxFailures: '--max-failures',
};

/** Validate the numeric flags; UsageError (exit 2) listing each bad one with what it got. */
export function parseEvalFlags(raw: Record<string, unknown>): z.infer<typeof EvalFlagsSchema> {
  const blank = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? NaN : v);
  const input = Object.fromEntries(Object.entries(raw).filter(([k]) => k in FLAG_NAMES).map(([k, v]) => [k, Array.isArray(v) ? v.map(blank) : blank(v)]));
  const r = EvalFlagsSchema.safeParse(input);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const k = String(i.path[0]);
    return `${FLAG_NAMES[k] ?? k} ${JSON.stringify(raw[k])}: ${i.message}`;
  });
  throw new UsageError(lines.join('\n'));
}

interface EvalFlags {
  task?: string; recipe?: string; set: string[]; budgets?: string[]; samples?: string; testSize?: string; temperature?: string; passK?: string[];
  seed?: string; answerTokens?: string; maxFailures?: string; base?: string; out?: string; engine: 'auto' | 'llama-cpp' | 'tfjs'; tokenizer?: string; model?: string;
}

export function register(program: Command): void {
  program
    .command('eval <source>')
    .description('accuracy–tokens curve of a checkpoint directory, a GGUF file or an OpenAI-compatible URL, with budget forcing')
    .option('--task <task>', 'arith | gsm8k | math500 | path/to/file.jsonl (default: the recipe’s task, else arith)')
    .option('--recipe <file>', 'take task and eval settings from a recipe (flags override)')
    .option('--set <key=value>', 'recipe override, repeatable', collectSet, [])
    .option('--budgets <list>', 'token budgets, e.g. 16,32,64,128', list)
    .option('--samples <n>', 'samples per problem (pass@k needs n ≥ k)')
    .option('--test-size <n>', 'test problems (a fixed prefix of the test split)')
    .option('--temperature <t>', 'sampling temperature (0 = greedy)')
    .option('--pass-k <list>', 'k values for pass@k', list)
    .option('--seed <n>', 'eval seed (sampling and bootstrap)')
    .option('--answer-tokens <n>', 'tokens allowed after the forced answer trigger')
    .option('--max-failures <n>', 'requests the engine may give up on before the eval stops (each logged, left out of the statistics, counted)', '0')
    .option('--base <eval.json>', 'earlier eval result to compare against (length reduction, Δacc, AES)')
    .option('--out <stem>', 'write <stem>.json and <stem>.csv (default runs/eval/<name>)')
    .option('--engine <kind>', 'auto | llama-cpp | tfjs (checkpoint sources)', 'auto')
    .option('--tokenizer <dir>', 'tokenizer directory (required for URLs; for a .gguf, use it instead of the file’s own)')
    .option('--model <name>', 'model name for an OpenAI-compatible server')
    .addHelpText('after', '\nExamples:\n  brevity eval models/base --budgets 16,32,64,128,256\n  brevity eval runs/quickstart/checkpoints/step-000040 --base runs/eval/base.json\n  brevity eval model.gguf --task gsm8k --budgets 256,512,1024\n  brevity eval http://127.0.0.1:8080/v1 --tokenizer models/qwen --task gsm8k --budgets 256,512\n\nExit codes: 0 ok, 1 failure, 2 bad arguments or recipe.')
    .action((source: string, raw: EvalFlags) =>
      withRecipeErrors(async () => {
        const nums = parseEvalFlags(raw as unknown as Record<string, unknown>);
        const { budgets: _b, samples: _s, testSize: _t, temperature: _te, passK: _p, seed: _se, answerTokens: _a, maxFailures: _m, ...rest } = raw;
        const f = { ...rest, ...nums };
        // heavy modules (engines, verifier) load only when the command runs, keeping `brevity --help` fast
        const [{ evaluate }, { openModel }, { taskFromFlag, taskFromSection }, { formatEvalTable }, { readEvalResult, writeEvalResult }, { verify }, { RecordLog }] = await Promise.all([
          import('../eval/evaluate.ts'), import('../eval/open-model.ts'), import('../eval/open-task.ts'), import('../eval/print.ts'),
          import('../eval/write-results.ts'), import('../verify/index.ts'), import('../eval/record-log.ts'),
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
        const base = f.base ? readEvalResult(f.base) : undefined;
        const { engine, tokenizer, label, fingerprint } = await openModel(source, { engine: f.engine, tokenizer: f.tokenizer, model: f.model });
        try {
          const samplesPerProblem = f.samples ?? e?.samplesPerProblem ?? 1;
          const settings = {
            samplesPerProblem,
            temperature: f.temperature ?? e?.temperature ?? 1,
            testSize: f.testSize ?? e?.testSize ?? 200,
            seed: f.seed ?? e?.seed ?? 0,
            answerTokens: f.answerTokens ?? e?.answerTokens ?? 8,
          };
          const stem = f.out ?? join('runs', 'eval', label.replace(/^https?:\/\//, '').replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, ''));
          // Finished records go to <stem>.records.jsonl as they complete; a rerun with the same settings resumes from them.
          const records = RecordLog.open(`${stem}.records.jsonl`, { model: fingerprint, task: task.name, ...settings }, (s) => process.stderr.write(`${s}\n`));
          const r = await evaluate({
            engine, task, tokenizer, verify, model: label, records, maxFailures: f.maxFailures,
            budgets: f.budgets ?? e?.budgets ?? [16, 32, 64, 128, 256],
            ...settings,
            passK: (f.passK ?? e?.passK ?? [1]).filter((k) => k <= samplesPerProblem),
            bootstrap: { resamples: e?.bootstrap ?? 1000, seed: f.seed ?? e?.seed ?? 0 },
            aes: e?.aes,
            base,
            onProgress: (d, t) => process.stderr.isTTY && process.stderr.write(`\reval ${d}/${t} problem×budget`),
          });
          if (process.stderr.isTTY) process.stderr.write('\n');
          writeEvalResult(stem, r);
          console.log(formatEvalTable(r));
          if (r.failures?.length) {
            console.log(`\n${r.failures.length} request(s) failed and are left out of the statistics (--max-failures ${f.maxFailures}); rerun to retry them:`);
            for (const x of r.failures.slice(0, 5)) console.log(`  budget ${x.budget} problem ${x.id}: ${x.error.split('\n')[0]}`);
          }
          console.log(`\nwrote ${stem}.json and ${stem}.csv`);
        } finally {
          await engine.dispose();
        }
      }),
    );
}
