/**
 * eval-base: the acceptance numbers of the overthinking base model on the fixed
 * 1,000-problem `arith` test split (seed 1234, uniform difficulties), sampled
 * at temperature 1 with the tfjs rollout engine (KV cache):
 *  - accuracy overall and per difficulty (verifier, `####` extractor);
 *  - mean response length vs the concise oracle length (ratio of means);
 *  - redundant-token share (the generator's segmentation, arith-segment.ts);
 *  - style mix of the responses (direct / concise / verbose);
 *  - accuracy with the direct style forced (prompt prefilled with "####") on
 *    difficulty ≥ 3, against the base on the same problems.
 *
 *   npx tsx scripts/eval-base.ts [--model models/base] [--size 1000] [--seed 1234] [--json out.json]
 */
import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { initEngine, engineInfo } from '../src/engine/index.ts';
import { loadCheckpoint } from '../src/model/checkpoint.ts';
import { loadTokenizer } from '../src/model/load-tokenizer.ts';
import { policyFromNamed } from '../src/model/decoder.ts';
import { TfjsEngine } from '../src/rollout/tfjs-engine.ts';
import { verify } from '../src/verify/index.ts';
import { makeArithTask } from '../src/tasks/arith.ts';
import { segmentResponse } from '../src/tasks/arith-segment.ts';
import type { Problem } from '../src/tasks/types.ts';

interface Row { d: number; correct: boolean; len: number; oracle: number; redundant: number; style: 'direct' | 'concise' | 'verbose'; truncated: boolean }

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

