/**
 * Memory honesty: how much memory training a model takes, and whether the
 * backend can hold it — computed from config.json alone, before any weight
 * is loaded.
 *
 *   total = weights (4P) + gradients (4P) + AdamW moments m, v (8P)
 *         + reference copy (4P, only when the loss has a KL term)
 *         + activations of one micro-batch (activationBytesPerSequence × micro)
 *
 * P = parameters (tied embeddings once), all f32. The wasm backend's heap is
 * a 32-bit address space: 4 GiB whatever the machine has. tfjs-node and
 * tfjs-node-gpu have no fixed cap (host RAM / GPU memory), so the estimate
 * is reported and not enforced there.
 */
import { countParams, headDimOf, type ModelConfig } from './config.ts';

/** The wasm heap cap (wasm32: 2³² bytes). */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;
/** Default activation budget per micro-batch (trainer's microBatchSize; leaves room under the wasm cap). */
export const ACTIVATION_BUDGET_BYTES = 1.5 * 2 ** 30;

/**
 * Bytes of activations saved for backward plus their gradients for one
 * sequence of T tokens. Calibrated on M (d 256, 6 layers, 8 heads, T 256):
 * measured ≈ 250 MB per sequence, estimate 257 MB.
 */
export function activationBytesPerSequence(T: number, config: ModelConfig): number {
  const D = config.hiddenSize;
  const F = config.ffnSize;
  const H = config.numHeads;
  const hd = headDimOf(config);
  const qD = H * hd;
  const kvD = config.numKvHeads * hd;
  // f32 values per sequence per layer: norms/residuals (≈6·D), q/k/v and their
  // RoPE'd / transposed copies (≈3·(qD + 2·kvD)), attention scores, masked
  // scores, probabilities and their gradients (≈5·H·T), MLP (≈4·F).
  const perLayer = T * (6 * D + 3 * (qD + 2 * kvD) + 5 * H * T + 4 * F);
  const head = T * 5 * config.vocabSize; // logits, log-softmax, one-hot, products
  // ×2: gradients of the same size alive during backward; ×1.15 measured slack.
  return 1.15 * 2 * 4 * (config.numLayers * perLayer + head);
}

export interface TrainingMemoryOptions {
  /** Tokens per training sequence (prompt + completion cap). */
  seqLen: number;
  /** Sequences per micro-batch (the recipe's train.microBatchSize, else what the trainer would pick). */
  microBatch: number;
  /** A frozen reference copy is kept (KL coefficient > 0). */
  reference?: boolean;
}

export interface TrainingMemory {
  params: number;
  weights: number;
  gradients: number;
  adam: number;
  reference: number;
  activations: number;
  total: number;
  seqLen: number;
  microBatch: number;
}

export function estimateTrainingMemory(config: ModelConfig, o: TrainingMemoryOptions): TrainingMemory {
  const params = countParams(config);
  const weights = 4 * params;
  const m: TrainingMemory = {
    params,
    weights,
    gradients: weights,
    adam: 2 * weights,
    reference: o.reference ? weights : 0,
    activations: o.microBatch * activationBytesPerSequence(o.seqLen, config),
    total: 0,
    seqLen: o.seqLen,
    microBatch: o.microBatch,
  };
  m.total = m.weights + m.gradients + m.adam + m.reference + m.activations;
  return m;
}

/**
 * The largest model (parameters) whose training state fits `capBytes` next to
 * the activations of one sequence of `seqLen` tokens of `config`'s shape
 * (16 bytes per parameter, 20 with a reference copy).
 */
export function maxTrainableParams(config: ModelConfig, capBytes: number, seqLen: number, reference = false): number {
  const free = capBytes - activationBytesPerSequence(seqLen, config);
  return Math.max(0, Math.floor(free / (reference ? 20 : 16)));
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
const mParams = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)}B` : `${(n / 1e6).toFixed(1)}M`);

/** Lines describing an estimate (doctor, error messages). */
export function formatTrainingMemory(m: TrainingMemory): string[] {
  return [
    `parameters     ${mParams(m.params)} (f32)`,
    `weights        ${gib(m.weights)}`,
    `gradients      ${gib(m.gradients)}`,
    `AdamW moments  ${gib(m.adam)}`,
    ...(m.reference ? [`reference      ${gib(m.reference)} (KL term)`] : []),
    `activations    ${gib(m.activations)} (micro-batch ${m.microBatch} × ${m.seqLen} tokens)`,
    `total          ${gib(m.total)}`,
  ];
}

export class MemoryBudgetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MemoryBudgetError';
  }
}

/**
 * Throw before loading when training cannot fit the backend: on wasm, when
 * the estimate exceeds the 4 GiB heap. The message gives the estimate, the
 * largest model that would fit, and the fixes.
 */
export function checkTrainingFits(config: ModelConfig, m: TrainingMemory, backend: string, where = 'model'): void {
  if (backend !== 'wasm' || m.total <= WASM_HEAP_BYTES) return;
  const fit = maxTrainableParams(config, WASM_HEAP_BYTES, m.seqLen, m.reference > 0);
  const perSeq = activationBytesPerSequence(m.seqLen, config);
  throw new MemoryBudgetError(
    [
      `${where}: training needs ≈ ${gib(m.total)} but the wasm backend caps memory at 4 GiB:`,
      ...formatTrainingMemory(m).map((l) => `  ${l}`),
      fit > 0
        ? `On wasm, models up to ≈ ${mParams(fit)} parameters fit at ${m.seqLen} tokens per sequence.`
        : `On wasm, one ${m.seqLen}-token sequence's activations alone take ≈ ${gib(perSeq)} at this shape (vocabulary ${config.vocabSize}): no model of this shape fits.`,
      'Fix: install a native backend (npm install @tensorflow/tfjs-node-gpu on a CUDA machine, or @tensorflow/tfjs-node) and set model.backend,',
      '  or use a smaller model, or shorten sequences (rollout.maxTokens) / set train.microBatchSize: 1.',
    ].join('\n'),
  );
}
