/**
 * The sampling half of an RL step: choose prompts (seeded order) → budgets
 * (budget policy) → rollouts (n per prompt) → verify → shape rewards (shapers
 * + combiner) → dynamic-sampling filter, repeated until the batch has
 * `promptsPerStep` groups or the round cap is hit; then advantages and the
 * training rows.
 *
 * Rewards are a function of the step's whole sample, not of one round: each
 * round the shapers run over every rollout generated so far this step (one
 * group index per group across rounds), the round's new groups are filtered
 * on those rewards, and the last pass — over the whole step — gives the
 * rewards the kept groups train on and the logged `reward/*` metrics.
 * Batch-level shapers (GRPO-λ's top-λ fraction of groups) thus rank the
 * step's batch, as the paper ranks its sampled batch; group- and
 * rollout-level shapers give the same values in every pass. Budgets and
 * shapers see the history of earlier steps only: the step's rollouts are
 * recorded after its last pass.
 */
import type { Problem } from '../tasks/types.ts';
import type { GenerateRequest, RolloutEngine } from '../rollout/types.ts';
import { combineRewards, type CombineConfig, type WeightedShaper } from '../../rewards/combine.ts';
import type { PromptHistory } from '../../rewards/history.ts';
import type { BudgetDecision, BudgetPolicy, ScoredRollout } from '../../rewards/types.ts';
import type { AdvantageEstimator } from '../../rewards/advantages.ts';
import { alignRolloutLogProbs } from './rollout-correction.ts';
import type { TrainRow } from './batch.ts';
import type { PromptSampler } from './prompt-sampler.ts';
import type { Rng } from '../util/rng.ts';
import { GroupAccumulator, type SamplingFilterConfig } from './sampling-filter.ts';

/** The task as the trainer sees it: prompts, their token ids, and the verifier. */
export interface TrainEnv {
  problems: readonly Problem[];
  /** Prompt token ids for a problem; `suffix` is a budget policy's prompt addition (e.g. L1's target). */
  promptIds(p: Problem, suffix?: string): number[];
  /** Verify one sample (the completion, without the prompt). */
  score(p: Problem, s: { tokens: number[]; text: string; finish: 'stop' | 'length' }): { correct: boolean; parsed: string | null; format: Record<string, boolean> };
  /** Extra stop tokens besides EOS. */
  stopTokenIds?: number[];
  /** Thinking-mode tasks: generated tokens inside the `<think>` block of a completion (ScoredRollout.thinkingLength). */
  thinkingLength?(tokens: readonly number[]): number;
}

export interface RolloutSettings {
  n: number;
  temperature: number;
  topP: number;
  /** Hard cap on completion tokens; budget caps apply below it. */
  maxTokens: number;
}

export interface Group {
  problem: Problem;
  budget: BudgetDecision;
  promptIds: number[];
  rollouts: ScoredRollout[];
  rewards: number[];
  /** The engine's per-token log-probs of each rollout (same order), when it gave them. */
  logprobs?: (number[] | undefined)[];
}

export interface CollectContext {
  step: number;
  engine: RolloutEngine;
  env: TrainEnv;
  budget: BudgetPolicy;
  shapers: readonly WeightedShaper[];
  /** How the shapers' values combine (default: weighted sum). */
  combine?: CombineConfig;
  rollout: RolloutSettings;
  sampling: SamplingFilterConfig;
  promptsPerStep: number;
  prompts: PromptSampler<Problem>;
  seeds: Rng;
  history: PromptHistory;
}

export interface Collected {
  /** The batch: at most promptsPerStep groups, in arrival order. */
  groups: Group[];
  /** Every rollout generated this step (all rounds, kept or not). */
  all: ScoredRollout[];
  /** Metrics the shapers and the combiner logged in the last pass (over every rollout of the step). */
  shaperMetrics: Record<string, number>;
  filterMetrics: Record<string, number>;
  /** Milliseconds. */
  time: { rollout: number; verify: number; rewards: number };
  generatedTokens: number;
}

