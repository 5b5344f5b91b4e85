/**
 * OpenAICompatibleEngine: rollouts from a served model (vLLM, SGLang,
 * llama.cpp server, any OpenAI-compatible endpoint) through
 * `POST {baseUrl}/completions`.
 *
 * - Samples per request: with `samplesPerRequest: n` (default for vLLM and
 *   SGLang) one request asks for all n samples of a prompt with the prompt's
 *   seed — the server draws them from one seeded stream, so they differ and
 *   reproduce. With `one` (default for llama-server, which answers n > 1 with a
 *   single choice) each sample is its own request with its derived seed
 *   `sampleSeed(seed, j)`. A server that returns fewer choices than asked is
 *   noticed, reported once, and the rest is fetched one sample per request.
 * - Token ids and log-probs come from the server when it returns them (vLLM:
 *   `return_tokens_as_token_ids` + `logprobs`, or `token_ids`; llama-server:
 *   `return_tokens`/`n_probs`, `logprobs.content[].id/logprob`); otherwise the
 *   text is re-encoded with our tokenizer and no log-probs are attached.
 * - A server that ignores `max_tokens` is clipped to the budget client-side:
 *   tokens, log-probs and text cut at `maxTokens`, finish = `length`, counted
 *   in `stats.overBudget` and reported once.
 * - Every request has a connect timeout, a first-byte timeout and an overall
 *   deadline (http-request.ts), over a keep-alive pool of `concurrency` sockets.
 * - Retries with exponential backoff (base·2^attempt, or the server's
 *   Retry-After when larger) on 429, 5xx, 408, timeouts, connection errors and
 *   malformed bodies; other 4xx fail at once with the server's message.
 * - `weightSync` (SGLang/vLLM): `updateWeights` writes an HF checkpoint and has
 *   the server load it (weight-sync.ts), so a trainer can roll out on it.
 */
import type http from 'node:http';
import PQueue from 'p-queue';
import { z } from 'zod';
import type { NamedTensors } from '../model/config.ts';
import type { Tokenizer } from '../model/tokenizer.ts';
import { HttpTimeout, httpRequest, makeAgent } from './http-request.ts';
import { sampleSeed } from './sampling.ts';
import type { GenerateOptions, GenerateRequest, RolloutEngine, Sample } from './types.ts';
import { syncWeights, WeightSyncSchema } from './weight-sync.ts';

export const OpenAIEngineOptionsSchema = z.strictObject({
  /** API root, e.g. `http://127.0.0.1:8080/v1` (`/completions` is appended). */
  baseUrl: z.string().refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), {
    message: 'baseUrl must be an http(s) URL such as http://127.0.0.1:8080/v1',
  }),
  model: z.string().min(1),
  apiKey: z.string().optional(),
  /** Which server: picks the request fields that return token ids/log-probs, and the default samplesPerRequest. */
  server: z.enum(['generic', 'vllm', 'sglang', 'llama-server']).default('generic'),
  /** `n`: one request per prompt (n choices); `one`: one request per sample; `auto`: n for vllm/sglang. */
  samplesPerRequest: z.enum(['auto', 'n', 'one']).default('auto'),
  /** In-flight requests (and pooled keep-alive sockets): 8 keeps a single local server busy without queueing storms. */
  concurrency: z.number().int().positive().default(8),
  /** A new connection must be up within this: 10 s is far above any LAN/loopback connect. */
  connectTimeoutMs: z.number().int().positive().default(10_000),
  /** Response headers within this after the request was sent: long enough for a long prefill and queueing on a busy server. */
  firstByteTimeoutMs: z.number().int().positive().default(120_000),
  /** The whole exchange within this: a few thousand tokens × n on a slow server. */
  deadlineMs: z.number().int().positive().default(600_000),
  maxRetries: z.number().int().nonnegative().default(5),
  /** Backoff base (doubles per retry), capped at `maxBackoffMs`. */
  backoffMs: z.number().int().nonnegative().default(250),
  maxBackoffMs: z.number().int().positive().default(10_000),
  promptAs: z.enum(['ids', 'text']).default('text'),
  weightSync: WeightSyncSchema.optional(),
});
export type OpenAIEngineOptions = z.input<typeof OpenAIEngineOptionsSchema>;

