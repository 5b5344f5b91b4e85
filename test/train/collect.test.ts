import { describe, expect, it } from 'vitest';
import { PromptHistory } from '../../rewards/history.ts';
import { makeBudgetPolicy, resolveShaper, ShaperSpecSchema } from '../../rewards/registry.ts';
import type { GenerateRequest, RolloutEngine, Sample } from '../../src/rollout/types.ts';
import type { Problem } from '../../src/tasks/types.ts';
import { collectGroups, type CollectContext } from '../../src/train/collect.ts';
import type { PromptSampler } from '../../src/train/prompt-sampler.ts';
import { SamplingFilterSchema } from '../../src/train/sampling-filter.ts';
import { Rng } from '../../src/util/rng.ts';

/**
 * Scripted rollouts: the prompt's first token names the problem; each problem
 * answers with fixed (length, correct) samples. Token 9 marks a correct answer.
 */
const SCRIPT: Record<string, [number, boolean][]> = {
  Z: [[4, false], [4, false], [4, false], [4, false]], // p = 0, equal lengths: zero variance under any reward
  M: [[3, true], [6, true], [5, false], [7, false]], // p = 0.5
  H: [[2, true], [4, true], [6, true], [8, true]], // p = 1, lengths differ
};
const ids = Object.keys(SCRIPT);

class ScriptedEngine implements RolloutEngine {
  readonly name = 'scripted';
  async generate(requests: GenerateRequest[]): Promise<Sample[][]> {
    return requests.map((r) =>
      SCRIPT[ids[r.promptIds[0]]].map(([len, ok]) => {
        const tokens = Array.from({ length: len }, (_, i) => (i === len - 1 && ok ? 9 : 1));
        return { tokens, text: tokens.join(' '), finish: 'stop' as const };
      }),
    );
  }
  async dispose(): Promise<void> {}
}

function context(order: string[], shaper: object): CollectContext {
  const queue = order.map((id): Problem => ({ id, question: id, gold: '9' }));
  return {
    step: 1,
    engine: new ScriptedEngine(),
    env: {
      problems: queue,
      promptIds: (p) => [ids.indexOf(p.id)],
      score: (_p, s) => ({ correct: s.tokens.at(-1) === 9, parsed: null, format: {} }),
    },
    budget: makeBudgetPolicy('fixed', { cap: 16 }),
    shapers: [resolveShaper(ShaperSpecSchema.parse(shaper))],
    rollout: { n: 4, temperature: 1, topP: 1, maxTokens: 16 },
    sampling: SamplingFilterSchema.parse({ dynamic: true, maxRounds: 2 }),
    promptsPerStep: 2,
    prompts: { next: () => queue.shift()! } as unknown as PromptSampler<Problem>,
    seeds: new Rng(0),
    history: new PromptHistory(),
  };
}

describe('collectGroups: rewards over the step, not the round', () => {
  it('GRPO-λ top-λ ranks every group the step sampled (dynamic sampling, two rounds)', async () => {
    // Round 1 samples Z and M; Z has zero variance and is dropped; round 2 samples H.
    // Over the step's 3 groups, λ = 0.34 selects round(1.02) = 1 group: H (p = 1), so M gets plain 0/1.
    // (Ranking round by round would select M in round 1 and nothing in round 2 — H then has
    // zero variance and is dropped, and M trains on the length-penalised reward.)
    const c = context(['Z', 'M', 'H'], { type: 'grpo-lambda', fraction: 0.34 });
    const out = await collectGroups(c);
    expect(out.groups.map((g) => g.problem.id)).toEqual(['M', 'H']);
    expect(out.groups[0].rewards).toEqual([1, 1, 0, 0]);
    // H: 1 + Kimi λ_i = 0.5 − (L − 2)/(8 − 2), L = 2, 4, 6, 8.
    out.groups[1].rewards.forEach((r, i) => expect(r).toBeCloseTo(1 + 0.5 - (2 * i) / 6, 12));
    expect(out.filterMetrics['sampling/rounds']).toBe(2);
    expect(out.shaperMetrics['reward/grpo-lambda/penalized_ratio']).toBeCloseTo(1 / 3, 12);
    expect(out.all.length).toBe(12);
  });
  it('the step is recorded in the history after its rewards (shapers see earlier steps only)', async () => {
    const c = context(['Z', 'M', 'H'], { type: 'correctness' });
    const out = await collectGroups(c);
    // H (all correct) has zero variance under 0/1 rewards: dropped; the round cap leaves M alone.
    expect(out.groups.map((g) => [g.problem.id, g.rewards])).toEqual([['M', [1, 1, 0, 0]]]);
    for (const id of ['Z', 'M', 'H']) expect(c.history.count(id)).toBe(4);
  });
});
