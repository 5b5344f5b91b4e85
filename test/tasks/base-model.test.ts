import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { initEngine } from '../../src/engine/index.ts';
import { loadCheckpoint } from '../../src/model/checkpoint.ts';
import { loadTokenizer } from '../../src/model/load-tokenizer.ts';
import { BuiltinTokenizer } from '../../src/model/builtin-tokenizer.ts';
import { policyFromNamed } from '../../src/model/decoder.ts';
import { TfjsEngine } from '../../src/rollout/tfjs-engine.ts';
import { verify } from '../../src/verify/index.ts';
import { makeArithTask } from '../../src/tasks/arith.ts';

const DIR = process.env.BREVITY_BASE_MODEL ?? 'models/base';

describe.skipIf(!existsSync(`${DIR}/config.json`))('shipped base model (models/base)', () => {
  it('loads with the policy-model loader and the built-in tokenizer', async () => {
    await initEngine();
    const ck = await loadCheckpoint(DIR);
    const tok = loadTokenizer(DIR);
    expect(tok).toBeInstanceOf(BuiltinTokenizer);
    expect(ck.config).toMatchObject({ vocabSize: tok.vocabSize, hiddenSize: 128, numLayers: 4, numHeads: 4, ffnSize: 512, eosTokenId: tok.eosTokenId });
  });

  it('solves easy test problems greedily', async () => {
    await initEngine();
    const ck = await loadCheckpoint(DIR);
    const tok = loadTokenizer(DIR);
    const policy = policyFromNamed(ck.config, ck.weights);
    const engine = await TfjsEngine.create(policy, tok, { batchSize: 16 });
    const task = makeArithTask();
    const easy = task.problems('test').filter((p) => p.difficulty === 1).slice(0, 16);
    const out = await engine.generate(easy.map((p, i) => ({ promptIds: tok.encode(task.formatPrompt(p)), n: 1, maxTokens: 160, seed: i })), { temperature: 0 });
    const ok = out.filter((s, i) => verify(s[0]!.text, easy[i]!.gold, { extractors: ['hash'] }).correct).length;
    expect(ok).toBeGreaterThanOrEqual(14);
    await engine.dispose();
    policy.dispose();
  });
});