const LogprobsSchema = z
  .object({
    token_logprobs: z.array(z.number().nullable()).optional(),
    tokens: z.array(z.string()).optional(),
    content: z.array(z.object({ id: z.number().int().optional(), logprob: z.number() })).optional(),
  })
  .nullable()
  .optional();
const ChoiceSchema = z.object({
  index: z.number().int().optional(),
  text: z.string(),
  finish_reason: z.string().nullable().optional(),
  logprobs: LogprobsSchema,
  token_ids: z.array(z.number().int()).nullable().optional(),
  tokens: z.array(z.number().int()).nullable().optional(),
});
type Choice = z.infer<typeof ChoiceSchema>;
const CompletionSchema = z.object({ choices: z.array(ChoiceSchema).min(1) });

/** An error that is worth retrying (transient server or network condition). */
class Transient extends Error {
  constructor(message: string, readonly retryAfterMs = 0) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Server token ids and sampled-token log-probs of a choice, where the server returned them. */
export function choiceTokens(c: Choice): { ids?: number[]; logprobs?: number[] } {
  const lp = c.logprobs ?? undefined;
  let ids: number[] | undefined = c.token_ids ?? c.tokens ?? undefined;
  if (!ids && lp?.tokens && lp.tokens.length > 0 && lp.tokens.every((t) => /^token_id:\d+$/.test(t))) ids = lp.tokens.map((t) => Number(t.slice(9)));
  if (!ids && lp?.content && lp.content.length > 0 && lp.content.every((x) => x.id !== undefined)) ids = lp.content.map((x) => x.id!);
  const logprobs = lp?.token_logprobs?.map((x) => x ?? NaN) ?? lp?.content?.map((x) => x.logprob);
  return { ...(ids ? { ids } : {}), ...(logprobs ? { logprobs } : {}) };
}

export class OpenAICompatibleEngine implements RolloutEngine {
  readonly name = 'openai';
  readonly options: z.infer<typeof OpenAIEngineOptionsSchema>;
  /** overBudget: samples the server returned past max_tokens (clipped); nIgnored: requests answered with fewer choices than n. */
  readonly stats = { requests: 0, overBudget: 0, nIgnored: 0, weightVersions: 0 };
  private readonly queue: PQueue;
  private readonly url: string;
  private readonly root: string;
  private readonly agent: http.Agent;
  private nHonoured: boolean;
  private readonly warned = new Set<string>();