export async function collectGroups(ctx: CollectContext): Promise<Collected> {
  const time = { rollout: 0, verify: 0, rewards: 0 };
  const all: ScoredRollout[] = [];
  const acc = new GroupAccumulator<Group>(ctx.sampling, ctx.promptsPerStep);
  let shaperMetrics: Record<string, number> = {};
  /** Rewards of `all` from the latest pass (every round so far). */
  let rewardsOfAll: number[] = [];
  const byGroup: Group[] = []; // indexed by the step-wide group index
  let generatedTokens = 0;
  while (!acc.done) {
    const problems = Array.from({ length: acc.missing }, () => ctx.prompts.next());
    const budgets = problems.map((p) => ctx.budget.budgetFor({ id: p.id, difficulty: p.difficulty }, ctx.step, ctx.history));
    const promptIds = problems.map((p, i) => ctx.env.promptIds(p, budgets[i].promptSuffix));
    const requests: GenerateRequest[] = problems.map((_, i) => ({
      promptIds: promptIds[i],
      n: ctx.rollout.n,
      maxTokens: Math.max(1, Math.min(budgets[i].cap, ctx.rollout.maxTokens)),
      seed: ctx.seeds.nextU32(),
    }));
    let t = performance.now();
    const samples = await ctx.engine.generate(requests, { temperature: ctx.rollout.temperature, topP: ctx.rollout.topP, stopTokenIds: ctx.env.stopTokenIds, logprobs: true });
    time.rollout += performance.now() - t;
    t = performance.now();
    const first = byGroup.length;
    const round: Group[] = problems.map((p, g) => {
      const rollouts = samples[g].map((s, j): ScoredRollout => {
        const v = ctx.env.score(p, s);
        generatedTokens += s.tokens.length;
        return {
          promptId: p.id,
          groupIndex: first + g,
          sampleIndex: j,
          tokens: s.tokens,
          length: s.tokens.length,
          ...(ctx.env.thinkingLength ? { thinkingLength: ctx.env.thinkingLength(s.tokens) } : {}),
          finish: s.finish,
          correct: v.correct,
          parsed: v.parsed,
          format: v.format,
          budget: { cap: requests[g].maxTokens, target: budgets[g].target },
          difficulty: p.difficulty,
        };
      });
      return { problem: p, budget: budgets[g], promptIds: promptIds[g], rollouts, rewards: [], logprobs: samples[g].map((s) => s.logprobs) };
    });
    for (const g of round) {
      byGroup.push(g);
      all.push(...g.rollouts);
    }
    time.verify += performance.now() - t;
    t = performance.now();
    const metrics: Record<string, number> = {};
    rewardsOfAll = combineRewards(all, ctx.shapers, { step: ctx.step, history: ctx.history, logMetric: (k, v) => (metrics[k] = v) }, ctx.combine).rewards;
    shaperMetrics = metrics;
    assignRewards(byGroup, all, rewardsOfAll);
    time.rewards += performance.now() - t;
    acc.add(round, (g) => g.rewards);
  }
  // The last pass saw the whole step: its rewards are the ones kept groups train on.
  assignRewards(byGroup, all, rewardsOfAll);
  ctx.history.recordBatch(all, ctx.step);
  return { groups: acc.take(), all, shaperMetrics, filterMetrics: acc.metrics(), time, generatedTokens };
}

/** Copy each rollout's reward (batch order of `all`) into its group's `rewards`. */
function assignRewards(groups: Group[], all: readonly ScoredRollout[], rewards: readonly number[]): void {
  for (const g of groups) g.rewards = [];
  all.forEach((r, i) => groups[r.groupIndex].rewards.push(rewards[i]));
}

/** Advantages over the batch's groups, then one training row (prompt ‖ completion) per rollout. */
export function trainingRows(
  groups: readonly Group[],
  advantage: AdvantageEstimator,
  logMetric?: (name: string, value: number) => void,
): TrainRow[] {
  const flat = groups.flatMap((g, gi) => g.rollouts.map((r, j) => ({ r, g, gi, j, reward: g.rewards[j] })));
  if (flat.length === 0) return [];
  const adv = advantage({
    rewards: flat.map((x) => x.reward),
    groupIds: flat.map((x) => x.gi),
    lengths: flat.map((x) => x.r.length),
    correct: flat.map((x) => x.r.correct),
    logMetric,
  });
  return flat
    .map((x, i) => ({
      tokens: [...x.g.promptIds, ...x.r.tokens],
      promptLength: x.g.promptIds.length,
      advantage: adv[i],
      group: x.gi,
      correct: x.r.correct,
      reward: x.reward,
      truncated: x.r.finish === 'length',
      rollout: alignRolloutLogProbs(x.g.promptIds.length, x.r.tokens.length, x.g.logprobs?.[x.j]),
    }))
    .filter((r) => r.tokens.length > r.promptLength);
}
