export { verify, verifyAnswer, type VerifyOptions } from './verify.ts';
export { extractAnswer, extractGold, DEFAULT_EXTRACTORS } from './extract.ts';
export type { Extractor, VerifyResult } from './types.ts';
