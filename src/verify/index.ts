export { verify, verifyAnswer, clearCaches, type VerifyOptions } from './verify.ts';
export { extractAnswer, extractGold, DEFAULT_EXTRACTORS } from './extract.ts';
export type { Extractor, VerifyResult } from './types.ts';
export { optionsFromConfig, usesNonDefault, CaseConfig } from './case-config.ts';