  constructor(
    options: OpenAIEngineOptions,
    private readonly tokenizer: Pick<Tokenizer, 'encode' | 'decode' | 'eosTokenId'>,
    private readonly warn: (s: string) => void = (s) => process.stderr.write(`openai engine: ${s}\n`),
  ) {
    const parsed = OpenAIEngineOptionsSchema.safeParse(options);
    if (!parsed.success)
      throw new Error(`OpenAICompatibleEngine options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    this.options = parsed.data;
    const base = this.options.baseUrl.replace(/\/+$/, '');
    this.url = base + '/completions';
    this.root = base.replace(/\/v1$/, '');
    this.queue = new PQueue({ concurrency: this.options.concurrency });
    this.agent = makeAgent(this.url, this.options.concurrency);
    const spr = this.options.samplesPerRequest;
    this.nHonoured = spr === 'n' || (spr === 'auto' && (this.options.server === 'vllm' || this.options.server === 'sglang'));
  }

  private warnOnce(key: string, msg: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.warn(msg);
  }

  async generate(requests: GenerateRequest[], opts: GenerateOptions): Promise<Sample[][]> {
    const stop = [this.tokenizer.eosTokenId, ...(opts.stopTokenIds ?? [])].map((id) => this.tokenizer.decode([id])).filter((s) => s.length > 0);
    return Promise.all(requests.map((r, i) => this.samplesFor(r, opts, stop, `request ${i}`)));
  }

  private async samplesFor(r: GenerateRequest, opts: GenerateOptions, stop: string[], what: string): Promise<Sample[]> {
    if (r.n === 0) return [];
    if (r.maxTokens === 0) return Array.from({ length: r.n }, () => ({ tokens: [], text: '', finish: 'length' as const, ...(opts.logprobs ? { logprobs: [] } : {}) }));
    const got: Sample[] = [];
    if (this.nHonoured && r.n > 1) {
      got.push(...(await this.queue.add(() => this.complete(r, r.n, r.seed, opts, stop, `${what} (n=${r.n})`)))!);
      if (got.length < r.n) {
        this.stats.nIgnored++;
        this.nHonoured = false;
        this.warnOnce('n', `${this.url} returned ${got.length} choice(s) for n=${r.n}: the server ignores n; sending one request per sample from now on`);
      }
    }
    const rest = await Promise.all(
      Array.from({ length: r.n - got.length }, (_, k) => {
        const j = got.length + k;
        return this.queue.add(() => this.complete(r, 1, sampleSeed(r.seed, j), opts, stop, `${what} sample ${j}`));
      }),
    );
    for (const s of rest) got.push(s![0]);
    return got.slice(0, r.n);
  }

  private body(r: GenerateRequest, n: number, seed: number, opts: GenerateOptions, stop: string[]): object {
    const server = this.options.server;
    return {
      model: this.options.model,
      prompt: this.options.promptAs === 'ids' ? r.promptIds : this.tokenizer.decode(r.promptIds),
      max_tokens: r.maxTokens,
      temperature: opts.temperature,
      top_p: opts.topP ?? 1,
      seed,
      n,
      ...(stop.length > 0 ? { stop: stop.slice(0, 4) } : {}),
      ...(opts.logprobs || server === 'vllm' || server === 'sglang' ? { logprobs: 1 } : {}),
      ...(server === 'vllm' ? { return_tokens_as_token_ids: true, return_token_ids: true } : {}),
      ...(server === 'llama-server' ? { return_tokens: true, ...(opts.logprobs ? { n_probs: 1 } : {}) } : {}),
    };
  }

  /** One HTTP request for `n` samples, with retries; returns the samples it got (≤ n). */
  private async complete(r: GenerateRequest, n: number, seed: number, opts: GenerateOptions, stop: string[], what: string): Promise<Sample[]> {
    const body = this.body(r, n, seed, opts, stop);
    let lastError = '';
    for (let attempt = 0; attempt <= this.options.maxRetries; attempt++) {
      try {
        const choices = await this.post(body);
        const ordered = [...choices].sort((a, b) => (a.index ?? 0) - (b.index ?? 0)).slice(0, n);
        return ordered.map((c) => this.toSample(c, r.maxTokens, opts, what));
      } catch (e) {
        if (!(e instanceof Transient)) throw new Error(`${this.url} (${what}): ${(e as Error).message}`);
        lastError = e.message;
        if (attempt === this.options.maxRetries) break;
        const backoff = Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** attempt);
        await sleep(Math.max(backoff, Math.min(e.retryAfterMs, this.options.maxBackoffMs)));
      }
    }
    throw new Error(`${this.url} (${what}): gave up after ${this.options.maxRetries + 1} attempts; last error: ${lastError}`);
  }

  private toSample(c: Choice, maxTokens: number, opts: GenerateOptions, what: string): Sample {
    const { ids, logprobs } = choiceTokens(c);
    let tokens = ids ?? this.tokenizer.encode(c.text);
    let text = c.text;
    let finish: Sample['finish'] = c.finish_reason === 'length' ? 'length' : 'stop';
    let lps = logprobs && logprobs.length === tokens.length ? logprobs : undefined;
    if (logprobs && !lps && ids) throw new Error(`${what}: the server returned ${ids.length} token ids but ${logprobs.length} log-probs`);
    if (tokens.length > maxTokens) {
      this.stats.overBudget++;
      this.warnOnce('budget', `${this.url} returned ${tokens.length} tokens for max_tokens ${maxTokens} (${what}): the server ignores max_tokens; clipped to the budget client-side (stats.overBudget counts them)`);
      tokens = tokens.slice(0, maxTokens);
      lps = lps?.slice(0, maxTokens);
      text = this.tokenizer.decode(tokens);
      finish = 'length';
    }
    const sample: Sample = { tokens, text, finish };
    if (lps) sample.logprobs = lps;
    else if (opts.logprobs) this.warnOnce('lp', `${this.url} returned no per-token log-probs; samples carry none (pass server: vllm / llama-server so they are requested)`);
    return sample;
  }

  private async post(body: unknown): Promise<Choice[]> {
    const json = await this.call(this.url, body);
    const parsed = CompletionSchema.safeParse(json);
    if (!parsed.success)
      throw new Transient(`response is not an OpenAI completion (need choices[0].text): ${JSON.stringify(json).slice(0, 200)}`);
    return parsed.data.choices;
  }

  /** POST a JSON body to an absolute URL; Transient for what a retry may fix, Error otherwise. */
  private async call(url: string, body: unknown): Promise<unknown> {
    this.stats.requests++;
    let res;
    try {
      res = await httpRequest(url, {
        method: 'POST',
        agent: this.agent,
        headers: { 'content-type': 'application/json', ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}) },
        body: JSON.stringify(body),
        timeouts: { connectMs: this.options.connectTimeoutMs, firstByteMs: this.options.firstByteTimeoutMs, deadlineMs: this.options.deadlineMs },
      });
    } catch (e) {
      if (e instanceof HttpTimeout) throw new Transient(e.message);
      const err = e as Error & { code?: string };
      if (err.code) throw new Transient(`could not connect (${err.code}); is the server running at ${this.options.baseUrl}?`);
      throw new Transient(`reading the response failed: ${err.message}`);
    }
    if (res.status === 429 || res.status === 408 || res.status >= 500) {
      const ra = Number(res.headers['retry-after']);
      throw new Transient(`HTTP ${res.status}: ${res.text.slice(0, 200)}`, Number.isFinite(ra) && ra > 0 ? ra * 1000 : 0);
    }
    if (res.status < 200 || res.status >= 300) throw new Error(`HTTP ${res.status} (not retried): ${res.text.slice(0, 500)}`);
    try {
      return res.text.length ? JSON.parse(res.text) : {};
    } catch {
      throw new Transient(`malformed JSON in the response: ${JSON.stringify(res.text.slice(0, 120))}`);
    }
  }

  /** Write the weights as an HF checkpoint and have the server load them (needs `weightSync`). */
  async updateWeights(weights: NamedTensors): Promise<{ mode: 'in-place' | 'reload'; ms: number }> {
    const ws = this.options.weightSync;
    if (!ws) throw new Error(`${this.options.baseUrl}: updateWeights needs the weightSync option (kind sglang or vllm, and a shared dir)`);
    const t0 = performance.now();
    await this.queue.onIdle();
    const version = ++this.stats.weightVersions;
    await syncWeights(ws, version, weights, async (route, body) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await this.call(this.root + route, body);
        } catch (e) {
          if (!(e instanceof Transient) || attempt >= this.options.maxRetries) throw new Error(`weight sync ${this.root}${route}: ${(e as Error).message}`);
          await sleep(Math.min(this.options.maxBackoffMs, this.options.backoffMs * 2 ** attempt));
        }
      }
    });
    return { mode: 'reload', ms: performance.now() - t0 };
  }

  async dispose(): Promise<void> {
    this.queue.clear();
    await this.queue.onIdle();
    this.agent.destroy();
  }
}
