/**
 * Rollout throughput: total generated tokens/s for the llama.cpp engine (f32
 * and q8_0) and the tfjs sampler on the S and M random-weight models, at 1,
 * 64 and 256 concurrent sequences of ~200 tokens each, plus weight-refresh
 * time, in one run.
 *
 *   npm run bench:rollout                      # everything
 *   npm run bench:rollout -- --tokens 50 --models S --engines llama-f32,tfjs
 *
 * Sequences run to exactly `--tokens` (ignoreEos) so every cell does the
 * same work; prompts are 8 tokens. Temperature 1, full-softmax sampling.
 * Refresh is printed as "first/second" ms: the first llama.cpp in-place refresh
 * also verifies the mapping against a fresh load (once per engine).
 * docs/engine.md reference (2 vCPUs, unloaded): S ~2.5k tok/s at 128 sequences;
 * M ~400 tok/s f32, ~950 tok/s q8_0.
 */
import { parseArgs } from 'node:util';
import { initEngine } from '../src/engine/index.ts';
import { ModelConfigSchema, type ModelConfig } from '../src/model/config.ts';
import { initPolicy, policyToNamed } from '../src/model/decoder.ts';
import { disposeLlamaRuntime, LlamaCppEngine } from '../src/rollout/llama-cpp-engine.ts';
import { TfjsEngine } from '../src/rollout/tfjs-engine.ts';
import type { GenerateRequest, RolloutEngine } from '../src/rollout/types.ts';

const { values: args } = parseArgs({
  options: {
    tokens: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '1,64,256' },
    models: { type: 'string', default: 'S,M' },
    engines: { type: 'string', default: 'llama-f32,llama-q8_0,tfjs' },
    contexts: { type: 'string', default: '1' },
    threads: { type: 'string', default: 'auto' },
  },
});

const base = { arch: 'qwen2', vocabSize: 64, eosTokenId: 0, maxPositions: 512, numKvHeads: undefined as number | undefined };
const MODELS: Record<string, ModelConfig> = {
  S: ModelConfigSchema.parse({ ...base, hiddenSize: 128, numLayers: 4, numHeads: 4, numKvHeads: 4, ffnSize: 512 }),
  M: ModelConfigSchema.parse({ ...base, hiddenSize: 256, numLayers: 6, numHeads: 8, numKvHeads: 8, ffnSize: 1024 }),
};
const vocabTokens = Array.from({ length: 64 }, (_, i) => (i === 0 ? '<|eos|>' : `t${i}`));
const tokenizer = {
  vocabSize: 64,
  eosTokenId: 0,
  decode: (ids: readonly number[]) => ids.map((i) => vocabTokens[i]).join(' '),
  tokenString: (id: number) => vocabTokens[id],
};

const tokens = Number(args.tokens);
const concs = args.concurrency!.split(',').map(Number);
const params = (c: ModelConfig) => {
  const D = c.hiddenSize;
  return c.vocabSize * D + c.numLayers * (4 * D * D + 3 * D * c.ffnSize + 2 * D + 3 * D) + D;
};

async function run(engine: RolloutEngine, conc: number): Promise<{ tps: number; s: number }> {
  const reqs: GenerateRequest[] = Array.from({ length: conc }, (_, i) => ({
    promptIds: [1 + (i % 60), 2, 3, 4, 5, 6, 7, 8],
    n: 1,
    maxTokens: tokens,
    seed: i,
  }));
  const t0 = performance.now();
  const out = await engine.generate(reqs, { temperature: 1, ignoreEos: true });
  const s = (performance.now() - t0) / 1000;
  const n = out.flat().reduce((a, x) => a + x.tokens.length, 0);
  return { tps: n / s, s };
}

await initEngine();
const rows: string[] = [];
const line = (s: string) => {
  rows.push(s);
  console.log(s);
};
line(`rollout bench: ${tokens} tokens/sequence, prompt 8, T=1; llama.cpp threads/context ${args.threads}, contexts ${args.contexts}`);
line(`model  params  engine      ${concs.map((c) => `conc ${String(c).padStart(3)}`.padStart(14)).join('')}   refresh`);
for (const m of args.models!.split(',')) {
  const cfg = MODELS[m];
  const policy = initPolicy(cfg, 1);
  const weights = policyToNamed(policy);
  const weights2 = policyToNamed(initPolicy(cfg, 2));
  for (const kind of args.engines!.split(',')) {
    let engine: RolloutEngine;
    if (kind === 'tfjs') engine = await TfjsEngine.create(policy, tokenizer, { batchSize: 256 });
    else {
      const dtype = kind === 'llama-q8_0' ? 'q8_0' : 'f32';
      engine = await LlamaCppEngine.create(cfg, weights, tokenizer, {
        dtype,
        exact: dtype === 'f32',
        sequencesPerContext: Math.max(...concs),
        contexts: Number(args.contexts),
        threads: args.threads === 'auto' ? 'auto' : Number(args.threads),
      });
    }
    await run(engine, Math.min(4, concs[0])); // warm-up (context creation, kernel setup)
    const cells: string[] = [];
    for (const c of concs) {
      const r = await run(engine, c);
      cells.push(`${r.tps.toFixed(0).padStart(6)} tok/s`.padStart(14));
    }
    const ref = await engine.updateWeights!(weights2);
    const ref2 = await engine.updateWeights!(weights);
    let refresh = `${ref.mode} ${ref.ms.toFixed(1)}/${ref2.ms.toFixed(1)} ms`;
    if (engine instanceof LlamaCppEngine) {
      // Reload cost for comparison (what a layout change costs).
      const t0 = performance.now();
      const e2 = await LlamaCppEngine.create(cfg, weights2, tokenizer, { dtype: engine.options.dtype });
      refresh += `; reload ${(performance.now() - t0).toFixed(0)} ms`;
      await e2.dispose();
    }
    line(`${m.padEnd(6)} ${(params(cfg) / 1e6).toFixed(2)}M  ${kind.padEnd(10)} ${cells.join('')}   ${refresh}`);
    await engine.dispose();
  }
  policy.dispose();
}
await disposeLlamaRuntime();
