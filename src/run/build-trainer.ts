/**
 * Recipe → a ready Trainer: load the model and tokenizer, build the task's
 * prompts and verifier, resolve the method sections through the registries,
 * start the rollout engine. The run layer: it sits above recipe/, train/ and
 * eval/, and `commands/` and `ab/` call it; everything method-specific arrives
 * through registries.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { initEngine } from '../engine/index.ts';
import { loadCheckpoint } from '../model/checkpoint.ts';
import { policyFromNamed, type Policy } from '../model/decoder.ts';
import { loadTokenizer, readTokenizerFiles } from '../model/load-tokenizer.ts';
import type { Tokenizer } from '../model/tokenizer.ts';
import { createEngine, recommendedEngine } from '../rollout/index.ts';
import type { RolloutEngine } from '../rollout/types.ts';
import type { Recipe } from '../recipe/index.ts';
import { makeTask } from '../tasks/index.ts';
import { promptWithSuffix, withChatTemplate } from '../tasks/prompts.ts';
import { checkRecipeMemory } from './memory-plan.ts';
import { servedTrainingEngine } from './served-engine.ts';
import { splitThinking } from '../model/thinking.ts';
import type { Task } from '../tasks/types.ts';
import { verify } from '../verify/index.ts';
import { resolveBudgetPolicy, resolveShaper } from '../../rewards/registry.ts';
import { resolveAdvantageEstimator } from '../../rewards/advantages.ts';
import { Trainer, type TrainEnv, type TrainerOptions } from '../train/loop.ts';

export interface BuiltTrainer {
  trainer: Trainer;
  runDir: string;
  engine: RolloutEngine;
  tokenizer: Tokenizer;
  task: Task;
  dispose(): Promise<void>;
}


/** The task as the trainer needs it: prompt ids and a verifier over completions. */
export function taskEnv(rawTask: Task, tokenizer: Tokenizer): TrainEnv {
  const task = withChatTemplate(rawTask, tokenizer); // idempotent: chat models get their own template
  return {
    problems: task.problems('train'),
    promptIds: (p, suffix) => tokenizer.encode(promptWithSuffix(task, p, suffix)),
    ...(task.thinking ? { thinkingLength: (tokens: readonly number[]) => splitThinking(tokens, task.thinking!).thinkingTokens } : {}),
    score: (p, s) => {
      // Thinking models: only the answer after </think> counts ('' when the block never closed).
      const v = verify(task.answerText ? task.answerText(s.tokens, s.text) : s.text, p.gold, { extractors: task.extractors, truncated: s.finish === 'length' });
      return { correct: v.correct, parsed: v.extracted, format: { hasAnswer: v.extracted !== null } };
    },
  };
}

/**
 * The rollout engine: `auto` picks the one measured faster for the step's
 * concurrency (n × prompts per step, see src/rollout/index.ts), and falls back
 * to tfjs when llama.cpp cannot load; `openai` samples a served model that
 * loads each update (served-engine.ts).
 */
async function makeEngine(recipe: Recipe, policy: Policy, weights: Parameters<typeof policyFromNamed>[1], tokenizer: Tokenizer, log: (s: string) => void, runDir: string) {
  const asked = recipe.rollout.engine;
  if (asked === 'openai') {
    const files = readTokenizerFiles(recipe.model.checkpoint);
    return { engine: await servedTrainingEngine(recipe, { runDir, config: policy.config, tokenizer, files, log }), shared: false };
  }
  const kind = asked === 'auto' ? recommendedEngine(recipe.rollout.n * recipe.train.promptsPerStep) : asked;
  if (kind === 'tfjs') return { engine: await createEngine('tfjs', { policy, tokenizer }), shared: true };
  try {
    return { engine: await createEngine('llama-cpp', { config: policy.config, weights, tokenizer, dtype: recipe.rollout.llamaDtype }), shared: false };
  } catch (e) {
    if (asked === 'llama-cpp') throw e;
    log(`rollout.engine auto: llama.cpp unavailable (${(e as Error).message.split('\n')[0]}); sampling with the tfjs engine`);
    return { engine: await createEngine('tfjs', { policy, tokenizer }), shared: true };
  }
}

export async function buildTrainer(
  recipe: Recipe,
  opts: {
    resume?: boolean;
    progress?: TrainerOptions['progress'];
    log?: (s: string) => void;
    /** Overrides `<run.outputDir>/<run.name>`. Open it with openRunDir (run-dir.ts) first: lock, refusal rules, recipe.yaml. */
    runDir?: string;
    handleSignals?: boolean;
    onStep?: TrainerOptions['onStep'];
    onResume?: TrainerOptions['onResume'];
  } = {},
): Promise<BuiltTrainer> {
  const log = opts.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const info = await initEngine({ backend: recipe.model.backend, kernel: recipe.model.kernel });
  checkRecipeMemory(recipe, info.backend); // before loading: a model too large for the backend fails here with the estimate and the fix
  const runDir = opts.runDir ?? path.join(recipe.run.outputDir, recipe.run.name);
  mkdirSync(runDir, { recursive: true });

  const ck = await loadCheckpoint(recipe.model.checkpoint);
  const policy = policyFromNamed(ck.config, ck.weights);
  const tokenizer = loadTokenizer(recipe.model.checkpoint);
  const task = withChatTemplate(makeTask(recipe.task), tokenizer);
  const train = recipe.train;
  const { engine, shared } = await makeEngine(recipe, policy, ck.weights, tokenizer, log, runDir);

  const trainer = new Trainer({
    train,
    loss: recipe.loss,
    sampling: recipe.sampling,
    rollout: { n: recipe.rollout.n, temperature: recipe.rollout.temperature, topP: recipe.rollout.topP, maxTokens: recipe.rollout.maxTokens },
    policy,
    // The starting model, also on --resume (the trainer builds it only when the loss needs a reference).
    makeReference: () => policyFromNamed(ck.config, ck.weights),
    engine,
    engineSharesPolicy: shared,
    env: taskEnv(task, tokenizer),
    methods: {
      shapers: recipe.rewards.map((s) => resolveShaper(s)),
      combine: recipe.combine,
      budget: resolveBudgetPolicy(recipe.budget, { seed: train.seed }),
      advantage: resolveAdvantageEstimator(recipe.advantage),
    },
    modelFiles: readTokenizerFiles(recipe.model.checkpoint),
    runDir,
    resume: opts.resume,
    progress: opts.progress ?? 'auto',
    handleSignals: opts.handleSignals,
    onStep: opts.onStep,
    onResume: opts.onResume,
  });
  return {
    trainer,
    runDir,
    engine,
    tokenizer,
    task,
    async dispose() {
      trainer.dispose();
      await engine.dispose();
      policy.dispose();
    },
  };
}
