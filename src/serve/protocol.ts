/**
 * The two wire formats the reward service speaks, validated at the edge and
 * turned into `RewardItem`s. A bad body raises `BadRequest` naming the field
 * (`items[3].response_length`), which the server answers with 400.
 *
 * OpenRLHF remote reward (`POST /get_reward`):
 *   { query: [prompt+response, …], prompts: [prompt, …], labels: [gold, …] }
 *   groups = consecutive `n_samples_per_prompt` entries (query parameter,
 *   default the recipe's rollout.n). The response is `query[i]` after
 *   `prompts[i]`; its length is counted with the model's tokenizer. A response
 *   ending in the tokenizer's EOS text finished (`stop`, EOS counted as one
 *   token, as in training); otherwise it is `length` when it reached the cap.
 *   Answer: { rewards, scores (= correctness 0/1), extra_logs: per-sample lists }.
 *
 * verl-style batch (`POST /v1/rewards`):
 *   { step?, items: [{ group_id, prompt_id?, response, gold, response_length?,
 *     response_ids?, finish_reason?, budget?, difficulty? }] }
 *   `response_length` is in tokens (verl knows it); without it the length is
 *   `response_ids.length`, else counted with the tokenizer.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Tokenizer } from '../model/tokenizer.ts';
import type { RewardItem } from './reward-pipeline.ts';

export class BadRequest extends Error {}

export type ServeTokenizer = Pick<Tokenizer, 'encode' | 'decode' | 'eosTokenId'>;

function firstIssue(err: z.ZodError, what: string): BadRequest {
  const iss = err.issues[0];
  const at = iss.path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s ? `${s}.${String(p)}` : String(p)), '');
  return new BadRequest(`${what}: ${at || 'body'}: ${iss.message}`);
}

const GetRewardSchema = z.object({
  query: z.array(z.string()).min(1, { message: 'need at least one entry' }),
  prompts: z.array(z.string()),
  labels: z.array(z.union([z.string(), z.number()]).transform(String)),
});

/** Stable short id of a prompt text: keys the history across requests and restarts. */
export function promptKey(prompt: string): string {
  return createHash('sha1').update(prompt).digest('hex').slice(0, 16);
}

/** Parse `?n_samples_per_prompt=` (default `fallback`) against a batch of `size`. */
export function groupSizeParam(raw: string | null, size: number, fallback: number): number {
  const n = raw === null ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new BadRequest(`n_samples_per_prompt: expected a positive integer, got '${raw}'`);
  if (size % n !== 0) {
    throw new BadRequest(
      `n_samples_per_prompt: ${n} does not divide the batch of ${size} entries${raw === null ? " (the recipe's rollout.n; pass ?n_samples_per_prompt=N)" : ''}`,
    );
  }
  return n;
}

/** Token length and finish of a served completion text, by the model's tokenizer. */
export function measure(text: string, tok: ServeTokenizer, eosText: string): { response: string; length: number; finished: boolean } {
  if (eosText && text.endsWith(eosText)) {
    const body = text.slice(0, -eosText.length);
    return { response: body, length: tok.encode(body).length + 1, finished: true };
  }
  return { response: text, length: tok.encode(text).length, finished: false };
}

export function parseGetReward(
  body: unknown,
  params: URLSearchParams,
  defaults: { groupSize: number },
  tok: ServeTokenizer,
): { items: RewardItem[]; step?: number } {
  const p = GetRewardSchema.safeParse(body);
  if (!p.success) throw firstIssue(p.error, '/get_reward');
  const { query, prompts, labels } = p.data;
  if (prompts.length !== query.length) throw new BadRequest(`/get_reward: prompts: ${prompts.length} entries but query has ${query.length}`);
  if (labels.length !== query.length) throw new BadRequest(`/get_reward: labels: ${labels.length} entries but query has ${query.length}`);
  const n = groupSizeParam(params.get('n_samples_per_prompt'), query.length, defaults.groupSize);
  const step = stepParam(params.get('step'));
  const eosText = tok.decode([tok.eosTokenId]);
  const items = query.map((q, i): RewardItem => {
    const g = Math.floor(i / n);
    if (prompts[i] !== prompts[g * n]) {
      throw new BadRequest(`/get_reward: prompts[${i}] differs from prompts[${g * n}], the first of its group of ${n} (n_samples_per_prompt=${n})`);
    }
    if (!q.startsWith(prompts[i])) throw new BadRequest(`/get_reward: query[${i}] does not start with prompts[${i}]`);
    const m = measure(q.slice(prompts[i].length), tok, eosText);
    return {
      promptId: promptKey(prompts[i]),
      groupKey: String(g),
      response: m.response,
      gold: labels[i],
      length: m.length,
      ...(m.finished ? { finish: 'stop' as const } : {}),
    };
  });
  return { items, ...(step !== undefined ? { step } : {}) };
}

