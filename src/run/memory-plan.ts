/**
 * The training-memory estimate of a recipe (src/model/memory.ts) from the
 * model's config.json alone: `brevity train` checks it before loading any
 * weights, `brevity doctor --model DIR --recipe R` prints it.
 *
 * Sequence length = prompt tokens + rollout.maxTokens. Prompt tokens are not
 * known before tokenizing the task, so a typical size is assumed: 32 for the
 * built-in task ("Q: …=?\n"), 256 for JSONL tasks (a GSM8K/MATH question in a
 * chat template with its instruction is ~100–250 Qwen tokens).
 */
import { readCheckpointConfig } from '../model/checkpoint.ts';
import type { ModelConfig } from '../model/config.ts';
import { microBatchSize } from '../model/decoder.ts';
import { checkTrainingFits, estimateTrainingMemory, type TrainingMemory } from '../model/memory.ts';
import type { Recipe } from '../recipe/index.ts';
import { lossEntry } from '../train/losses.ts';

export const assumedPromptTokens = (recipe: Recipe): number => (recipe.task.type === 'arith' ? 32 : 256);

export function planTrainingMemory(recipe: Recipe, config: ModelConfig): TrainingMemory {
  const seqLen = assumedPromptTokens(recipe) + recipe.rollout.maxTokens;
  const rows = Math.max(1, Math.ceil((recipe.rollout.n * recipe.train.promptsPerStep) / (recipe.train.minibatches ?? 1)));
  const microBatch = recipe.train.microBatchSize ?? microBatchSize(rows, seqLen, config);
  return estimateTrainingMemory(config, { seqLen, microBatch, reference: lossEntry(recipe.loss).needsReference(recipe.loss as never) });
}

/** Fail before loading when the recipe's model cannot be trained on `backend` (MemoryBudgetError with the estimate and the fix). */
export function checkRecipeMemory(recipe: Recipe, backend: string): TrainingMemory {
  const config = readCheckpointConfig(recipe.model.checkpoint);
  const m = planTrainingMemory(recipe, config);
  checkTrainingFits(config, m, backend, recipe.model.checkpoint);
  return m;
}
