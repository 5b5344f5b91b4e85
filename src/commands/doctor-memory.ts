/**
 * `brevity doctor --model DIR --recipe R`: the training-memory estimate of a
 * model under a recipe (src/model/memory.ts), from config.json alone, and
 * whether the active backend can hold it.
 */
import { totalmem } from 'node:os';
import { readCheckpointConfig } from '../model/checkpoint.ts';
import { estimateTrainingMemory, formatTrainingMemory, maxTrainableParams, WASM_HEAP_BYTES, type TrainingMemory } from '../model/memory.ts';
import { loadBrevityRecipe } from '../recipe/index.ts';
import { planTrainingMemory } from '../run/memory-plan.ts';

const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;

/** Lines of the report; `fits` is false when the backend cannot train it. */
export function memoryReport(o: { model?: string; recipe?: string; backend: string }): { lines: string[]; fits: boolean; estimate: TrainingMemory } {
  const recipe = o.recipe ? loadBrevityRecipe(o.recipe, { set: o.model ? [`model.checkpoint=${o.model}`] : [] }).recipe : undefined;
  const dir = o.model ?? recipe!.model.checkpoint;
  const config = readCheckpointConfig(dir);
  // Without a recipe: one sequence of 512 tokens, no reference copy.
  const m = recipe ? planTrainingMemory(recipe, config) : estimateTrainingMemory(config, { seqLen: 512, microBatch: 1 });
  const lines = [`training memory of ${dir}${o.recipe ? ` under ${o.recipe}` : ' (no recipe: 1 × 512 tokens)'}:`, ...formatTrainingMemory(m).map((l) => `  ${l}`)];
  let fits = true;
  if (o.backend === 'wasm') {
    fits = m.total <= WASM_HEAP_BYTES;
    const cap = maxTrainableParams(config, WASM_HEAP_BYTES, m.seqLen, m.reference > 0);
    lines.push(`backend wasm: heap capped at 4 GiB → ${fits ? 'fits' : 'DOES NOT FIT'}; largest trainable model here ≈ ${(cap / 1e6).toFixed(0)}M parameters at ${m.seqLen} tokens`);
    if (!fits) lines.push('  fix: npm install @tensorflow/tfjs-node-gpu (CUDA) or @tensorflow/tfjs-node; or a smaller model; or lower rollout.maxTokens / train.microBatchSize');
  } else if (o.backend === 'tfjs-node-gpu') {
    lines.push(`backend tfjs-node-gpu: needs ≈ ${gib(m.total)} of GPU memory (not checked here)`);
  } else {
    fits = m.total <= totalmem();
    lines.push(`backend ${o.backend}: needs ≈ ${gib(m.total)} of ${gib(totalmem())} host memory → ${fits ? 'fits' : 'DOES NOT FIT'}`);
  }
  return { lines, fits, estimate: m };
}
