/**
 * Recipe → the reward pipeline the service runs: the task's verifier
 * (extractors), the recipe's shapers and budget policy through the rewards
 * registry's public resolve functions, a per-prompt history (reloaded from the
 * state file when one exists), and the model's tokenizer for token lengths.
 * Mirrors how src/run/build-trainer.ts assembles the same parts for training,
 * without loading any model weights.
 */
import { resolveBudgetPolicy, resolveShaper } from '../../rewards/registry.ts';
import { PromptHistory } from '../../rewards/history.ts';
import { loadTokenizer } from '../model/load-tokenizer.ts';
import type { Recipe } from '../recipe/index.ts';
import { makeTask } from '../tasks/index.ts';
import type { ServeTokenizer } from './protocol.ts';
import { RewardPipeline } from './reward-pipeline.ts';
import { readServeState } from './state-file.ts';

export interface BuiltPipeline {
  pipeline: RewardPipeline;
  tokenizer: ServeTokenizer;
  /** Where the state was read from (undefined = started empty). */
  restored?: { file: string; prompts: number; nextStep: number };
}

export function buildRewardPipeline(recipe: Recipe, opts: { tokenizerDir?: string; stateFile?: string } = {}): BuiltPipeline {
  const task = makeTask(recipe.task);
  const tokenizer = loadTokenizer(opts.tokenizerDir ?? recipe.model.checkpoint);
  const budget = resolveBudgetPolicy(recipe.budget, { seed: recipe.train.seed });
  const state = opts.stateFile ? readServeState(opts.stateFile) : undefined;
  if (state) budget.loadState(state.budget);
  const pipeline = new RewardPipeline({
    extractors: task.extractors,
    shapers: recipe.rewards.map((s) => resolveShaper(s)),
    budget,
    history: state?.history ?? new PromptHistory(),
    maxTokens: recipe.rollout.maxTokens,
    groupSize: recipe.rollout.n,
    firstStep: state?.nextStep ?? 0,
  });
  if (state) pipeline.scored = state.scored;
  return {
    pipeline,
    tokenizer,
    ...(state && opts.stateFile ? { restored: { file: opts.stateFile, prompts: state.history.size, nextStep: state.nextStep } } : {}),
  };
}
