/**
 * Deterministic fakes for evaluation tests: a char-level tokenizer, a
 * 4-problem task and an engine whose responses have known lengths.
 */
import type { Tokenizer } from '../../src/model/tokenizer.ts';
import type { GenerateOptions, GenerateRequest, RolloutEngine, Sample } from '../../src/rollout/types.ts';
import type { Problem, Task } from '../../src/tasks/types.ts';
import type { VerifyResult } from '../../src/verify/types.ts';

export const charTokenizer: Tokenizer = {
  vocabSize: 256,
  eosTokenId: 0,
  encode: (t) => [...t].map((c) => c.charCodeAt(0)),
  decode: (ids) => String.fromCharCode(...ids),
  tokenString: (id) => String.fromCharCode(id),
};

export const problems: Problem[] = [
  { id: 'p0', question: 'a', gold: '1', difficulty: 1 },
  { id: 'p1', question: 'b', gold: '2', difficulty: 1 },
  { id: 'p2', question: 'c', gold: '3', difficulty: 2 },
  { id: 'p3', question: 'd', gold: '4', difficulty: 2 },
];

export const task: Task = {
  name: 'fake',
  extractors: ['hash'],
  answerTrigger: '\n#### ',
  problems: () => problems,
  formatPrompt: (p) => `Q${p.id.slice(1)}\n`,
};

/**
 * Problem i thinks for THINK[i]·scale chars then writes "#### <answer>" (p1
 * answers wrongly). A forced continuation answers gold for p2 and "0" for p3.
 */
export const THINK = [5, 10, 20, 40];
export function makeFakeEngine(scale = 1): RolloutEngine & { calls: GenerateRequest[][] } {
  const calls: GenerateRequest[][] = [];
  return {
    name: `fake-x${scale}`,
    calls,
    async generate(reqs: GenerateRequest[], _opts: GenerateOptions): Promise<Sample[][]> {
      calls.push(reqs);
      return reqs.map((r) => {
        const prompt = charTokenizer.decode(r.promptIds);
        const i = Number(prompt[1]);
        let text: string;
        if (prompt.endsWith('#### ')) text = i === 2 ? '3' : '0';
        else text = 'x'.repeat(Math.round(THINK[i] * scale)) + `#### ${i === 1 ? '9' : String(i + 1)}`;
        const tokens = charTokenizer.encode(text);
        const finish = tokens.length > r.maxTokens ? 'length' : 'stop';
        const kept = tokens.slice(0, r.maxTokens);
        return Array.from({ length: r.n }, () => ({ tokens: kept, text: charTokenizer.decode(kept), finish }));
      });
    },
    async dispose() {},
  };
}

export function fakeVerify(response: string, gold: string): VerifyResult {
  const m = [...response.matchAll(/#### (\S+)/g)].pop();
  const extracted = m ? m[1] : null;
  return { correct: extracted === gold, extracted, normalized: extracted, reason: extracted === null ? 'no_answer' : extracted === gold ? 'equal' : 'not_equal' };
}
