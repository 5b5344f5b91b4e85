/**
 * evaluate(): the accuracy–tokens curve of one model on one task. For each
 * budget B, every test problem is sampled `samplesPerProblem` times with
 * budget forcing, verified, and summarized (accuracy, mean tokens
 * all/correct/wrong, truncation, pass@k, accuracy per 1k tokens, AES vs a
 * named base; bootstrap CIs over problems; per difficulty level).
 *
 * Seeds depend only on (eval seed, problem index, budget), never on the
 * model, so two arms see the same problems with the same seeds and can be
 * compared with a paired bootstrap.
 */
import type { Tokenizer } from '../model/tokenizer.ts';
import type { RolloutEngine } from '../rollout/types.ts';
import type { Problem, Task } from '../tasks/types.ts';
import type { Extractor, VerifyResult } from '../verify/types.ts';
import type { GenerateOptions, GenerateRequest } from '../rollout/types.ts';
import { generateWithBudgetForcing } from '../rollout/budget-forcing.ts';
import { promptWithSuffix, withChatTemplate } from '../tasks/prompts.ts';
import { noRecords, type RecordStore } from './record-log.ts';
import { toRecord } from './records.ts';
import type { ProblemRecord } from './records.ts';
import type { AesWeights, BootstrapOptions } from './stats.ts';
import { byDifficulty, summarizeBudget } from './summarize.ts';
import type { BudgetSummary, DifficultySummary } from './summarize.ts';

/** One budget-forced sample as evaluation needs it. */
export interface ForcedOutcome {
  /** Full response scored by the verifier (thinking + trigger + forced answer when forced). */
  text: string;
  /** Tokens spent: generated thinking + generated forced answer (the appended trigger is not generated). */
  tokens: number;
  /** Hit the budget: the answer was forced. */
  truncated: boolean;
  /** Thinking mode: generated tokens inside the think block (the rest of `tokens` is the answer). */
  thinkingTokens?: number;
}

/** result[i][j] = sample j of request i (the RolloutEngine.generate contract). */
export type ForcedGenerator = (requests: GenerateRequest[], opts: GenerateOptions) => Promise<ForcedOutcome[][]>;

/**
 * The rollout module's budget forcing (src/rollout/budget-forcing.ts) as a
 * ForcedGenerator. With `thinking` (chat tasks of thinking models) the
 * verifier reads only the answer after `</think>` ('' when the block never closed).
 */
export function budgetForcer(engine: RolloutEngine, tokenizer: Tokenizer, answerTrigger: string, answerTokens: number, thinking?: Task['thinking']): ForcedGenerator {
  const trigger = tokenizer.encode(answerTrigger);
  const th = thinking && { ...thinking, trigger: tokenizer.encode(thinking.triggerText) };
  return async (requests, opts) =>
    (await generateWithBudgetForcing(engine, requests, { answerTrigger: trigger, triggerText: answerTrigger, answerTokens, generate: opts, thinking: th })).map((samples) =>
      samples.map((s) => ({ text: s.answer ?? '', tokens: s.tokensSpent, truncated: s.forced, ...(s.think ? { thinkingTokens: s.think.thinkingTokens } : {}) })),
    );
}

export type VerifyFn = (response: string, gold: string, opts: { extractors: Extractor[] }) => VerifyResult | Promise<VerifyResult>;

export interface EvaluateOptions {
  engine: RolloutEngine;
  task: Task;
  tokenizer: Tokenizer;
  verify: VerifyFn;
  budgets: readonly number[];
  samplesPerProblem: number;
  /** 1 = the policy as trained; 0 = greedy. */
  temperature: number;
  topP?: number;
  /** Test problems; default the first `testSize` of the task's test split. */
  problems?: readonly Problem[];
  testSize?: number;
  /** Tokens allowed after the answer trigger (8 covers "#### 12345" and EOS). */
  answerTokens?: number;
  seed?: number;
  passK?: readonly number[];
  bootstrap?: BootstrapOptions;
  /** Compare every budget with this earlier result (same budgets): length reduction, ΔAcc, AES. */
  base?: EvalResult;
  aes?: AesWeights;
  /** Label stored in the result (checkpoint path, step, …). */
  model?: string;
  /** Appended to every prompt as a budget policy would ("Think for 64 tokens."; the user turn for chat tasks). */
  promptSuffix?: string;
  /** Override the generator (e.g. the rollout module's budget forcing). */
  generate?: ForcedGenerator;
  /** Requests per generate() call: bounds memory, gives progress. */
  chunk?: number;
  onProgress?: (done: number, total: number) => void;
  /** Finished (budget, problem) records: reused when present, added as they complete (record-log.ts). */
  records?: RecordStore;
  /**
   * Requests (one problem at one budget) that may fail — the engine gave up
   * on them — before the evaluation stops; each is logged and left out of the
   * statistics, and the count is reported. 0 (default): the first failure
   * stops the evaluation (finished records are kept for a rerun).
   */
  maxFailures?: number;
}

/** A request the engine gave up on (left out of the statistics). */
export interface EvalFailure {
  budget: number;
  id: string;
  error: string;
}

export interface BudgetResult extends BudgetSummary {
  byDifficulty: DifficultySummary[];
  records: ProblemRecord[];
}

