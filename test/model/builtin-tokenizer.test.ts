import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BuiltinTokenizer, builtinTokenizer as tok, parseBuiltinTokenizer, loadBuiltinTokenizer,
  isBuiltinTokenizerDir, BUILTIN_TOKENIZER_FILE,
} from '../../src/model/builtin-tokenizer.ts';
import { arithTrace } from '../../src/tasks/arith-traces.ts';

describe('builtin tokenizer', () => {
  it('fits the S model vocabulary and has distinct specials', () => {
    expect(tok.vocabSize).toBe(64);
    expect(new Set([tok.padTokenId, tok.bosId, tok.eosTokenId, tok.unkTokenId]).size).toBe(4);
    expect(tok.bosTokenId).toBeUndefined(); // built-in models are trained without BOS
    expect(new Set(Array.from({ length: 64 }, (_, i) => tok.tokenString(i))).size).toBe(64);
  });

  it('encodes digits and operators one token each, words whole', () => {
    const ids = tok.encode('47+38=85');
    expect(ids).toHaveLength(8);
    expect(ids.map((i) => tok.tokenString(i))).toEqual(['4', '7', '+', '3', '8', '=', '8', '5']);
    expect(tok.encode('Wait, let me double-check.').map((i) => tok.tokenString(i)))
      .toEqual(['Wait', ',', ' let', ' me', ' double-check', '.']);
    expect(tok.encode('#### 510').map((i) => tok.tokenString(i))).toEqual(['####', ' ', '5', '1', '0']);
  });

  it('round-trips every trace style', () => {
    for (const q of ['(47+38)*6-29', '12*3+7', '((59-57)*6-7)*8+46']) {
      for (const style of ['concise', 'verbose', 'direct'] as const) {
        const text = `Q: ${q}=?\n` + arithTrace(q, style, 5);
        const ids = tok.encode(text);
        expect(ids).not.toContain(tok.unkTokenId);
        expect(tok.decode(ids)).toBe(text);
      }
    }
  });

  it('maps unknown characters to <unk> and skips specials when decoding', () => {
    const ids = tok.encode('1x2');
    expect(ids[1]).toBe(tok.unkTokenId);
    expect(tok.decode([tok.bosId, ...tok.encode('7'), tok.eosTokenId])).toBe('7');
    expect(tok.encode('<eos>')).toEqual([tok.eosTokenId]);
  });

  it('saves and loads from a checkpoint directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tok-'));
    expect(isBuiltinTokenizerDir(dir)).toBe(false);
    for (const [name, text] of Object.entries(tok.checkpointFiles())) writeFileSync(join(dir, name), text);
    expect(isBuiltinTokenizerDir(dir)).toBe(true);
    const back = loadBuiltinTokenizer(dir);
    expect(back.toJSON()).toEqual(tok.toJSON());
    const s = 'Hmm, let me verify that again.\n12*3=36';
    expect(back.encode(s)).toEqual(tok.encode(s));
  });

  it('a custom vocabulary in the file is honoured', () => {
    const t = new BuiltinTokenizer({ format: 'brevity-builtin-tokenizer', version: 1, tokens: ['<p>', '<b>', '<e>', '<u>', 'a', 'ab'], pad: 0, bos: 1, eos: 2, unk: 3 });
    expect(t.encode('aba')).toEqual([5, 4]);
  });

  it('rejects malformed files with the field named', () => {
    expect(() => parseBuiltinTokenizer('{', 'x.json')).toThrow(/x\.json: not valid JSON/);
    const bad = { ...tok.toJSON(), eos: 999 };
    expect(() => parseBuiltinTokenizer(JSON.stringify(bad))).toThrow(/eos id 999/);
    const { tokens: _t, ...missing } = tok.toJSON();
    expect(() => parseBuiltinTokenizer(JSON.stringify(missing), BUILTIN_TOKENIZER_FILE)).toThrow(/field "tokens"/);
  });
});
