/**
 * The RL step loop. One step:
 *
 *   choose prompts (seeded) → budgets (budget policy) → rollouts (n per prompt)
 *   → verify → shape rewards (shapers + combiner) → dynamic-sampling filter
 *   (more rounds until the batch is full, capped) → advantages (estimator)
 *   → old/ref log-probs with the trainer's own forward → epochs × minibatches
 *   AdamW updates (micro-batched, clipped, scheduled, NaN-guarded)
 *   → refresh the rollout engine's weights → metrics, checkpoint.
 *
 * Methods arrive as functions (`TrainMethods`) resolved from the registries;
 * the loss through `policyLosses[loss.type]`. Nothing here branches on a
 * method's name.
 *
 * Resume: every piece of state that influences later steps — weights,
 * optimizer moments, the prompt order, the rollout-seed and shuffle RNGs, the
 * per-prompt history, the budget policy's state, the update counter — is in
 * the checkpoint, so a resumed run's steps after the checkpoint equal an
 * uninterrupted run's (metrics other than timings, and final weights).
 */
import { randomUUID } from 'node:crypto';
import { assignNamed, microBatchSize, policyFromNamed, policyToNamed, type Policy } from '../model/decoder.ts';
import type { RolloutEngine } from '../rollout/types.ts';
import type { Problem } from '../tasks/types.ts';
import type { CombineConfig, WeightedShaper } from '../../rewards/combine.ts';
import { PromptHistory } from '../../rewards/history.ts';
import type { BudgetPolicy } from '../../rewards/types.ts';
import type { AdvantageEstimator } from '../../rewards/advantages.ts';
import { latestCheckpoint, loadTrainerCheckpoint, saveTrainerCheckpoint } from './checkpoint.ts';
import { collectGroups, trainingRows, type RolloutSettings, type TrainEnv } from './collect.ts';
import type { TrainConfig } from './config.ts';
import type { LossConfig } from './losses.ts';
import { lossEntry } from './losses.ts';
import { makeProgress, MetricsWriter, rolloutStats, type ProgressReporter, type StepMetrics } from './metrics.ts';
import { AdamW } from './optimizer.ts';
import { PromptSampler, type PromptSamplerState } from './prompt-sampler.ts';
import { Rng, type RngState } from '../util/rng.ts';
import { activeCorrection, mismatchMetrics, requireRolloutLogProbs } from './rollout-correction.ts';
import type { SamplingFilterConfig } from './sampling-filter.ts';
import { NonFiniteError, rowLogProbs, updatePhase } from './update.ts';

export type { RolloutSettings, TrainEnv } from './collect.ts';

/** The method, as functions resolved from the registries. */
export interface TrainMethods {
  shapers: WeightedShaper[];
  /** How the shapers' values combine (default: weighted sum). */
  combine?: CombineConfig;
  budget: BudgetPolicy;
  advantage: AdvantageEstimator;
  history?: PromptHistory;
}

export interface TrainerOptions {
  train: TrainConfig;
  loss: LossConfig;
  sampling: SamplingFilterConfig;
  rollout: RolloutSettings;
  policy: Policy;
  /**
   * Builds the frozen reference for a KL penalty. The trainer calls it once,
   * only when the loss needs a reference, and owns (disposes) the result.
   * Default: a copy of the policy as passed in — which on --resume is not the
   * starting model, so resuming such a run requires this.
   */
  makeReference?: () => Policy;
  /**
   * The engine the trainer samples from. After each step's updates the trainer
   * calls `updateWeights` when the engine has it (engines sharing the Policy
   * object, like TfjsEngine, may leave it out).
   */
  engine: RolloutEngine;
  /** The engine samples from `policy` itself (TfjsEngine): no weight refresh needed after updates. */
  engineSharesPolicy?: boolean;
  env: TrainEnv;
  methods: TrainMethods;
  /** `runs/<run>`: metrics.jsonl and checkpoints/ go here. */
  runDir: string;
  /** Files shipped in every checkpoint beside the weights (the tokenizer's), so checkpoints are self-contained models. */
  modelFiles?: Record<string, string | Uint8Array>;
  /** Continue from the newest checkpoint in runDir (error if none). */
  resume?: boolean;
  progress?: 'auto' | 'bar' | 'lines' | 'silent';
  /** Install SIGINT/SIGTERM handlers (checkpoint after the current step, then stop). Default true. */
  handleSignals?: boolean;
  /** Called after each completed step (and its checkpoint): step evaluations, test hooks. */
  onStep?(step: number, metrics: StepMetrics): void | Promise<void>;
  /** Called once after a resume restored step `step` (and refreshed the engine): redo work a kill cut short (a step eval). */
  onResume?(step: number): void | Promise<void>;
}

