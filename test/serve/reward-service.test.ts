/**
 * The reward service on loopback, compared with the in-process pipeline
 * (verify → resolveShaper → combineRewards, as training runs it) and with
 * hand-computed values, for the recipes it ships with.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { combineRewards } from '../../rewards/combine.ts';
import { emptyHistory } from '../../rewards/history.ts';
import { resolveShaper } from '../../rewards/registry.ts';
import type { ScoredRollout } from '../../rewards/types.ts';
import { loadTokenizer } from '../../src/model/load-tokenizer.ts';
import { loadBrevityRecipe } from '../../src/recipe/index.ts';
import { serveRewards, type RunningService } from '../../src/serve/run-service.ts';
import { verify } from '../../src/verify/index.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'brevity-serve-'));
const quiet = () => {};
const post = async (port: number, route: string, body: unknown) => {
  const r = await fetch(`http://127.0.0.1:${port}${route}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
};

const dler = loadBrevityRecipe('recipes/dler.yaml').recipe;
const tok = loadTokenizer(dler.model.checkpoint);
let svc: RunningService;

beforeAll(async () => {
  svc = await serveRewards(dler, { port: 0, state: path.join(dir, 'dler.json') }, quiet, []);
});
afterAll(async () => {
  await svc?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('POST /get_reward (OpenRLHF) with recipes/dler.yaml', () => {
  const promptA = 'Q: 12+30=?\n';
  const promptB = 'Q: 7*6=?\n';
  const long = `#### 42\n${'so '.repeat(120)}`; // far past the 96-token cap; a complete answer line before the cut
  const resp = [
    ['we add.\n#### 42', '#### 41', `${long}`, 'no idea'],
    ['#### 42', `${long}`, '6 sevens\n#### 42', '#### 7'],
  ];
  const batch = {
    prompts: [...resp[0].map(() => promptA), ...resp[1].map(() => promptB)],
    query: [...resp[0].map((r) => promptA + r), ...resp[1].map((r) => promptB + r)],
    labels: ['42', '42', '42', '42', '42', '42', '42', '42'],
  };

  it('answers the in-process shapers’ values and the hand-computed DLER rewards', async () => {
    const { status, json } = await post(svc.port, '/get_reward?n_samples_per_prompt=4', batch);
    expect(status).toBe(200);
    // In process: same steps as training (verify, cap = min(budget 96, maxTokens), dler shaper).
    const scored: ScoredRollout[] = batch.query.map((q, i) => {
      const text = q.slice(batch.prompts[i].length);
      const length = tok.encode(text).length;
      const finish = length >= 96 ? 'length' : 'stop';
      const v = verify(text, batch.labels[i], { extractors: ['hash'], truncated: finish === 'length' });
      return {
        promptId: batch.prompts[i], groupIndex: Math.floor(i / 4), sampleIndex: i % 4, tokens: [], length, finish,
        correct: v.correct, parsed: v.extracted, format: {}, budget: { cap: 96 },
      };
    });
    const want = combineRewards(scored, dler.rewards.map((s) => resolveShaper(s)), { step: 0, history: emptyHistory, logMetric: () => {} });
    expect(json.rewards).toEqual(want.rewards);
    // By hand: correct → 1, wrong → 0, truncated → ×0.1 (the long responses end in the right answer).
    expect(json.rewards).toEqual([1, 0, 0.1, 0, 1, 0.1, 1, 0]);
    expect(json.scores).toEqual([1, 0, 1, 0, 1, 1, 1, 0]);
    const extra = json.extra_logs as Record<string, number[]>;
    expect(extra.truncated).toEqual([0, 0, 1, 0, 0, 1, 0, 0]);
    expect(extra.length[0]).toBe(tok.encode(resp[0][0]).length);
  });

  it('defaults the group size to rollout.n and names the offending field on bad bodies', async () => {
    const bad = async (route: string, body: unknown) => {
      const r = await post(svc.port, route, body);
      expect(r.status).toBe(400);
      return String(r.json.error);
    };
    expect(await bad('/get_reward', batch)).toMatch(/n_samples_per_prompt: 16 does not divide the batch of 8/);
    expect(await bad('/get_reward?n_samples_per_prompt=3', batch)).toMatch(/n_samples_per_prompt: 3 does not divide/);
    expect(await bad('/get_reward?n_samples_per_prompt=0', batch)).toMatch(/n_samples_per_prompt: expected a positive integer/);
    expect(await bad('/get_reward?n_samples_per_prompt=2', { ...batch, labels: ['1'] })).toMatch(/labels: 1 entries but query has 8/);
    expect(await bad('/get_reward?n_samples_per_prompt=8', batch)).toMatch(/prompts\[4\] differs from prompts\[0\]/);
    expect(await bad('/get_reward?n_samples_per_prompt=4', { ...batch, query: batch.query.map((q, i) => (i === 5 ? 'x' + q : q)) })).toMatch(/query\[5\] does not start with prompts\[5\]/);
    expect(await bad('/get_reward', { query: 'x' })).toMatch(/query: .*expected array/);
    expect(await bad('/v1/rewards', { items: [{ group_id: 'a', response: '#### 1', gold: '1', response_length: 3 }, { group_id: 'a', response: 'x', response_length: 2 }] })).toMatch(/items\[1\]\.gold/);
    expect(await bad('/v1/rewards', { items: [{ group_id: 'a', response: '', gold: '1', response_length: -1 }] })).toMatch(/items\[0\]\.response_length/);
    expect(await bad('/v1/rewards', { items: [{ group_id: 'a', response: '', gold: '1', respons_length: 1 }] })).toMatch(/respons_length/);
    expect(await bad('/v1/rewards', '{"items": [')).toMatch(/not valid JSON/);
    const nf = await fetch(`http://127.0.0.1:${svc.port}/nope`);
    expect(nf.status).toBe(404);
    const get = await fetch(`http://127.0.0.1:${svc.port}/get_reward`);
    expect(get.status).toBe(405);
  });

  it('reports health and Prometheus metrics', async () => {
    const h = await fetch(`http://127.0.0.1:${svc.port}/healthz`);
    expect(h.status).toBe(200);
    const m = await (await fetch(`http://127.0.0.1:${svc.port}/metrics`)).text();
    expect(m).toMatch(/brevity_serve_requests_total\{route="\/get_reward",status="200"\} [1-9]/);
    expect(m).toMatch(/brevity_serve_requests_total\{route="\/get_reward",status="400"\} [1-9]/);
    expect(m).toMatch(/brevity_serve_request_seconds_count\{route="\/get_reward"\} [1-9]/);
    expect(m).toMatch(/brevity_serve_reward_mean\{metric="reward\/dler\/mean"\} 0\.4/);
    expect(m).toMatch(/brevity_serve_bad_requests_total [1-9]/);
  });
});

describe('POST /v1/rewards (verl) with a group-level shaper (recipes/kimi.yaml)', () => {
  it('groups by group_id, takes response_length in tokens and matches hand-computed Kimi rewards', async () => {
    const kimi = loadBrevityRecipe('recipes/kimi.yaml').recipe;
    const k = await serveRewards(kimi, { port: 0, state: path.join(dir, 'kimi.json') }, quiet, []);
    try {
      const items = [
        { group_id: 'g1', response: '#### 5', gold: '5', response_length: 10, finish_reason: 'stop' },
        { group_id: 'g2', response: '#### 9', gold: '9', response_length: 5, finish_reason: 'stop' },
        { group_id: 'g1', response: '#### 4', gold: '5', response_length: 20, finish_reason: 'stop' },
        { group_id: 'g1', response: '#### 5', gold: '5', response_length: 30, finish_reason: 'length' },
        { group_id: 'g2', response: '#### 9', gold: '9', response_length: 5, finish_reason: 'stop' },
      ];
      const { status, json } = await post(k.port, '/v1/rewards', { step: 3, items });
      expect(status).toBe(200);
      // g1 lengths 10/20/30 → λ = 0.5, 0, −0.5; wrong → min(0, λ); g2 equal lengths → 0. Plus correctness.
      // The truncated (finish_reason length) response is correct only with a complete answer line: here it has none.
      expect(json.rewards).toEqual([1.5, 1, 0, -0.5, 1]);
      expect(json.correct).toEqual([true, true, false, false, true]);
      expect(json.finish).toEqual(['stop', 'stop', 'stop', 'length', 'stop']);
      expect(json.step).toBe(3);
      expect((json.per_shaper as Record<string, number[]>).kimi).toEqual([0.5, 0, 0, -0.5, 0]);
    } finally {
      await k.stop();
    }
  });
});

describe('history across a restart (recipes/dler-difficulty.yaml: easy prompts get cap 48)', () => {
  const prompt = 'Q: 2+2=?\n';
  const body = (resp: string) => ({ prompts: Array(8).fill(prompt), query: Array(8).fill(prompt + resp), labels: Array(8).fill('4') });
  // 60 tokens: under the normal cap 96, over the easy cap 48.
  const mid = `#### 4\n${'ok '.repeat(25)}`;

  it('saves on stop, reloads on start, and the reloaded history lowers the cap as the old one would', async () => {
    const recipe = loadBrevityRecipe('recipes/dler-difficulty.yaml').recipe;
    const len = tok.encode(mid).length;
    expect(len).toBeGreaterThan(48);
    expect(len).toBeLessThan(96);
    const state = path.join(dir, 'difficulty.json');
    const a = await serveRewards(recipe, { port: 0, state }, quiet, []);
    const first = await post(a.port, '/get_reward?n_samples_per_prompt=8', body(mid));
    expect((first.json.extra_logs as Record<string, number[]>).cap[0]).toBe(96);
    expect(first.json.rewards).toEqual(Array(8).fill(1));
    await a.stop();
    const b = await serveRewards(recipe, { port: 0, state }, quiet, []);
    try {
      const h = (await (await fetch(`http://127.0.0.1:${b.port}/healthz`)).json()) as { prompts: number; step: number };
      expect(h).toMatchObject({ prompts: 1, step: 1 });
      const second = await post(b.port, '/get_reward?n_samples_per_prompt=8', body(mid));
      // 8 of 8 correct ≥ threshold 0.9 with minSamples 8 → easy → cap 48 → truncated → ×0.1.
      expect((second.json.extra_logs as Record<string, number[]>).cap[0]).toBe(48);
      expect(second.json.rewards).toEqual(Array(8).fill(0.1));
    } finally {
      await b.stop();
    }
    // A service without the state file starts over at cap 96.
    const c = await serveRewards(recipe, { port: 0, state: path.join(dir, 'fresh.json') }, quiet, []);
    try {
      const third = await post(c.port, '/get_reward?n_samples_per_prompt=8', body(mid));
      expect((third.json.extra_logs as Record<string, number[]>).cap[0]).toBe(96);
    } finally {
      await c.stop();
    }
  });
});
