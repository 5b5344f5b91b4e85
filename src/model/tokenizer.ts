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
  /** The vocabulary entry of one id, as GGUF export needs it (byte-level form for BPE). */
  tokenString(id: number): string;
}