export interface TrainResult {
  /** Last completed step. */
  step: number;
  stoppedBy: 'done' | 'signal' | 'non-finite';
  checkpoint: string | null;
}

export class Trainer {
  readonly o: TrainerOptions;
  readonly policy: Policy;
  readonly optimizer: AdamW;
  history: PromptHistory;
  private reference: Policy | null = null;
  private prompts: PromptSampler<Problem>;
  private seeds: Rng;
  private shuffle: Rng;
  private step = 0;
  private nonFinite = 0;
  private stopRequested: string | null = null;
  private metrics: MetricsWriter;
  private progress: ProgressReporter;
  private lastCheckpoint: string | null = null;
  /** Step of the newest checkpoint written or restored by this trainer. */
  private savedStep = -1;
  private modelFiles: Record<string, string | Uint8Array> | undefined;
  /** Identifies this run's checkpoints (pruning never deletes another run's); kept across resumes. */
  private runId: string = randomUUID();

  constructor(o: TrainerOptions) {
    this.o = o;
    this.policy = o.policy;
    const t = o.train;
    this.optimizer = new AdamW(this.policy.params, {
      betas: t.optimizer.betas as [number, number],
      eps: t.optimizer.eps,
      weightDecay: t.optimizer.weightDecay,
    });
    this.history = o.methods.history ?? new PromptHistory();
    this.prompts = new PromptSampler(o.env.problems, t.seed);
    this.seeds = new Rng(`rollout-seeds:${t.seed}`);
    this.shuffle = new Rng(`shuffle:${t.seed}`);
    this.metrics = new MetricsWriter(o.runDir);
    this.progress = makeProgress(o.progress ?? 'auto');
    this.modelFiles = o.modelFiles;
    if (lossEntry(o.loss).needsReference(o.loss)) {
      if (o.makeReference) this.reference = o.makeReference();
      else if (o.resume) throw new Error('resuming a run whose loss has a KL penalty needs the reference policy (the starting model): pass `makeReference`');
      else this.reference = policyFromCopy(this.policy);
    }
  }

  /** Restore from the newest checkpoint of the run; returns its step. */
  private async restore(): Promise<number> {
    const skipped: string[] = [];
    const dir = latestCheckpoint(this.o.runDir, (d, why) => skipped.push(`${d}: ${why}`));
    if (!dir) throw new Error(`--resume: no valid checkpoint under ${this.o.runDir}/checkpoints (nothing to resume; start without --resume)${skipped.length ? `; damaged: ${skipped.join('; ')}` : ''}`);
    for (const s of skipped) this.progress.log(`damaged checkpoint skipped: ${s}`);
    if (skipped.length) this.progress.log(`falling back to ${dir}, the newest valid checkpoint`);
    const ck = await loadTrainerCheckpoint(dir);
    if (!this.o.modelFiles) this.modelFiles = ck.extraFiles;
    assignNamed(this.policy, ck.weights);
    this.optimizer.importState(ck.optimizer);
    const s = ck.state as unknown as SavedState;
    this.prompts.loadState(s.prompts);
    this.seeds.setState(s.seeds);
    this.shuffle.setState(s.shuffle);
    this.o.methods.budget.loadState(s.budget);
    this.history = PromptHistory.fromJSON(s.history);
    this.nonFinite = s.nonFinite;
    if (typeof s.runId === 'string') this.runId = s.runId;
    this.step = ck.step;
    this.lastCheckpoint = dir;
    this.savedStep = ck.step;
    return ck.step;
  }

