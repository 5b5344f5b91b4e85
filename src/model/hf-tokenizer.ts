/**
 * Hugging Face `tokenizer.json` tokenizers via @huggingface/tokenizers, with
 * chat templates (from `tokenizer_config.json`) rendered by @huggingface/jinja.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Tokenizer as HfCore } from '@huggingface/tokenizers';
import { Template } from '@huggingface/jinja';
import type { ChatMessage, Tokenizer } from './tokenizer.ts';

type TokenSpec = string | { content: string } | null | undefined;
const tokenText = (t: TokenSpec): string | undefined => (t == null ? undefined : typeof t === 'string' ? t : t.content);

export class HfTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly eosTokenId: number;
  readonly bosTokenId?: number;
  readonly padTokenId?: number;
  /** `added_tokens` marked special in tokenizer.json (chat markers, EOS …); written as control tokens in GGUF. */
  readonly specialTokenIds: readonly number[];
  private readonly core: HfCore;
  private readonly template?: Template;
  private readonly bosText?: string;
  private readonly eosText: string;

  /**
   * @param tokenizerJson parsed `tokenizer.json`
   * @param tokenizerConfig parsed `tokenizer_config.json` ({} if absent)
   * @param source directory or file named in error messages
   */
  /**
   * @param fallbackEosId used when tokenizer_config.json names no eos_token
   *   (e.g. the model's config.json eos_token_id)
   */
  constructor(
    tokenizerJson: Record<string, unknown>,
    tokenizerConfig: Record<string, unknown> = {},
    source = 'tokenizer.json',
    fallbackEosId?: number,
  ) {
    this.core = new HfCore(tokenizerJson, tokenizerConfig);
    let maxId = -1;
    for (const id of this.core.get_vocab(true).values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    const added = (tokenizerJson.added_tokens ?? []) as { id: number; special?: boolean }[];
    this.specialTokenIds = added.filter((t) => t.special === true && Number.isInteger(t.id)).map((t) => t.id);
    const idOf = (key: string): number | undefined => {
      const text = tokenText(tokenizerConfig[key] as TokenSpec);
      if (text === undefined) return undefined;
      const id = this.core.token_to_id(text);
      if (id === undefined) throw new Error(`${source}: ${key} ${JSON.stringify(text)} is not in the vocabulary`);
      return id;
    };
    const eos = idOf('eos_token') ?? fallbackEosId;
    if (eos === undefined)
      throw new Error(`${source}: no "eos_token" in tokenizer_config.json and no eos_token_id in config.json (needed to stop generation)`);
    this.eosTokenId = eos;
    this.eosText = tokenText(tokenizerConfig.eos_token as TokenSpec) ?? this.core.id_to_token(eos) ?? '';
    this.bosTokenId = idOf('bos_token');
    this.bosText = tokenText(tokenizerConfig.bos_token as TokenSpec);
    this.padTokenId = idOf('pad_token');
    const tpl = tokenizerConfig.chat_template;
    if (typeof tpl === 'string') this.template = new Template(tpl);
    else if (Array.isArray(tpl)) {
      // Named templates: [{ name, template }]; use "default".
      const def = (tpl as { name: string; template: string }[]).find((t) => t.name === 'default') ?? tpl[0];
      if (def) this.template = new Template(def.template);
    }
  }

  encode(text: string): number[] {
    return this.core.encode(text, { add_special_tokens: false }).ids;
  }

  /**
   * Text of `ids`, special tokens skipped. Ids past the tokenizer's vocabulary
   * (the padding rows of Qwen's 151,936-row embedding) have no text and are
   * dropped; an empty list is '' (the library itself throws on it).
   */
  decode(ids: readonly number[]): string {
    const known = ids.filter((id) => id < this.vocabSize);
    return known.length === 0 ? '' : this.core.decode(known, { skip_special_tokens: true });
  }

  tokenString(id: number): string {
    const s = this.core.id_to_token(id);
    if (s === undefined) throw new Error(`tokenString: id ${id} is not in the vocabulary (size ${this.vocabSize})`);
    return s;
  }

  get hasChatTemplate(): boolean {
    return this.template !== undefined;
  }

  /** Render the chat template (as transformers' apply_chat_template with tokenize=False). */
  applyChatTemplate(messages: ChatMessage[], opts: { addGenerationPrompt?: boolean; extra?: Record<string, unknown> } = {}): string {
    if (!this.template) throw new Error('applyChatTemplate: tokenizer_config.json has no chat_template');
    return this.template.render({
      messages,
      add_generation_prompt: opts.addGenerationPrompt ?? true,
      bos_token: this.bosText ?? '',
      eos_token: this.eosText,
      ...opts.extra,
      // (@huggingface/jinja itself provides raise_exception and strftime_now.)
    });
  }
}

/** Load `tokenizer.json` (+ optional `tokenizer_config.json`) from a directory. */
export function loadHfTokenizer(dir: string): HfTokenizer {
  const tj = path.join(dir, 'tokenizer.json');
  if (!existsSync(tj)) throw new Error(`${dir}: no tokenizer.json`);
  const cfgFile = path.join(dir, 'tokenizer_config.json');
  const cfg = existsSync(cfgFile) ? (JSON.parse(readFileSync(cfgFile, 'utf8')) as Record<string, unknown>) : {};
  // Fallback EOS: the model's config.json (an id, or a list whose first entry is the main one).
  let fallbackEos: number | undefined;
  const modelCfg = path.join(dir, 'config.json');
  if (existsSync(modelCfg)) {
    const e = (JSON.parse(readFileSync(modelCfg, 'utf8')) as { eos_token_id?: number | number[] }).eos_token_id;
    fallbackEos = Array.isArray(e) ? e[0] : e;
  }
  return new HfTokenizer(JSON.parse(readFileSync(tj, 'utf8')), cfg, dir, fallbackEos);
}
