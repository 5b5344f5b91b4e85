/**
 * npm run bench:decode — the tfjs rollout engine alone, old decoding path
 * (KV cache copied whole per token, finished rows kept: kvLayout concat,
 * compactAt 0) against the new one (tail cache + row compaction), on the
 * rollout of one bench:train step: `models/base` (else a random S model),
 * 16 arithmetic prompts × 8 samples, cap 128 tokens, temperature 1.
 * Both paths sample identical tokens (per-sample seeds), so the work is the
 * same; rounds alternate old, new so load changes hit both alike. Prints wall
 * and process-CPU seconds per rollout and new/old ratios per round.
 *
 * Options (environment): BENCH_ROUNDS (default 2), BENCH_MAX_TOKENS (128),
 * BENCH_PROMPTS (16), BENCH_N (8), BENCH_MODEL (checkpoint directory).
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { initEngine } from '../src/engine/index.ts';
import { builtinTokenizer } from '../src/model/builtin-tokenizer.ts';
import { loadCheckpoint } from '../src/model/checkpoint.ts';
import { parseModelConfig } from '../src/model/config.ts';
import { initPolicy, policyFromNamed, type Policy } from '../src/model/decoder.ts';
import { loadTokenizer } from '../src/model/load-tokenizer.ts';
import type { Tokenizer } from '../src/model/tokenizer.ts';
import { TfjsEngine } from '../src/rollout/tfjs-engine.ts';
import { makeArithTask } from '../src/tasks/index.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CAP = Number(process.env.BENCH_MAX_TOKENS ?? 128);
const PROMPTS = Number(process.env.BENCH_PROMPTS ?? 16);
const N = Number(process.env.BENCH_N ?? 8);
const MODEL = process.env.BENCH_MODEL ?? 'models/base';

await initEngine();
let policy: Policy;
let tokenizer: Tokenizer;
let source: string;
if (existsSync(path.join(MODEL, 'config.json'))) {
  const ck = await loadCheckpoint(MODEL);
  policy = policyFromNamed(ck.config, ck.weights);
  tokenizer = loadTokenizer(MODEL);
  source = MODEL;
} else {
  policy = initPolicy(parseModelConfig({
    arch: 'llama', vocabSize: builtinTokenizer.vocabSize, hiddenSize: 128, numLayers: 4, numHeads: 4, numKvHeads: 4, ffnSize: 512,
    eosTokenId: builtinTokenizer.eosTokenId, maxPositions: 512,
  }), 1);
  tokenizer = builtinTokenizer;
  source = 'random S model (no models/base)';
}
const task = makeArithTask({ train: { size: 2000, seed: 0 } });
const requests = task.problems('train').slice(0, PROMPTS).map((p, i) => ({
  promptIds: tokenizer.encode(task.formatPrompt(p)), n: N, maxTokens: CAP, seed: 1000 + i,
}));
const engines = {
  old: await TfjsEngine.create(policy, tokenizer, { kvLayout: 'concat', compactAt: 0 }),
  new: await TfjsEngine.create(policy, tokenizer),
};

async function time(which: 'old' | 'new') {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const out = await engines[which].generate(requests, { temperature: 1 });
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6, tokens: out.flat().reduce((a, s) => a + s.tokens.length, 0) };
}

console.log(`bench:decode — tfjs rollout, ${source}, ${PROMPTS} prompts × ${N} samples, cap ${CAP}; old = concat cache, no compaction; new = tail cache + compaction`);
await time('new'); // warm-up (kernels, packed weights)
console.log('round  old wall  new wall  new/old   old cpu  new cpu  new/old   tokens  load');
for (let r = 0; r < ROUNDS; r++) {
  const o = await time('old');
  const n = await time('new');
  if (o.tokens !== n.tokens) throw new Error(`old and new paths sampled different token counts (${o.tokens} vs ${n.tokens})`);
  console.log(`${String(r + 1).padEnd(6)} ${o.wall.toFixed(2).padStart(8)} ${n.wall.toFixed(2).padStart(9)} ${(n.wall / o.wall).toFixed(2).padStart(8)} ` +
    `${o.cpu.toFixed(2).padStart(9)} ${n.cpu.toFixed(2).padStart(8)} ${(n.cpu / o.cpu).toFixed(2).padStart(8)} ${String(n.tokens).padStart(8)}  ${loadavg()[0].toFixed(1)}`);
}
policy.dispose();