  private async saveCheckpoint(): Promise<string> {
    const state: SavedState = {
      prompts: this.prompts.state(),
      seeds: this.seeds.state(),
      shuffle: this.shuffle.state(),
      budget: this.o.methods.budget.state() ?? null,
      history: this.history.toJSON(),
      nonFinite: this.nonFinite,
      runId: this.runId,
    };
    this.lastCheckpoint = await saveTrainerCheckpoint(
      this.o.runDir,
      {
        step: this.step,
        modelConfig: this.policy.config,
        weights: policyToNamed(this.policy),
        optimizer: this.optimizer.exportState(),
        state: state as unknown as Record<string, unknown>,
        extraFiles: this.modelFiles,
      },
      this.o.train.keepCheckpoints,
    );
    this.savedStep = this.step;
    return this.lastCheckpoint;
  }

  /** Ask the loop to checkpoint after the current step and stop. */
  requestStop(reason: string): void {
    this.stopRequested = reason;
  }

  async run(): Promise<TrainResult> {
    const t = this.o.train;
    if (this.o.resume) {
      const from = await this.restore();
      this.metrics.truncateAfter(from);
      if (!this.o.engineSharesPolicy) await this.o.engine.updateWeights?.(policyToNamed(this.policy));
      this.progress.log(`resumed from ${this.lastCheckpoint} (step ${from})`);
      await this.o.onResume?.(from);
    } else {
      this.metrics.reset();
    }
    const handlers = this.o.handleSignals === false ? [] : this.installSignals();
    this.progress.start(t.steps, this.step);
    let stoppedBy: TrainResult['stoppedBy'] = 'done';
    try {
      while (this.step < t.steps) {
        const m = await this.runStep(this.step + 1);
        this.step++;
        this.metrics.write(m);
        this.progress.update(m);
        const periodic = t.checkpointEvery > 0 && this.step % t.checkpointEvery === 0;
        if (periodic || this.step === t.steps || this.stopRequested) await this.saveCheckpoint();
        await this.o.onStep?.(this.step, m);
        // Engines whose generate() never waits on I/O would starve the event loop: let signals in.
        await new Promise((r) => setImmediate(r));
        if (this.stopRequested) {
          if (this.savedStep !== this.step) await this.saveCheckpoint();
          stoppedBy = 'signal';
          this.progress.log(`${this.stopRequested}: checkpoint saved at step ${this.step} (${this.lastCheckpoint}); resume with --resume`);
          break;
        }
      }
    } catch (e) {
      if (!(e instanceof NonFiniteError)) throw e;
      stoppedBy = 'non-finite';
      this.progress.log(
        `stopping: ${t.maxNonFinite} non-finite updates in a row (${e.message}). ` +
          `The last good checkpoint is ${this.lastCheckpoint ?? '(none yet)'}; lower the learning rate or enable gradient clipping.`,
      );
    } finally {
      this.progress.stop();
      for (const [sig, h] of handlers) process.off(sig, h);
    }
    return { step: this.step, stoppedBy, checkpoint: this.lastCheckpoint };
  }

