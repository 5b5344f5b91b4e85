/**
 * OpenAICompatibleEngine: rollouts from a served model (llama.cpp server,
 * vLLM, any OpenAI-compatible endpoint) through `POST {baseUrl}/completions`.
 *
 * - One HTTP request per sample (n = 1) carrying that sample's derived seed,
 *   so servers that honour `seed` reproduce samples one by one.
 * - Concurrency is bounded by a p-queue; each attempt has its own timeout.
 * - Retries with exponential backoff (base·2^attempt, or the server's
 *   Retry-After when larger) on 429, 5xx, 408, timeouts, connection errors and
 *   malformed bodies; other 4xx fail at once with the server's message.
 * - Prompts are sent as token ids (`promptAs: 'ids'`, llama.cpp server and
 *   vLLM accept them) or as text decoded by our tokenizer. Sample tokens are
 *   our tokenizer's encoding of the returned text (the server's own ids are
 *   not part of the completions API).
 */
import PQueue from 'p-queue';
import { z } from 'zod';
import type { Tokenizer } from '../model/tokenizer.ts';
import { sampleSeed } from './sampling.ts';
import type { GenerateOptions, GenerateRequest, RolloutEngine, Sample } from './types.ts';

export const OpenAIEngineOptionsSchema = z.strictObject({
  /** API root, e.g. `http://127.0.0.1:8080/v1` (`/completions` is appended). */
  baseUrl: z.string().refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), {
    message: 'baseUrl must be an http(s) URL such as http://127.0.0.1:8080/v1',
  }),
  model: z.string().min(1),
  apiKey: z.string().optional(),
  /** In-flight requests: 8 keeps a single local server busy without queueing storms. */
  concurrency: z.number().int().positive().default(8),
  /** Per-attempt timeout: long enough for a few hundred tokens on a slow server. */
  timeoutMs: z.number().int().positive().default(120_000),
  maxRetries: z.number().int().nonnegative().default(5),
  /** Backoff base (doubles per retry), capped at `maxBackoffMs`. */
  backoffMs: z.number().int().nonnegative().default(250),
  maxBackoffMs: z.number().int().positive().default(10_000),
  promptAs: z.enum(['ids', 'text']).default('text'),
});
export type OpenAIEngineOptions = z.input<typeof OpenAIEngineOptionsSchema>;

const ChoiceSchema = z.object({
  text: z.string(),
  finish_reason: z.string().nullable().optional(),
  logprobs: z.object({ token_logprobs: z.array(z.number().nullable()).optional() }).nullable().optional(),
});
const CompletionSchema = z.object({ choices: z.array(ChoiceSchema).min(1) });

/** An error that is worth retrying (transient server or network condition). */
class Transient extends Error {
  constructor(message: string, readonly retryAfterMs = 0) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class OpenAICompatibleEngine implements RolloutEngine {
  readonly name = 'openai';
  readonly options: z.infer<typeof OpenAIEngineOptionsSchema>;
  private readonly queue: PQueue;
  private readonly url: string;

  constructor(
    options: OpenAIEngineOptions,
    private readonly tokenizer: Pick<Tokenizer, 'encode' | 'decode' | 'eosTokenId'>,
  ) {
    const parsed = OpenAIEngineOptionsSchema.safeParse(options);
    if (!parsed.success)
      throw new Error(`OpenAICompatibleEngine options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    this.options = parsed.data;
    this.url = this.options.baseUrl.replace(/\/+$/, '') + '/completions';
    this.queue = new PQueue({ concurrency: this.options.concurrency });
  }

  async generate(requests: GenerateRequest[], opts: GenerateOptions): Promise<Sample[][]> {
    const stop = [this.tokenizer.eosTokenId, ...(opts.stopTokenIds ?? [])].map((id) => this.tokenizer.decode([id])).filter((s) => s.length > 0);
    const jobs = requests.map((r, i) =>
      Promise.all(
        Array.from({ length: r.n }, (_, j) =>
          this.queue.add(() => this.complete(r, sampleSeed(r.seed, j), opts, stop, `request ${i} sample ${j}`)),
        ),
      ),
    );
    return Promise.all(jobs) as Promise<Sample[][]>;
  }

  private async complete(r: GenerateRequest, seed: number, opts: GenerateOptions, stop: string[], what: string): Promise<Sample> {
    if (r.maxTokens === 0) return { tokens: [], text: '', finish: 'length', ...(opts.logprobs ? { logprobs: [] } : {}) };
    const body = {
      model: this.options.model,
      prompt: this.options.promptAs === 'ids' ? r.promptIds : this.tokenizer.decode(r.promptIds),
      max_tokens: r.maxTokens,
      temperature: opts.temperature,
      top_p: opts.topP ?? 1,
      seed,
      n: 1,
      ...(stop.length > 0 ? { stop: stop.slice(0, 4) } : {}),
      ...(opts.logprobs ? { logprobs: 1 } : {}),
    };
    let lastError = '';
    for (let attempt = 0; attempt <= this.options.maxRetries; attempt++) {
      try {
        const choice = await this.post(body);
        const text = choice.text;
        const tokens = this.tokenizer.encode(text);
        const finish = choice.finish_reason === 'length' ? 'length' : 'stop';
        const sample: Sample = { tokens, text, finish };
        if (opts.logprobs) sample.logprobs = (choice.logprobs?.token_logprobs ?? []).map((x) => x ?? NaN);
        return sample;
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

  private async post(body: object): Promise<z.infer<typeof ChoiceSchema>> {
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      if (err.name === 'TimeoutError') throw new Transient(`timed out after ${this.options.timeoutMs} ms`);
      throw new Transient(`could not connect (${err.cause?.code ?? err.message}); is the server running at ${this.options.baseUrl}?`);
    }
    let raw: string;
    try {
      raw = await res.text();
    } catch (e) {
      throw new Transient(`reading the response failed: ${(e as Error).message}`);
    }
    if (res.status === 429 || res.status === 408 || res.status >= 500) {
      const ra = Number(res.headers.get('retry-after'));
      throw new Transient(`HTTP ${res.status}: ${raw.slice(0, 200)}`, Number.isFinite(ra) && ra > 0 ? ra * 1000 : 0);
    }
    if (!res.ok) throw new Error(`HTTP ${res.status} (not retried): ${raw.slice(0, 500)}`);
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new Transient(`malformed JSON in the response: ${JSON.stringify(raw.slice(0, 120))}`);
    }
    const parsed = CompletionSchema.safeParse(json);
    if (!parsed.success)
      throw new Transient(`response is not an OpenAI completion (need choices[0].text): ${JSON.stringify(json).slice(0, 200)}`);
    return parsed.data.choices[0];
  }

  async dispose(): Promise<void> {
    this.queue.clear();
    await this.queue.onIdle();
  }
}
