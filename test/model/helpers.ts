import { makeRng } from '../../src/util/rng.ts';
import { expectedWeightShapes, parseModelConfig, type ModelConfig, type NamedTensors } from '../../src/model/config.ts';

export const rng = (seed: number): (() => number) => makeRng(seed).next;

/** Random weights large enough that gradients are far from zero (std `scale`, norms ≈ 1 ± 0.3). */
export function randomNamed(c: ModelConfig, seed: number, scale = 0.3): NamedTensors {
  const r = rng(seed);
  const out: NamedTensors = new Map();
  for (const [name, shape] of expectedWeightShapes(c)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const u = (r() - 0.5) * 2 * Math.sqrt(3); // unit variance
      data[i] = name.endsWith('norm.weight') ? 1 + 0.3 * u : name.endsWith('.bias') ? 0.2 * u : scale * u;
    }
    out.set(name, { shape, data });
  }
  return out;
}

export const tinyQwen2 = (tie: boolean): ModelConfig =>
  parseModelConfig({ arch: 'qwen2', vocabSize: 13, hiddenSize: 16, numLayers: 2, numHeads: 4, numKvHeads: 2, ffnSize: 24, eosTokenId: 0, tieEmbeddings: tie, ropeTheta: 10000, rmsNormEps: 1e-6 });

export const tinyLlama = (tie: boolean): ModelConfig =>
  parseModelConfig({ arch: 'llama', vocabSize: 11, hiddenSize: 8, numLayers: 1, numHeads: 2, numKvHeads: 2, ffnSize: 12, eosTokenId: 1, tieEmbeddings: tie, ropeTheta: 500, rmsNormEps: 1e-5 });

/** Qwen3: q/k head norms, GQA 4/2, head_dim 6 ≠ hidden/heads (16/4). */
export const tinyQwen3 = (tie: boolean): ModelConfig =>
  parseModelConfig({ arch: 'qwen3', vocabSize: 13, hiddenSize: 16, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 6, ffnSize: 24, eosTokenId: 0, tieEmbeddings: tie, ropeTheta: 1e6, rmsNormEps: 1e-6 });
