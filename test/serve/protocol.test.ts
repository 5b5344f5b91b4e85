/** The wire formats: the hand-checked fast path of /v1/rewards equals the schema path; lengths by tokenizer. */
import { describe, expect, it } from 'vitest';
import { BadRequest, measure, parseBatch, parseGetReward, promptKey } from '../../src/serve/protocol.ts';

// Character tokenizer: one token per character; EOS (id 0) decodes to "</s>".
const tok = {
  eosTokenId: 0,
  encode: (s: string) => [...s].map((c) => c.charCodeAt(0)),
  decode: (ids: readonly number[]) => ids.map((i) => (i === 0 ? '</s>' : String.fromCharCode(i))).join(''),
};

describe('parseBatch', () => {
  const common = [
    { group_id: 7, response: '#### 1', gold: 1, response_length: 12, finish_reason: 'stop' },
    { group_id: 'g', prompt_id: 'p', response: 'x', gold: '2', response_length: 0, finish_reason: 'length', difficulty: 3 },
    { group_id: 'g', response: 'y', gold: '2', response_length: 4 },
  ];
  const want = [
    { promptId: '7', groupKey: '7', response: '#### 1', gold: '1', length: 12, finish: 'stop' },
    { promptId: 'p', groupKey: 'g', response: 'x', gold: '2', length: 0, finish: 'length', difficulty: 3 },
    { promptId: 'g', groupKey: 'g', response: 'y', gold: '2', length: 4 },
  ];

  it('fast path and schema path give the same items', () => {
    expect(parseBatch({ items: common, step: 2 }, undefined)).toEqual({ items: want, step: 2 });
    // An item with a budget forces the schema path for the whole batch; the other items must not change.
    const slow = parseBatch({ items: [...common, { group_id: 'h', response: 'z', gold: '3', response_length: 1, budget: { cap: 9 } }] }, undefined);
    expect(slow.items.slice(0, 3)).toEqual(want);
    expect(slow.items[3]).toMatchObject({ budget: { cap: 9 }, length: 1 });
  });

  it('counts missing lengths with the tokenizer (EOS counted for finished responses), else names the field', () => {
    expect(parseBatch({ items: [{ group_id: 1, response: 'abc', gold: '1' }] }, tok).items[0].length).toBe(4);
    expect(parseBatch({ items: [{ group_id: 1, response: 'abc', gold: '1', finish_reason: 'length' }] }, tok).items[0].length).toBe(3);
    expect(parseBatch({ items: [{ group_id: 1, response: 'abc', gold: '1', response_ids: [5, 6] }] }, tok).items[0]).toMatchObject({ length: 2, tokens: [5, 6] });
    expect(() => parseBatch({ items: [{ group_id: 1, response: 'abc', gold: '1' }] }, undefined)).toThrow(/items\[0\]\.response_length: required/);
    expect(() => parseBatch({ items: [{ group_id: 1, response: 'abc', gold: '1', response_length: 1.5 }] }, undefined)).toThrow(BadRequest);
    expect(() => parseBatch({ items: [], step: 1 }, undefined)).toThrow(/items: need at least one item/);
    expect(() => parseBatch({ items: [{ group_id: '', response: '', gold: '1', response_length: 1 }] }, undefined)).toThrow(/items\[0\]\.group_id/);
  });
});

describe('parseGetReward', () => {
  it('splits prompt from response, detects EOS, groups consecutive entries, keys history by prompt', () => {
    const body = { query: ['P1abc</s>', 'P1abcdef', 'P2x', 'P2'], prompts: ['P1', 'P1', 'P2', 'P2'], labels: ['1', '1', 2, '2'] };
    const r = parseGetReward(body, new URLSearchParams('n_samples_per_prompt=2&step=5'), { groupSize: 8 }, tok);
    expect(r.step).toBe(5);
    expect(r.items.map((i) => [i.response, i.length, i.finish, i.groupKey, i.gold])).toEqual([
      ['abc', 4, 'stop', '0', '1'],
      ['abcdef', 6, undefined, '0', '1'],
      ['x', 1, undefined, '1', '2'],
      ['', 0, undefined, '1', '2'],
    ]);
    expect(r.items[0].promptId).toBe(promptKey('P1'));
    expect(r.items[2].promptId).not.toBe(r.items[0].promptId);
    expect(() => parseGetReward(body, new URLSearchParams('step=-1&n_samples_per_prompt=2'), { groupSize: 2 }, tok)).toThrow(/step: expected a non-negative integer/);
    expect(measure('ab</s>', tok, '</s>')).toEqual({ response: 'ab', length: 3, finished: true });
  });
});
