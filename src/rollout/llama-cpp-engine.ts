/**
 * LlamaCppEngine: rollouts with node-llama-cpp 3.22 from a GGUF that brevity
 * writes from the current policy weights (see docs/engine.md, "Measured engine facts").
 *
 * - Tokenization is ours: prompts are passed as ids, text is our decode.
 * - Lock-step batching: every live sequence issues exactly one
 *   `controlledEvaluate` per step, synchronously, so node-llama-cpp packs them
 *   into one llama.cpp batch. A finished slot is refilled with the next pending
 *   sample at the next step (its prompt joins that batch).
 * - Sampling is true policy sampling: topK 0, topP 1 (unless asked), minP 0
 *   always; the sampler seed of sample j at step t is
 *   `stepSeed(sampleSeed(request.seed, j), t)` (llama.cpp's default would be
 *   the current second).
 * - Exact mode (default): F32 KV cache and flash attention off; logits then
 *   match the tfjs forward to ~1e-6 (F16 KV gives ~3e-3).
 * - Weight refresh: when the tensor layout is unchanged and the model runs on
 *   the CPU from an mmapped file, rewrite the tensor bytes of that same file in
 *   place (~ms; the mapping sees them). Otherwise (GPU offload copies weights to
 *   VRAM; layout changed) write a new file and reload (~30 ms–0.5 s). Never
 *   while decoding: `updateWeights` waits for `generate` to finish, and every
 *   sample starts from a cleared sequence.
 * - CUDA: `gpu: 'auto'` lets node-llama-cpp pick its prebuilt CUDA/Vulkan
 *   binary when a GPU is present and offloads all layers; refresh then always
 *   reloads. (Untested here: the build machine has no GPU.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel } from 'node-llama-cpp';
import type { ModelConfig, NamedTensors } from '../model/config.ts';
import { rewriteGgufTensors, vocabFromTokenizer, writeGguf, type GgufLayout } from '../model/gguf.ts';
import type { Tokenizer } from '../model/tokenizer.ts';
import { sampleSeed, stepSeed } from './sampling.ts';
import type { GenerateOptions, GenerateRequest, RolloutEngine, Sample } from './types.ts';
import { checkRequests, finishSample, type SampleState } from './requests.ts';

export const LlamaCppOptionsSchema = z.strictObject({
  /** f32 for exact log-probs; q8_0 is ~2.4× faster on the M model (docs/engine.md). */
  dtype: z.enum(['f32', 'f16', 'q8_0']).default('f32'),
  /** F32 KV cache + no flash attention (needed when the trainer uses rollout log-probs). */
  exact: z.boolean().default(true),
  /** Parallel sequences per context: 64 keeps batches large without huge KV caches. */
  sequencesPerContext: z.number().int().positive().default(64),
  /** Independent contexts decoding concurrently (each on its own threads). */
  contexts: z.number().int().positive().default(1),
  /**
   * Threads per context. 'auto': 1 on ≤ 2 cores (2 threads stall in barriers
   * for small batches there, docs/engine.md), else cores / contexts.
   */
  threads: z.union([z.literal('auto'), z.number().int().positive()]).default('auto'),
  /** 'off' = CPU build; 'auto' = CUDA/Vulkan prebuilt when a GPU is present. */
  gpu: z.enum(['off', 'auto']).default('off'),
  /** Directory for the GGUF file (default: a fresh temp dir, removed on dispose). */
  dir: z.string().optional(),
});
export type LlamaCppOptions = z.input<typeof LlamaCppOptionsSchema>;

export type EngineTokenizer = Pick<Tokenizer, 'vocabSize' | 'eosTokenId' | 'bosTokenId' | 'decode' | 'tokenString' | 'specialTokenIds'>;

let llamaCache: Partial<Record<'off' | 'auto', Promise<Llama>>> = {};
async function loadLlama(gpu: 'off' | 'auto'): Promise<Llama> {
  llamaCache[gpu] ??= import('node-llama-cpp').then(({ getLlama, LlamaLogLevel }) =>
    getLlama({ gpu: gpu === 'off' ? false : 'auto', build: 'never', logLevel: LlamaLogLevel.error, maxThreads: 0 }),
  );
  return llamaCache[gpu]!;
}

