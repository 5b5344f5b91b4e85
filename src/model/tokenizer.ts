/**
 * One interface for the built-in fixed-vocabulary tokenizer and Hugging Face
 * `tokenizer.json` tokenizers.
 */
export interface Tokenizer {
  readonly vocabSize: number;
  readonly eosTokenId: number;
  readonly bosTokenId?: number;
  /** Token ids of `text`, without special tokens unless `text` spells them. */
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
  /** Special (control) tokens such as `<|im_start|>`, when the tokenizer knows them. */
  readonly specialTokenIds?: readonly number[];
  /** The vocabulary entry of one id, as GGUF export needs it (byte-level form for BPE). */
  tokenString(id: number): string;
}

/** One chat turn, as Hugging Face chat templates expect. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | (string & {});
  content: string;
}

/** Tokenizers that carry a chat template (Hugging Face ones) also implement this. */
export interface ChatTokenizer extends Tokenizer {
  readonly hasChatTemplate: boolean;
  /** `extra`: further template variables, e.g. `{ enable_thinking: false }` (Qwen3). */
  applyChatTemplate(messages: ChatMessage[], opts?: { addGenerationPrompt?: boolean; extra?: Record<string, unknown> }): string;
}
