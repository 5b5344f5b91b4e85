import { describe, expect, it } from 'vitest';
import { createEngine, ENGINE_KINDS, type EngineKind } from '../../src/rollout/index.ts';

describe('createEngine', () => {
  it('builds each registered kind and names the valid ones on a typo', async () => {
    expect(ENGINE_KINDS).toEqual(['llama-cpp', 'tfjs', 'openai']);
    const tok = { eosTokenId: 0, encode: () => [], decode: () => '' };
    const e = await createEngine('openai', { baseUrl: 'http://127.0.0.1:9/v1', model: 'm', tokenizer: tok });
    expect(e.name).toBe('openai');
    await e.dispose();
    expect(() => createEngine('vllm' as EngineKind, {} as never)).toThrow(/unknown engine "vllm"; valid: llama-cpp, tfjs, openai/);
  });
});