function stepParam(raw: string | null): number | undefined {
  if (raw === null) return undefined;
  const s = Number(raw);
  if (!Number.isInteger(s) || s < 0) throw new BadRequest(`step: expected a non-negative integer, got '${raw}'`);
  return s;
}

const id = z.union([z.string().min(1), z.number().int()]).transform(String);
const ItemSchema = z.strictObject({
  group_id: id,
  prompt_id: id.optional(),
  response: z.string(),
  gold: z.union([z.string(), z.number()]).transform(String),
  response_length: z.number().int().nonnegative().optional(),
  response_ids: z.array(z.number().int().nonnegative()).optional(),
  /** OpenAI/vLLM finish reasons: `length` = truncated; `stop`/`eos`/others = finished. */
  finish_reason: z.string().nullable().optional(),
  budget: z.strictObject({ cap: z.number().int().positive(), target: z.number().positive().optional() }).optional(),
  difficulty: z.number().optional(),
});
const BatchSchema = z.strictObject({
  step: z.number().int().nonnegative().optional(),
  items: z.array(ItemSchema).min(1, { message: 'need at least one item' }),
});

const ITEM_KEYS = new Set(['group_id', 'prompt_id', 'response', 'gold', 'response_length', 'response_ids', 'finish_reason', 'budget', 'difficulty']);
const isId = (v: unknown) => (typeof v === 'string' && v.length > 0) || Number.isInteger(v);

/**
 * The common verl batch (ids, text, gold, integer length, finish reason; no
 * budget or token ids) checked by hand: about 10× cheaper than the zod schema
 * at 256 items. Anything else (or anything wrong) goes through the schema,
 * which produces the error message.
 */
function fastBatch(body: unknown): { items: RewardItem[]; step?: number } | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  for (const k in b) if (k !== 'items' && k !== 'step') return undefined;
  if (b.step !== undefined && !(Number.isInteger(b.step) && (b.step as number) >= 0)) return undefined;
  const list = b.items;
  if (!Array.isArray(list) || list.length === 0) return undefined;
  const items: RewardItem[] = new Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const it = list[i] as Record<string, unknown>;
    if (typeof it !== 'object' || it === null || Array.isArray(it)) return undefined;
    for (const k in it) if (!ITEM_KEYS.has(k)) return undefined;
    const len = it.response_length;
    const fr = it.finish_reason;
    if (!isId(it.group_id) || (it.prompt_id !== undefined && !isId(it.prompt_id))) return undefined;
    if (typeof it.response !== 'string' || !(typeof it.gold === 'string' || typeof it.gold === 'number')) return undefined;
    if (!(Number.isInteger(len) && (len as number) >= 0)) return undefined;
    if (!(fr === undefined || fr === null || typeof fr === 'string')) return undefined;
    if (it.budget !== undefined || it.response_ids !== undefined || (it.difficulty !== undefined && typeof it.difficulty !== 'number')) return undefined;
    items[i] = {
      promptId: String(it.prompt_id ?? it.group_id),
      groupKey: String(it.group_id),
      response: it.response,
      gold: String(it.gold),
      length: len as number,
      ...(typeof fr === 'string' ? { finish: fr === 'length' ? ('length' as const) : ('stop' as const) } : {}),
      ...(it.difficulty !== undefined ? { difficulty: it.difficulty as number } : {}),
    };
  }
  return { items, ...(b.step !== undefined ? { step: b.step as number } : {}) };
}

export function parseBatch(body: unknown, tok: ServeTokenizer | undefined): { items: RewardItem[]; step?: number } {
  const fast = fastBatch(body);
  if (fast) return fast;
  const p = BatchSchema.safeParse(body);
  if (!p.success) throw firstIssue(p.error, '/v1/rewards');
  const items = p.data.items.map((it, i): RewardItem => {
    let length = it.response_length ?? it.response_ids?.length;
    if (length === undefined) {
      if (!tok) throw new BadRequest(`/v1/rewards: items[${i}].response_length: required (the server has no tokenizer to count it)`);
      length = tok.encode(it.response).length + (it.finish_reason === 'length' ? 0 : 1);
    }
    return {
      promptId: it.prompt_id ?? it.group_id,
      groupKey: it.group_id,
      response: it.response,
      gold: it.gold,
      length,
      ...(it.response_ids ? { tokens: it.response_ids } : {}),
      ...(it.finish_reason != null ? { finish: it.finish_reason === 'length' ? ('length' as const) : ('stop' as const) } : {}),
      ...(it.budget ? { budget: it.budget } : {}),
      ...(it.difficulty !== undefined ? { difficulty: it.difficulty } : {}),
    };
  });
  return { items, ...(p.data.step !== undefined ? { step: p.data.step } : {}) };
}
