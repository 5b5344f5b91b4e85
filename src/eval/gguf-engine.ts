/**
 * Evaluate an arbitrary GGUF file (`brevity eval model.gguf`) with
 * node-llama-cpp: the model's own tokenizer (from the GGUF) and a
 * RolloutEngine that samples each request's n sequences over a pool of
 * context sequences (llama.cpp batches concurrent sequences of one context).
 * Sampling follows docs/engine.md: topK 0, topP as asked, minP 0 and an explicit
 * seed per sample (never llama.cpp's default "current second").
 *
 * This is for external models; brevity's own checkpoints go through the
 * rollout module's LlamaCppEngine (lock-step batching, weight refresh).
 */
import { existsSync } from 'node:fs';
import type { Tokenizer } from '../model/tokenizer.ts';
import { sampleSeed } from '../rollout/sampling.ts';
import type { GenerateOptions, GenerateRequest, RolloutEngine, Sample } from '../rollout/types.ts';

export interface GgufOptions {
  /** Concurrent sequences (one context); 8 keeps small models' batches busy on 2 cores. */
  sequences?: number;
  /** 'auto' offloads to a GPU when node-llama-cpp has a prebuilt backend for it. */
  gpu?: 'off' | 'auto';
  /** Context length per sequence (prompt + budget + forced answer). */
  contextSize?: number;
  /** Use this tokenizer instead of the GGUF's own (e.g. brevity's built-in one for GGUFs brevity exported). */
  tokenizer?: Tokenizer;
}

export async function openGguf(path: string, o: GgufOptions = {}): Promise<{ engine: RolloutEngine; tokenizer: Tokenizer }> {
  if (!existsSync(path)) throw new Error(`eval ${path}: file not found`);
  const { getLlama, LlamaLogLevel } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: o.gpu === 'auto' ? 'auto' : false, build: 'never', logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath: path, gpuLayers: o.gpu === 'auto' ? 'auto' : 0 });
  const nSeq = o.sequences ?? 8;
  const context = await model.createContext({ sequences: nSeq, contextSize: o.contextSize ?? 4096, threads: 1 });
  const eos = model.tokens.eos;
  const vocab = (model.fileInfo.metadata as unknown as { tokenizer?: { ggml?: { tokens?: unknown[] } } }).tokenizer?.ggml?.tokens?.length ?? 0;
  const tokenizer: Tokenizer = o.tokenizer ?? {
    vocabSize: vocab,
    eosTokenId: eos ?? -1,
    encode: (text) => model.tokenize(text, false) as number[],
    decode: (ids) => model.detokenize(ids as never[]),
    tokenString: (id) => model.detokenize([id as never]),
  };
  const sequences = Array.from({ length: nSeq }, () => context.getSequence());

  async function sampleOne(seq: (typeof sequences)[number], req: GenerateRequest, j: number, opts: GenerateOptions): Promise<Sample> {
    await seq.clearHistory();
    const tokens: number[] = [];
    let finish: Sample['finish'] = 'length';
    const stops = new Set([...(opts.stopTokenIds ?? []), ...(eos === null ? [] : [eos as number])]);
    if (req.maxTokens > 0) {
      const gen = seq.evaluate(req.promptIds as never[], { temperature: opts.temperature, topK: 0, topP: opts.topP ?? 1, minP: 0, seed: sampleSeed(req.seed, j) });
      let capped = false;
      for await (const t of gen) {
        if (stops.has(t as number)) break;
        tokens.push(t as number);
        if (tokens.length >= req.maxTokens) {
          capped = true;
          break;
        }
      }
      // a stop token, or the generator ending by itself (llama.cpp stops at end-of-generation tokens)
      if (!capped) finish = 'stop';
    }
    return { tokens, text: tokenizer.decode(tokens), finish };
  }

  const engine: RolloutEngine = {
    name: `gguf:${path}`,
    async generate(requests, opts) {
      const out: Sample[][] = requests.map((r) => new Array<Sample>(r.n));
      const jobs = requests.flatMap((r, i) => Array.from({ length: r.n }, (_, j) => [i, j] as const));
      let next = 0;
      await Promise.all(
        sequences.map(async (seq) => {
          while (next < jobs.length) {
            const [i, j] = jobs[next++];
            out[i][j] = await sampleOne(seq, requests[i], j, opts);
          }
        }),
      );
      return out;
    },
    async dispose() {
      await context.dispose();
      await model.dispose();
    },
  };
  return { engine, tokenizer };
}