export interface EvalResult {
  model: string;
  task: string;
  settings: { samplesPerProblem: number; temperature: number; topP: number; seed: number; answerTokens: number; problems: number };
  budgets: BudgetResult[];
  /** Present when --max-failures let requests fail. */
  failures?: EvalFailure[];
}

/**
 * AnytimeReasoner's anytime score over the evaluated budgets with a uniform
 * budget prior: Σ_b p_B(b)·acc(b) = the mean accuracy over budgets.
 */
export function anytimeScore(r: EvalResult): number {
  return r.budgets.reduce((s, b) => s + b.accuracy.estimate, 0) / r.budgets.length;
}

/** Deterministic 32-bit seed for (eval seed, problem index, budget). */
export function problemSeed(seed: number, problemIndex: number, budget: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const v of [problemIndex, budget]) {
    h = Math.imul(h ^ v, 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
  }
  return h;
}

export async function evaluate(opts: EvaluateOptions): Promise<EvalResult> {
  // Chat models are prompted with their own chat template (thinking mode where it has one).
  const o = { ...opts, task: withChatTemplate(opts.task, opts.tokenizer) };
  const problems = o.problems ?? o.task.problems('test').slice(0, o.testSize ?? Infinity);
  if (problems.length === 0) throw new Error(`evaluate: task ${o.task.name} has no test problems`);
  const answerTokens = o.answerTokens ?? 8;
  const seed = o.seed ?? 0;
  const topP = o.topP ?? 1;
  const generate = o.generate ?? budgetForcer(o.engine, o.tokenizer, o.task.answerTrigger, answerTokens, o.task.thinking);
  const prompts = problems.map((p) => o.tokenizer.encode(promptWithSuffix(o.task, p, o.promptSuffix)));
  const chunk = o.chunk ?? 64;
  const store = o.records ?? noRecords;
  const maxFailures = o.maxFailures ?? 0;
  const failures: EvalFailure[] = [];
  const total = problems.length * o.budgets.length;
  let done = 0;
  const budgets: BudgetResult[] = [];
  for (const budget of o.budgets) {
    const byIndex: (ProblemRecord | undefined)[] = problems.map((p, i) => store.get(budget, i, p.id));
    const request = (i: number) => ({ promptIds: prompts[i], n: o.samplesPerProblem, maxTokens: budget, seed: problemSeed(seed, i, budget) });
    const finish = async (i: number, samples: ForcedOutcome[]) => {
      const p = problems[i];
      const outcomes = [];
      for (const s of samples) {
        const v = await o.verify(s.text, p.gold, { extractors: o.task.extractors });
        outcomes.push({ correct: v.correct, tokens: s.tokens, truncated: s.truncated, ...(s.thinkingTokens !== undefined ? { thinkingTokens: s.thinkingTokens } : {}) });
      }
      byIndex[i] = toRecord(p.id, p.difficulty, outcomes, budget);
      store.put(budget, i, byIndex[i]!);
    };
    const failed = (i: number, e: unknown) => {
      const error = (e as Error).message ?? String(e);
      const where = store.file ? `; the finished records are kept in ${store.file}: rerun with the same settings to resume` : '';
      if (failures.length >= maxFailures) {
        throw new Error(`evaluate: problem ${problems[i].id} at budget ${budget} failed: ${error}` + (maxFailures > 0 ? ` (more than --max-failures ${maxFailures})` : '') + where);
      }
      failures.push({ budget, id: problems[i].id, error });
      store.fail(budget, i, problems[i].id, error);
    };
    for (let start = 0; start < problems.length; start += chunk) {
      const idx = problems.slice(start, start + chunk).map((_, k) => start + k).filter((i) => !byIndex[i]);
      if (idx.length) {
        const genOpts = { temperature: o.temperature, topP };
        try {
          const out = await generate(idx.map(request), genOpts);
          for (const [k, i] of idx.entries()) await finish(i, out[k]);
        } catch (e) {
          if (maxFailures === 0) failed(idx[0], e);
          // Find out which requests fail: one at a time.
          for (const i of idx.filter((j) => !byIndex[j])) {
            try {
              await finish(i, (await generate([request(i)], genOpts))[0]);
            } catch (e1) {
              failed(i, e1);
            }
          }
        }
      }
      done += Math.min(chunk, problems.length - start);
      o.onProgress?.(done, total);
    }
    const records = byIndex.filter((r): r is ProblemRecord => r !== undefined);
    const baseB = o.base?.budgets.find((b) => b.budget === budget);
    const summary = summarizeBudget(budget, records, {
      passK: o.passK,
      bootstrap: o.bootstrap,
      aes: o.aes,
      base: baseB && { name: o.base!.model, accuracy: baseB.accuracy.estimate, meanTokens: baseB.meanTokens.estimate },
    });
    budgets.push({ ...summary, byDifficulty: byDifficulty(records), records });
  }
  return {
    model: o.model ?? o.engine.name,
    task: o.task.name,
    settings: { samplesPerProblem: o.samplesPerProblem, temperature: o.temperature, topP, seed, answerTokens, problems: problems.length },
    budgets,
    ...(failures.length ? { failures } : {}),
  };
}