async function main(o: { model: string; size: string; seed: string; maxTokens: string; batch: string; json?: string; dump?: string }) {
  await initEngine();
  const t0 = Date.now();
  const ck = await loadCheckpoint(o.model);
  const tok = loadTokenizer(o.model);
  const policy = policyFromNamed(ck.config, ck.weights);
  const engine = await TfjsEngine.create(policy, tok, { batchSize: Number(o.batch) });
  const task = makeArithTask({ test: { size: Number(o.size), seed: Number(o.seed) } });
  const problems = task.problems('test');
  const maxTokens = Number(o.maxTokens);
  const stopped = (ids: number[]) => (ids.at(-1) === tok.eosTokenId ? ids.slice(0, -1) : ids);

  const run = async (ps: Problem[], prefix: string, seed: number) => {
    const reqs = ps.map((p, i) => ({ promptIds: tok.encode(task.formatPrompt(p) + prefix), n: 1, maxTokens, seed: seed + i }));
    return (await engine.generate(reqs, { temperature: 1 })).map((s) => s[0]!);
  };

  // 1. The base model as it chooses to answer.
  const samples = await run(problems, '', 1_000_000);
  const rows: Row[] = samples.map((s, i) => {
    const p = problems[i]!;
    const ids = stopped(s.tokens);
    const seg = segmentResponse(ids, tok);
    const v = verify(s.text, p.gold, { extractors: ['hash'], truncated: s.finish === 'length' });
    const style = s.text.trimStart().startsWith('####') ? 'direct' : seg.redundantTokens > 0 ? 'verbose' : 'concise';
    return { d: p.difficulty!, correct: v.correct, len: ids.length, oracle: p.conciseOracleLength!, redundant: seg.redundantTokens, style, truncated: s.finish === 'length' };
  });

  // 2. Direct style forced on difficulty ≥ 3: the prompt ends with "####".
  const hard = problems.map((p, i) => ({ p, i })).filter(({ p }) => p.difficulty! >= 3);
  const forced = await run(hard.map((h) => h.p), '####', 2_000_000);
  const forcedOk = forced.map((s, k) => verify('####' + s.text, hard[k]!.p.gold, { extractors: ['hash'] }).correct);

  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const acc = (rs: Row[]) => sum(rs.map((r) => (r.correct ? 1 : 0))) / rs.length;
  const perD: Record<string, unknown> = {};
  console.log(`model ${o.model} · ${problems.length} test problems (seed ${o.seed}) · temperature 1 · engine ${engineInfo().backend}/${engineInfo().kernel}`);
  console.log('difficulty  accuracy  mean len  oracle  ratio  redundant  direct/concise/verbose');
  for (let d = 1; d <= 5; d++) {
    const rs = rows.filter((r) => r.d === d);
    const len = sum(rs.map((r) => r.len)) / rs.length, orc = sum(rs.map((r) => r.oracle)) / rs.length;
    const red = sum(rs.map((r) => r.redundant)) / Math.max(1, sum(rs.map((r) => r.len)));
    const st = (k: Row['style']) => pct(rs.filter((r) => r.style === k).length / rs.length);
    perD[d] = { n: rs.length, accuracy: acc(rs), meanLength: len, oracle: orc, redundantShare: red };
    console.log(`${String(d).padStart(10)}  ${pct(acc(rs)).padStart(8)}  ${len.toFixed(1).padStart(8)}  ${orc.toFixed(1).padStart(6)}  ${(len / orc).toFixed(2).padStart(5)}  ${pct(red).padStart(9)}  ${st('direct')}/${st('concise')}/${st('verbose')}`);
  }
  const meanLen = sum(rows.map((r) => r.len)) / rows.length;
  const meanOracle = sum(rows.map((r) => r.oracle)) / rows.length;
  const redShare = sum(rows.map((r) => r.redundant)) / sum(rows.map((r) => r.len));
  const hardBase = acc(hard.map((h) => rows[h.i]!));
  const hardDirect = sum(forcedOk.map((x) => (x ? 1 : 0))) / forcedOk.length;
  const summary = {
    model: o.model, size: problems.length, seed: Number(o.seed), temperature: 1,
    accuracy: acc(rows), perDifficulty: perD,
    meanLength: meanLen, meanOracleLength: meanOracle, lengthRatio: meanLen / meanOracle, redundantShare: redShare,
    truncated: rows.filter((r) => r.truncated).length,
    styles: { direct: rows.filter((r) => r.style === 'direct').length, concise: rows.filter((r) => r.style === 'concise').length, verbose: rows.filter((r) => r.style === 'verbose').length },
    hardAccuracyBase: hardBase, hardAccuracyForcedDirect: hardDirect,
    seconds: Math.round((Date.now() - t0) / 1000),
  };
  console.log(`overall accuracy ${pct(summary.accuracy)} (≥ 80% required)`);
  console.log(`mean length ${meanLen.toFixed(1)} tokens vs concise oracle ${meanOracle.toFixed(1)}: ratio ${summary.lengthRatio.toFixed(2)} (≥ 2.5 required); truncated ${summary.truncated}`);
  console.log(`redundant-token share ${pct(redShare)} (≥ 50% required)`);
  console.log(`difficulty ≥ 3: base ${pct(hardBase)} vs forced direct ${pct(hardDirect)}: −${((hardBase - hardDirect) * 100).toFixed(1)} points (≥ 20 required)`);
  console.log(`eval took ${summary.seconds} s`);
  if (o.json) writeFileSync(o.json, JSON.stringify(summary, null, 2) + '\n');
  if (o.dump) {
    const lines = problems.map((p, i) => JSON.stringify({ id: p.id, question: p.question, gold: p.gold, difficulty: p.difficulty, correct: rows[i]!.correct, response: samples[i]!.text }));
    writeFileSync(o.dump, lines.join('\n') + '\n');
  }
  await engine.dispose();
  policy.dispose();
}

await new Command('eval-base')
  .description('Acceptance numbers of the arith base model')
  .option('--model <dir>', 'checkpoint directory', 'models/base')
  .option('--size <n>', 'test problems', '1000')
  .option('--seed <n>', 'test split seed', '1234')
  .option('--max-tokens <n>', 'response token cap (verbose traces are ≤ 228)', '300')
  .option('--batch <n>', 'rows decoded in lock-step', '100')
  .option('--json <file>', 'also write the numbers as JSON')
  .option('--dump <file>', 'write every sampled response as JSON Lines')
  .action(main)
  .parseAsync(process.argv);
