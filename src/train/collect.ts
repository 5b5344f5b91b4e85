/**
 * The sampling half of an RL step: choose prompts (seeded order) → budgets
 * (budget policy) → rollouts (n per prompt) → verify → shape rewards (shapers
 * + combiner) → dynamic-sampling filter, repeated until the batch has
 * `promptsPerStep` groups or the round cap is hit; then advantages and the
 * training rows. Every rollout generated is recorded in the per-prompt
 * history (after its round's rewards, which see only earlier outcomes).
 */
import type { Problem } from '../tasks/types.ts';
import type { GenerateRequest, RolloutEngine } from '../rollout/types.ts';
import { combineRewards, type WeightedShaper } from '../../rewards/combine.ts';
import type { PromptHistory } from '../../rewards/history.ts';
import type { BudgetDecision, BudgetPolicy, ScoredRollout } from '../../rewards/types.ts';
import type { AdvantageEstimator } from './advantages.ts';
import { alignRolloutLogProbs } from './rollout-correction.ts';
import type { TrainRow } from './batch.ts';
import type { PromptSampler } from './prompt-sampler.ts';
import type { Rng } from './rng.ts';
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
  /** Metrics the shapers and the combiner logged, averaged over rounds weighted by their rollouts. */
  shaperMetrics: Record<string, number>;
  filterMetrics: Record<string, number>;
  /** Milliseconds. */
  time: { rollout: number; verify: number; rewards: number };
  generatedTokens: number;
}

export async function collectGroups(c: CollectContext): Promise<Collected> {
  const time = { rollout: 0, verify: 0, rewards: 0 };
  const logged: Record<string, [number, number][]> = {}; // [value, rollouts in that round]
  const all: ScoredRollout[] = [];
  const acc = new GroupAccumulator<Group>(c.sampling, c.promptsPerStep);
  let generatedTokens = 0;
  while (!acc.done) {
    const problems = Array.from({ length: acc.missing }, () => c.prompts.next());
    const budgets = problems.map((p) => c.budget.budgetFor({ id: p.id, difficulty: p.difficulty }, c.step, c.history));
    const promptIds = problems.map((p, i) => c.env.promptIds(p, budgets[i].promptSuffix));
    const requests: GenerateRequest[] = problems.map((_, i) => ({
      promptIds: promptIds[i],
      n: c.rollout.n,
      maxTokens: Math.max(1, Math.min(budgets[i].cap, c.rollout.maxTokens)),
      seed: c.seeds.nextU32(),
    }));
    let t = performance.now();
    const samples = await c.engine.generate(requests, { temperature: c.rollout.temperature, topP: c.rollout.topP, stopTokenIds: c.env.stopTokenIds, logprobs: true });
    time.rollout += performance.now() - t;
    t = performance.now();
    const batch: ScoredRollout[] = [];
    problems.forEach((p, g) =>
      samples[g].forEach((s, j) => {
        const v = c.env.score(p, s);
        generatedTokens += s.tokens.length;
        batch.push({
          promptId: p.id,
          groupIndex: g,
          sampleIndex: j,
          tokens: s.tokens,
          length: s.tokens.length,
          ...(c.env.thinkingLength ? { thinkingLength: c.env.thinkingLength(s.tokens) } : {}),
          finish: s.finish,
          correct: v.correct,
          parsed: v.parsed,
          format: v.format,
          budget: { cap: requests[g].maxTokens, target: budgets[g].target },
          difficulty: p.difficulty,
        });
      }),
    );
    time.verify += performance.now() - t;
    t = performance.now();
    const combined = combineRewards(batch, c.shapers, {
      step: c.step,
      history: c.history,
      logMetric: (k, v) => (logged[k] ??= []).push([v, batch.length]),
    });
    c.history.recordBatch(batch, c.step);
    time.rewards += performance.now() - t;
    all.push(...batch);
    acc.add(
      problems.map((p, g) => ({
        problem: p,
        budget: budgets[g],
        promptIds: promptIds[g],
        rollouts: batch.filter((r) => r.groupIndex === g),
        rewards: combined.rewards.filter((_, i) => batch[i].groupIndex === g),
        logprobs: samples[g].map((s) => s.logprobs),
      })),
      (g) => g.rewards,
    );
  }
  const shaperMetrics: Record<string, number> = {};
  for (const [k, vs] of Object.entries(logged)) {
    shaperMetrics[k] = vs.reduce((a, [v, n]) => a + v * n, 0) / vs.reduce((a, [, n]) => a + n, 0);
  }
  return { groups: acc.take(), all, shaperMetrics, filterMetrics: acc.metrics(), time, generatedTokens };
}

/** Advantages over the batch's groups, then one training row (prompt ‖ completion) per rollout. */
export function trainingRows(groups: readonly Group[], advantage: AdvantageEstimator): TrainRow[] {
  const flat = groups.flatMap((g, gi) => g.rollouts.map((r, j) => ({ r, g, gi, j, reward: g.rewards[j] })));
  if (flat.length === 0) return [];
  const adv = advantage({
    rewards: flat.map((x) => x.reward),
    groupIds: flat.map((x) => x.gi),
    lengths: flat.map((x) => x.r.length),
    correct: flat.map((x) => x.r.correct),
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