  private installSignals(): [NodeJS.Signals, () => void][] {
    const hs: [NodeJS.Signals, () => void][] = [];
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      const h = () => {
        if (this.stopRequested) {
          // Second signal: leave now; the last checkpoint on disk is intact.
          process.exit(sig === 'SIGINT' ? 130 : 143);
        }
        this.requestStop(sig);
        this.progress.log(`${sig}: finishing the current step, then saving a checkpoint (signal again to quit at once)`);
      };
      process.on(sig, h);
      hs.push([sig, h]);
    }
    return hs;
  }

  /** One RL step; returns its metrics. */
  async runStep(step: number): Promise<StepMetrics> {
    const o = this.o;
    const t0 = performance.now();
    const collected = await collectGroups({
      step,
      engine: o.engine,
      env: o.env,
      budget: o.methods.budget,
      shapers: o.methods.shapers,
      combine: o.methods.combine,
      rollout: o.rollout,
      sampling: o.sampling,
      promptsPerStep: o.train.promptsPerStep,
      prompts: this.prompts,
      seeds: this.seeds,
      history: this.history,
    });
    const time: Record<string, number> = { ...collected.time };
    const advantageMetrics: Record<string, number> = {};
    const rows = trainingRows(collected.groups, o.methods.advantage, (k, v) => (advantageMetrics[k] = v));

    // ── old / reference log-probs, updates ──
    const maxLen = Math.max(2, ...rows.map((r) => r.tokens.length));
    const micro = o.train.microBatchSize ?? microBatchSize(Math.max(rows.length, 1), maxLen, this.policy.config);
    let tt = performance.now();
    rowLogProbs(this.policy, rows, micro).forEach((lp, i) => (rows[i].old = lp));
    if (this.reference) rowLogProbs(this.reference, rows, micro).forEach((lp, i) => (rows[i].ref = lp));
    time.old_logprobs = performance.now() - tt;
    // Rollout–trainer mismatch (engine log-probs vs the trainer's old log-probs), before any update.
    const mismatch = mismatchMetrics(rows);
    if (activeCorrection(o.loss)) requireRolloutLogProbs(rows, o.engine.name);
    tt = performance.now();
    const perStep = o.train.epochs * o.train.minibatches;
    let update: Record<string, number> = { 'update/skipped': 0, 'update/count': 0 };
    if (rows.length > 0) {
      update = updatePhase(
        {
          policy: this.policy,
          optimizer: this.optimizer,
          loss: o.loss,
          schedule: { lr: o.train.lr, ...o.train.schedule },
          gradClip: o.train.optimizer.gradClip,
          epochs: o.train.epochs,
          minibatches: o.train.minibatches,
          micro,
          maxCompletionLength: o.rollout.maxTokens,
          firstUpdate: (step - 1) * perStep,
          totalUpdates: o.train.steps * perStep,
          shuffle: this.shuffle,
          onNonFinite: (msg) => {
            this.nonFinite++;
            this.progress.log(`step ${step}: ${msg} (${this.nonFinite} in a row)`);
            return this.nonFinite < o.train.maxNonFinite;
          },
          onGoodUpdate: () => (this.nonFinite = 0),
        },
        rows,
      );
    } else {
      this.progress.log(`step ${step}: no trainable groups after ${collected.filterMetrics['sampling/rounds']} rounds; update skipped`);
    }
    time.update = performance.now() - tt;

    // ── refresh the rollout engine ──
    tt = performance.now();
    if (o.engine.updateWeights && !o.engineSharesPolicy) await o.engine.updateWeights(policyToNamed(this.policy));
    time.weight_refresh = performance.now() - tt;
    time.step = performance.now() - t0;

    // ── metrics ──
    const m: StepMetrics = { step };
    Object.assign(m, collected.shaperMetrics, advantageMetrics, rolloutStats(collected.all), collected.filterMetrics, mismatch, update);
    m['batch/rollouts'] = collected.all.length;
    m['batch/trained_rollouts'] = rows.length;
    m['batch/tokens_generated'] = collected.generatedTokens;
    for (const [k, v] of Object.entries(time)) m[`time/${k}`] = v / 1000;
    m['throughput/rollout_tokens_per_s'] = time.rollout > 0 ? collected.generatedTokens / (time.rollout / 1000) : 0;
    const trainedTokens = rows.reduce((a, r) => a + r.tokens.length, 0) * o.train.epochs;
    m['throughput/train_tokens_per_s'] = time.update > 0 ? trainedTokens / (time.update / 1000) : 0;
    m['throughput/tokens_per_s'] = time.step > 0 ? collected.generatedTokens / (time.step / 1000) : 0;
    return m;
  }

  dispose(): void {
    this.optimizer.dispose();
    this.reference?.dispose();
  }
}

interface SavedState {
  prompts: PromptSamplerState;
  seeds: RngState;
  shuffle: RngState;
  budget: unknown;
  history: ReturnType<PromptHistory['toJSON']>;
  nonFinite: number;
  /** Absent in checkpoints written before run ids existed. */
  runId?: string;
}

/** A frozen copy of the policy's current weights (never given to the optimizer). */
function policyFromCopy(p: Policy): Policy {
  return policyFromNamed(p.config, policyToNamed(p));
}
