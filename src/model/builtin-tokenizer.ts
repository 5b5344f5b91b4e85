/**
 * The built-in fixed-vocabulary tokenizer for the arithmetic testbed.
 *
 * File format (for `loadTokenizer(dir)` in src/model/): a checkpoint directory
 * that holds `BUILTIN_TOKENIZER_FILE` = "brevity-tokenizer.json" uses this
 * tokenizer; dispatch with `isBuiltinTokenizerDir(dir)` / `loadBuiltinTokenizer(dir)`.
 * The file is JSON:
 *   { "format": "brevity-builtin-tokenizer", "version": 1,
 *     "tokens": ["<pad>", "<bos>", "<eos>", "<unk>", "0", …],
 *     "pad": 0, "bos": 1, "eos": 2, "unk": 3 }
 * `tokens[id]` is the exact text of token `id`; the special tokens decode to "".
 * The file carries the whole vocabulary, so a checkpoint keeps working if the
 * default vocabulary below ever changes.
 *
 * Encoding is greedy longest match over the vocabulary, left to right. Every
 * digit and operator is one token (so a number's digits are separate tokens, as
 * a tiny model needs), and a few whole words (with their leading space) keep
 * the hedges of verbose traces short. Characters outside the vocabulary encode
 * to `<unk>`. No vocabulary entry contains "\n", so lines tokenize
 * independently (the segmentation in src/tasks/ relies on that).
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Tokenizer } from './tokenizer.ts';

export const BUILTIN_TOKENIZER_FILE = 'brevity-tokenizer.json';

/**
 * Default vocabulary: 4 specials, 10 digits, 6 operators, 8 marks, 23 words
 * (51), padded with 13 reserved entries to 64 = the S model's vocabSize
 * (GGUF export needs exactly one vocabulary entry per embedding row).
 */
export const DEFAULT_BUILTIN_TOKENS: readonly string[] = [
  '<pad>', '<bos>', '<eos>', '<unk>',
  '0', '1', '2', '3', '4', '5', '6', '7', '8', '9',
  '+', '-', '*', '(', ')', '=',
  '?', ':', '.', ',', ' ', '\n', '####', 'Q:',
  'Wait', 'Hmm', 'Let', 'Actually', 'Yes', 'So',
  ' let', ' me', ' double-check', ' verify', ' that', ' again', ' check', ' each',
  ' step', ' re-check', ' is', ' correct', ' the', ' answer', ' still', ' all', ' steps',
  ...Array.from({ length: 13 }, (_, i) => `<reserved_${51 + i}>`),
];

const FileSchema = z.strictObject({
  format: z.literal('brevity-builtin-tokenizer'),
  version: z.literal(1),
  tokens: z.array(z.string()).min(5),
  pad: z.number().int().nonnegative(),
  bos: z.number().int().nonnegative(),
  eos: z.number().int().nonnegative(),
  unk: z.number().int().nonnegative(),
});
export type BuiltinTokenizerFile = z.infer<typeof FileSchema>;