interface Ctx {
  context: LlamaContext;
  seqs: LlamaContextSequence[];
}

export class LlamaCppEngine implements RolloutEngine {
  readonly name = 'llama-cpp';
  private model: LlamaModel | null = null;
  private ctxs: Ctx[] = [];
  private ctxSize = 0;
  private layout: GgufLayout | null = null;
  private busy: Promise<unknown> = Promise.resolve();
  private fileIndex = 0;

  private constructor(
    private readonly llama: Llama,
    private config: ModelConfig,
    private readonly tokenizer: EngineTokenizer,
    readonly options: z.infer<typeof LlamaCppOptionsSchema>,
    private readonly dir: string,
    private readonly ownsDir: boolean,
  ) {}

  static async create(config: ModelConfig, weights: NamedTensors, tokenizer: EngineTokenizer, options: LlamaCppOptions = {}): Promise<LlamaCppEngine> {
    const opts = LlamaCppOptionsSchema.parse(options);
    const llama = await loadLlama(opts.gpu);
    const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'brevity-gguf-')));
    const engine = new LlamaCppEngine(llama, config, tokenizer, opts, dir, opts.dir === undefined);
    await engine.load(weights);
    return engine;
  }

  /** Resolved threads per context. */
  get threads(): number {
    const t = this.options.threads;
    if (t !== 'auto') return t;
    const cores = availableParallelism();
    return cores <= 2 ? 1 : Math.max(1, Math.floor(cores / this.options.contexts));
  }

  /**
   * True when the model runs from the mmapped file on the CPU, so rewriting the
   * file swaps the weights. (GPU offload and CPU weight repacking copy the
   * data out; the first in-place refresh is verified against a fresh load.)
   */
  get inPlaceCapable(): boolean {
    return this.model !== null && this.model.gpuLayers === 0 && this.model.useMmap && this.inPlaceWorks !== false;
  }

  /** null = not verified yet; false = the mapping is not what llama.cpp computes with. */
  private inPlaceWorks: boolean | null = null;

  /** Logits of a fixed short sequence on `model` (own tiny context). */
  private async probe(model: LlamaModel): Promise<Float32Array> {
    const ctx = await model.createContext({ contextSize: 16, sequences: 1, threads: 1, flashAttention: false,
      experimentalKvCacheKeyType: 'F32', experimentalKvCacheValueType: 'F32' });
    try {
      const V = this.config.vocabSize;
      const rows = await evaluateLogits(ctx.getSequence(), [1 % V, 2 % V, 3 % V], V);
      const flat = new Float32Array(V * rows.length);
      rows.forEach((r, i) => flat.set(r, i * V));
      return flat;
    } finally {
      await ctx.dispose();
    }
  }

  private path(): string {
    return join(this.dir, `policy-${this.fileIndex}.gguf`);
  }

  private async load(weights: NamedTensors): Promise<void> {
    await this.disposeModel();
    this.fileIndex++;
    this.layout = await writeGguf(this.path(), this.config, weights, vocabFromTokenizer(this.tokenizer, this.config.vocabSize), this.options.dtype);
    this.model = await this.llama.loadModel({
      modelPath: this.path(),
      gpuLayers: this.options.gpu === 'off' ? 0 : 'max',
      useMmap: true,
    });
  }

  /**
   * Swap in new weights (same config ⇒ in-place rewrite when possible).
   * Returns how it was done and the wall time in ms.
   */
  async updateWeights(weights: NamedTensors, config: ModelConfig = this.config): Promise<{ mode: 'in-place' | 'reload'; ms: number }> {
    return this.exclusive(async () => {
      const t0 = performance.now();
      const sameLayout = JSON.stringify(config) === JSON.stringify(this.config) && this.layout !== null;
      if (sameLayout && this.inPlaceCapable) {
        await rewriteGgufTensors(this.path(), this.layout!, config, weights, this.options.dtype);
        for (const c of this.ctxs) await Promise.all(c.seqs.map((s) => s.clearHistory()));
        if (this.inPlaceWorks === null) {
          // Once per engine: compare with a fresh load of the rewritten file.
          const fresh = await this.llama.loadModel({ modelPath: this.path(), gpuLayers: 0, useMmap: true });
          const [a, b] = [await this.probe(this.model!), await this.probe(fresh)];
          this.inPlaceWorks = a.every((v, i) => Math.abs(v - b[i]) <= 1e-5);
          if (!this.inPlaceWorks) {
            await this.disposeModel();
            this.model = fresh; // already holds the new weights
            return { mode: 'reload' as const, ms: performance.now() - t0 };
          }
          await fresh.dispose();
        }
        return { mode: 'in-place' as const, ms: performance.now() - t0 };
      }
      const old = this.path();
      this.config = config;
      await this.load(weights);
      await rm(old, { force: true });
      return { mode: 'reload' as const, ms: performance.now() - t0 };
    });
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.busy.then(fn, fn);
    this.busy = run.catch(() => undefined);
    return run;
  }

  /** (Re)create contexts when the batch needs longer sequences or more slots. */
  private async ensureContexts(perSeqTokens: number, samples: number): Promise<void> {
    const want = Math.min(this.options.sequencesPerContext, Math.ceil(samples / this.options.contexts));
    const have = this.ctxs[0]?.seqs.length ?? 0;
    if (this.ctxs.length > 0 && this.ctxSize >= perSeqTokens && have >= want) return;
    await this.disposeContexts();
    // Round the length up so small variations in budgets do not recreate contexts.
    const size = Math.ceil(Math.max(perSeqTokens, this.ctxSize) / 256) * 256;
    const seqs = Math.max(want, have);
    const exact = this.options.exact;
    for (let c = 0; c < this.options.contexts; c++) {
      const context = await this.model!.createContext({
        contextSize: size,
        sequences: seqs,
        threads: this.threads,
        batchSize: Math.max(512, seqs),
        flashAttention: !exact ? 'auto' : false,
        ...(exact ? { experimentalKvCacheKeyType: 'F32', experimentalKvCacheValueType: 'F32' } : {}),
      });
      this.ctxs.push({ context, seqs: Array.from({ length: seqs }, () => context.getSequence()) });
    }
    this.ctxSize = size;
  }

  generate(requests: GenerateRequest[], opts: GenerateOptions): Promise<Sample[][]> {
    return this.exclusive(() => this.generateNow(requests, opts));
  }

  private async generateNow(requests: GenerateRequest[], opts: GenerateOptions): Promise<Sample[][]> {
    checkRequests(requests, this.config.vocabSize);
    const stop = new Set([...(opts.ignoreEos ? [] : [this.config.eosTokenId]), ...(opts.stopTokenIds ?? [])]);
    const pending: SampleState[] = [];
    const results: Sample[][] = requests.map((r) => new Array(r.n));
    requests.forEach((r, i) => {
      for (let j = 0; j < r.n; j++) {
        const s: SampleState = { req: i, j, seed: sampleSeed(r.seed, j), tokens: [], logprobs: [], maxTokens: r.maxTokens, prompt: r.promptIds };
        if (r.maxTokens === 0) results[i][j] = finishSample(s, 'length', this.tokenizer, opts);
        else pending.push(s);
      }
    });
    if (pending.length === 0) return results;
    const perSeq = Math.max(...pending.map((s) => s.prompt.length + s.maxTokens)) + 1;
    await this.ensureContexts(perSeq, pending.length);
    // Deal samples to contexts round-robin; each context decodes its share in lock-step.
    const shares: SampleState[][] = this.ctxs.map(() => []);
    pending.forEach((s, k) => shares[k % shares.length].push(s));
    await Promise.all(this.ctxs.map((c, k) => this.decode(c, shares[k], stop, opts, results)));
    return results;
  }

  private async decode(c: Ctx, queue: SampleState[], stop: Set<number>, opts: GenerateOptions, results: Sample[][]): Promise<void> {
    const slots: (SampleState | null)[] = c.seqs.map(() => null);
    let next = 0;
    const temperature = opts.temperature;
    const topP = opts.topP ?? 1;
    for (;;) {
      // Refill free slots (clear their KV history first: no prefix reuse across samples).
      const fresh: number[] = [];
      for (let k = 0; k < slots.length; k++) if (slots[k] === null && next < queue.length) { slots[k] = queue[next++]; fresh.push(k); }
      await Promise.all(fresh.map((k) => c.seqs[k].clearHistory()));
      const live = slots.flatMap((s, k) => (s ? [k] : []));
      if (live.length === 0) return;
      // One controlledEvaluate per live sequence, issued synchronously ⇒ one llama.cpp batch.
      const evals = live.map((k) => {
        const s = slots[k]!;
        const gen = {
          generateNext: {
            token: true,
            confidence: opts.logprobs === true,
            options: { temperature, topK: 0, topP, minP: 0, seed: stepSeed(s.seed, s.tokens.length) },
          },
        };
        const ids = s.tokens.length === 0 ? s.prompt : [s.tokens[s.tokens.length - 1]];
        const input = ids.map((t, i) => (i === ids.length - 1 ? ([t, gen] as const) : t));
        return c.seqs[k].controlledEvaluate(input as Parameters<LlamaContextSequence['controlledEvaluate']>[0]);
      });
      const outs = await Promise.all(evals);
      live.forEach((k, i) => {
        const s = slots[k]!;
        const out = outs[i][outs[i].length - 1];
        const tok = out?.next.token;
        if (tok === undefined || tok === null) throw new Error(`llama.cpp returned no token for request ${s.req} sample ${s.j}`);
        s.tokens.push(tok);
        // confidence = p(token) after llama.cpp's chain (top-p cut, then temperature, renormalised over
        // the kept candidates): the probability under the distribution actually sampled (types.ts).
        if (opts.logprobs) s.logprobs.push(Math.log(out!.next.confidence ?? NaN));
        const done = stop.has(tok) ? 'stop' : s.tokens.length >= s.maxTokens ? 'length' : null;
        if (done) {
          results[s.req][s.j] = finishSample(s, done, this.tokenizer, opts);
          slots[k] = null;
        }
      });
    }
  }

  /** Exact-mode logits at every position of `tokens` (tests and diagnostics). */
  async logits(tokens: number[]): Promise<Float32Array[]> {
    return this.exclusive(async () => {
      await this.ensureContexts(tokens.length + 1, 1);
      const seq = this.ctxs[0].seqs[0];
      await seq.clearHistory();
      const rows = await evaluateLogits(seq, tokens, this.config.vocabSize);
      await seq.clearHistory();
      return rows;
    });
  }

  private async disposeContexts(): Promise<void> {
    for (const c of this.ctxs) await c.context.dispose();
    this.ctxs = [];
    this.ctxSize = 0;
  }

  private async disposeModel(): Promise<void> {
    await this.disposeContexts();
    if (this.model) await this.model.dispose();
    this.model = null;
  }

  async dispose(): Promise<void> {
    await this.exclusive(async () => {
      await this.disposeModel();
      if (this.ownsDir) await rm(this.dir, { recursive: true, force: true });
    });
  }
}

/** Release the shared llama.cpp runtime (call once at process end; engines must be disposed first). */
export async function disposeLlamaRuntime(): Promise<void> {
  const all = Object.values(llamaCache);
  llamaCache = {};
  for (const p of all) await (await p).dispose();
}

/** Evaluate `tokens` on a sequence and return the logits after each one ([T][V], dense). */
async function evaluateLogits(seq: LlamaContextSequence, tokens: number[], vocabSize: number): Promise<Float32Array[]> {
  const input = tokens.map((t) => [t, { generateNext: { logits: true } }] as [number, { generateNext: { logits: true } }]);
  const out = await seq.controlledEvaluate(input as unknown as Parameters<LlamaContextSequence['controlledEvaluate']>[0]);
  return out.map((o) => {
    const row = new Float32Array(vocabSize);
    for (const [id, v] of o!.next.logits!) row[id] = v;
    return row;
  });
}
