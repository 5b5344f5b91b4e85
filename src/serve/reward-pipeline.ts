/**
 * The reward pipeline a served recipe runs for one request: the same steps as
 * the sampling half of a training step (src/train/collect.ts), minus sampling.
 *
 *   items ─ budget policy (cap/target per prompt, from the history so far)
 *         ─ verifier (text, gold) → correct / parsed
 *         ─ reward shapers + combiner (whole batch: group-level shapers see each group)
 *         ─ history.recordBatch (only after every shaper succeeded)
 *
 * One request = one batch = one `step` for the shapers and the history (a
 * caller that sends several micro-batches per training step passes the step
 * explicitly; see docs/scale-out.md). A shaper that throws fails the request
 * and leaves the history untouched, so the next request sees the same state.
 */
import { combineRewards, type WeightedShaper } from '../../rewards/combine.ts';
import type { PromptHistory } from '../../rewards/history.ts';
import type { BudgetPolicy, ScoredRollout } from '../../rewards/types.ts';
import { verify } from '../verify/index.ts';
import type { Extractor } from '../verify/types.ts';

/** One response to score, after the protocol layer has resolved its fields. */
export interface RewardItem {
  /** Key of the per-prompt history (the prompt, not the group: several groups may share a prompt). */
  promptId: string;
  /** Group of this response within the request (one prompt × n samples). */
  groupKey: string;
  /** The completion text as the verifier reads it (no prompt, no trailing stop token). */
  response: string;
  gold: string;
  /** Completion length in tokens of the model's tokenizer (stop token included when finish = stop). */
  length: number;
  /** Token ids when the caller sent or we computed them; shapers read `length`, not these. */
  tokens?: number[];
  /** Undefined = infer: `length` when `length ≥ cap`, else `stop`. */
  finish?: 'stop' | 'length';
  /** Caller-supplied budget; undefined = ask the recipe's budget policy. */
  budget?: { cap: number; target?: number };
  difficulty?: number;
}

export interface ScoredItem {
  reward: number;
  correct: boolean;
  parsed: string | null;
  finish: 'stop' | 'length';
  length: number;
  cap: number;
}

export interface PipelineResult {
  step: number;
  items: ScoredItem[];
  /** Each shaper's unweighted values (null = opted out), keyed by shaper name. */
  perShaper: Record<string, (number | null)[]>;
  /** reward/<shaper>/mean, reward/mean, … as the trainer would log them. */
  metrics: Record<string, number>;
}

export interface RewardPipelineParts {
  extractors: Extractor[];
  shapers: readonly WeightedShaper[];
  budget: BudgetPolicy;
  history: PromptHistory;
  /** The recipe's `rollout.maxTokens`: budget caps apply below it, as in training. */
  maxTokens: number;
  /** The recipe's `rollout.n`: default group size of the OpenRLHF protocol. */
  groupSize: number;
  /** Step of the first request that names none. */
  firstStep?: number;
}

export class RewardPipeline {
  readonly parts: RewardPipelineParts;
  /** Step given to the next request that names none: one past the last step scored. */
  nextStep: number;
  /** Responses scored so far (for metrics). */
  scored = 0;

  constructor(parts: RewardPipelineParts) {
    this.parts = parts;
    this.nextStep = parts.firstStep ?? 0;
  }

  get history(): PromptHistory {
    return this.parts.history;
  }

  /** Score one request's items; throws (leaving the history unchanged) when a shaper fails. */
  score(items: readonly RewardItem[], opts: { step?: number } = {}): PipelineResult {
    const step = opts.step ?? this.nextStep;
    const { budget, history, maxTokens, extractors } = this.parts;
    const groupIndex = new Map<string, number>();
    const groupFill: number[] = [];
    const budgets = new Map<string, { cap: number; target?: number }>();
    const batch: ScoredRollout[] = items.map((it) => {
      let g = groupIndex.get(it.groupKey);
      if (g === undefined) {
        g = groupIndex.size;
        groupIndex.set(it.groupKey, g);
        groupFill.push(0);
      }
      const j = groupFill[g]++;
      let b = it.budget;
      if (!b) {
        b = budgets.get(it.promptId);
        if (!b) {
          const d = budget.budgetFor({ id: it.promptId, difficulty: it.difficulty }, step, history);
          b = { cap: Math.max(1, Math.min(d.cap, maxTokens)), ...(d.target !== undefined ? { target: d.target } : {}) };
          budgets.set(it.promptId, b);
        }
      }
      const finish = it.finish ?? (it.length >= b.cap ? 'length' : 'stop');
      const v = verify(it.response, it.gold, { extractors, truncated: finish === 'length' });
      return {
        promptId: it.promptId,
        groupIndex: g,
        sampleIndex: j,
        tokens: it.tokens ?? [],
        length: it.length,
        finish,
        correct: v.correct,
        parsed: v.extracted,
        format: { hasAnswer: v.extracted !== null },
        budget: b,
        ...(it.difficulty !== undefined ? { difficulty: it.difficulty } : {}),
      };
    });
    const metrics: Record<string, number> = {};
    const combined = combineRewards(batch, this.parts.shapers, { step, history, logMetric: (k, v) => (metrics[k] = v) });
    history.recordBatch(batch, step);
    this.nextStep = Math.max(this.nextStep, step + 1);
    this.scored += batch.length;
    return {
      step,
      items: batch.map((r, i) => ({
        reward: combined.rewards[i],
        correct: r.correct,
        parsed: r.parsed,
        finish: r.finish,
        length: r.length,
        cap: r.budget.cap,
      })),
      perShaper: combined.perShaper,
      metrics: { ...combined.metrics, ...metrics },
    };
  }
}