export class BuiltinTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly eosTokenId: number;
  /**
   * Undefined on purpose: built-in models are trained without a BOS token
   * (the prompt "Q: …" starts every sequence), so engines must not prepend one.
   * The id stays in the vocabulary as `bosId` (decoded as "").
   */
  readonly bosTokenId: number | undefined = undefined;
  readonly bosId: number;
  readonly padTokenId: number;
  readonly unkTokenId: number;
  private readonly tokens: readonly string[];
  /** Non-special entries by first character, longest first, for greedy matching. */
  private readonly byFirstChar = new Map<string, { text: string; id: number }[]>();

  constructor(spec: BuiltinTokenizerFile = defaultSpec()) {
    const { tokens } = spec;
    for (const k of ['pad', 'bos', 'eos', 'unk'] as const) {
      if (spec[k] >= tokens.length) throw new Error(`builtin tokenizer: ${k} id ${spec[k]} is outside the vocabulary (size ${tokens.length})`);
    }
    if (new Set(tokens).size !== tokens.length) throw new Error('builtin tokenizer: duplicate entries in "tokens"');
    this.tokens = tokens;
    this.vocabSize = tokens.length;
    this.padTokenId = spec.pad;
    this.bosId = spec.bos;
    this.eosTokenId = spec.eos;
    this.unkTokenId = spec.unk;
    const specials = new Set([spec.pad, spec.bos, spec.eos, spec.unk]);
    tokens.forEach((text, id) => {
      if (specials.has(id)) return;
      if (text.length === 0) throw new Error(`builtin tokenizer: token ${id} is empty`);
      if (text.includes('\n') && text !== '\n') throw new Error(`builtin tokenizer: token ${id} spans a newline`);
      const list = this.byFirstChar.get(text[0]!) ?? [];
      list.push({ text, id });
      this.byFirstChar.set(text[0]!, list);
    });
    for (const list of this.byFirstChar.values()) list.sort((a, b) => b.text.length - a.text.length);
  }

  encode(text: string): number[] {
    const ids: number[] = [];
    let i = 0;
    outer: while (i < text.length) {
      // Special tokens are spelled literally, e.g. "<eos>".
      if (text[i] === '<') {
        for (const id of [this.padTokenId, this.bosId, this.eosTokenId, this.unkTokenId]) {
          const s = this.tokens[id]!;
          if (text.startsWith(s, i)) { ids.push(id); i += s.length; continue outer; }
        }
      }
      for (const { text: t, id } of this.byFirstChar.get(text[i]!) ?? []) {
        if (text.startsWith(t, i)) { ids.push(id); i += t.length; continue outer; }
      }
      ids.push(this.unkTokenId);
      i += text.codePointAt(i)! > 0xffff ? 2 : 1;
    }
    return ids;
  }

  decode(ids: readonly number[]): string {
    let out = '';
    for (const id of ids) {
      if (id === this.padTokenId || id === this.bosId || id === this.eosTokenId) continue;
      if (id === this.unkTokenId) { out += '\uFFFD'; continue; }
      const t = this.tokens[id];
      if (t === undefined) throw new Error(`builtin tokenizer: id ${id} is outside the vocabulary (size ${this.vocabSize})`);
      out += t;
    }
    return out;
  }

  tokenString(id: number): string {
    const t = this.tokens[id];
    if (t === undefined) throw new Error(`builtin tokenizer: id ${id} is outside the vocabulary (size ${this.vocabSize})`);
    return t;
  }

  /** The file content to store as `BUILTIN_TOKENIZER_FILE` in a checkpoint. */
  toJSON(): BuiltinTokenizerFile {
    return {
      format: 'brevity-builtin-tokenizer', version: 1, tokens: [...this.tokens],
      pad: this.padTokenId, bos: this.bosId, eos: this.eosTokenId, unk: this.unkTokenId,
    };
  }

  /** `{ [BUILTIN_TOKENIZER_FILE]: json }`, ready for `saveCheckpoint(dir, { files })`. */
  checkpointFiles(): Record<string, string> {
    return { [BUILTIN_TOKENIZER_FILE]: JSON.stringify(this.toJSON(), null, 1) + '\n' };
  }
}

function defaultSpec(): BuiltinTokenizerFile {
  return { format: 'brevity-builtin-tokenizer', version: 1, tokens: [...DEFAULT_BUILTIN_TOKENS], pad: 0, bos: 1, eos: 2, unk: 3 };
}

/** Parse the file's text; `source` names it in errors. */
export function parseBuiltinTokenizer(text: string, source = BUILTIN_TOKENIZER_FILE): BuiltinTokenizer {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${source}: not valid JSON (${(e as Error).message})`);
  }
  const r = FileSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new Error(`${source}: field "${issue.path.join('.') || '(root)'}": ${issue.message}`);
  }
  return new BuiltinTokenizer(r.data);
}

export function isBuiltinTokenizerDir(dir: string): boolean {
  return existsSync(join(dir, BUILTIN_TOKENIZER_FILE));
}

export function loadBuiltinTokenizer(dir: string): BuiltinTokenizer {
  const path = join(dir, BUILTIN_TOKENIZER_FILE);
  return parseBuiltinTokenizer(readFileSync(path, 'utf8'), path);
}

/** The default built-in tokenizer (shared instance; it is immutable). */
export const builtinTokenizer = new BuiltinTokenizer();
