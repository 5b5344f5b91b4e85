/**
 * Engine-independent acceptance checks, run against each local engine:
 * chi-square of next-token frequencies vs the model's softmax, greedy,
 * seeds (alone vs batched), maxTokens/EOS/finish, log-probs.
 */
import { expect, it } from 'vitest';
import type { ModelConfig, NamedTensors } from '../../src/model/config.ts';
import type { RolloutEngine, Sample } from '../../src/rollout/types.ts';
import { referenceLogits, softmax, to64 } from '../model/reference.ts';

/** Pearson chi-square statistic of counts vs probabilities (bins with expected < 5 pooled). */
export function chiSquare(counts: number[], probs: number[]): { stat: number; df: number } {
  const N = counts.reduce((a, b) => a + b, 0);
  let stat = 0, df = -1, poolO = 0, poolE = 0;
  probs.forEach((p, i) => {
    const e = p * N;
    if (e < 5) { poolO += counts[i]; poolE += e; return; }
    stat += (counts[i] - e) ** 2 / e;
    df++;
  });
  if (poolE > 0) { stat += (poolO - poolE) ** 2 / Math.max(poolE, 1e-9); df++; }
  return { stat, df };
}
/** Upper 0.1% critical values of chi-square for df 1..20. */
const CHI2_999 = [10.83, 13.82, 16.27, 18.47, 20.52, 22.46, 24.32, 26.12, 27.88, 29.59, 31.26, 32.91, 34.53, 36.12, 37.7, 39.25, 40.79, 42.31, 43.82, 45.31];

export interface ConformanceSetup {
  engine: () => RolloutEngine;
  config: ModelConfig;
  weights: NamedTensors;
  /** Samples for the chi-square test. */
  draws: number;
}

function greedyReference(cfg: ModelConfig, w: NamedTensors, prompt: number[], steps: number): number[] {
  const w64 = to64(w);
  const seq = [...prompt];
  const out: number[] = [];
  for (let i = 0; i < steps; i++) {
    const l = referenceLogits(cfg, w64, seq).at(-1)!;
    let arg = 0;
    for (let v = 1; v < l.length; v++) if (l[v] > l[arg]) arg = v;
    out.push(arg);
    seq.push(arg);
    if (arg === cfg.eosTokenId) break;
  }
  return out;
}

export function conformance(s: ConformanceSetup): void {
  const prompt = [3, 7, 1, 9];

  it('next-token frequencies match the softmax (chi-square, T=1 and T=0.7)', async () => {
    const logits = referenceLogits(s.config, to64(s.weights), prompt).at(-1)!;
    for (const T of [1, 0.7]) {
      const [samples] = await s.engine().generate([{ promptIds: prompt, n: s.draws, maxTokens: 1, seed: 12345 }], { temperature: T });
      const counts = new Array(s.config.vocabSize).fill(0);
      for (const x of samples) counts[x.tokens[0]]++;
      const { stat, df } = chiSquare(counts, softmax(logits, T));
      expect(stat, `T=${T} chi2=${stat} df=${df}`).toBeLessThan(CHI2_999[df - 1]);
      // Power check: the same counts are far from a different temperature's softmax.
      expect(chiSquare(counts, softmax(logits, T * 2)).stat).toBeGreaterThan(CHI2_999[df - 1]);
    }
  });

  it('temperature 0 is greedy', async () => {
    const want = greedyReference(s.config, s.weights, prompt, 6);
    const [samples] = await s.engine().generate([{ promptIds: prompt, n: 3, maxTokens: 6, seed: 1 }], { temperature: 0 });
    for (const x of samples) expect(x.tokens).toEqual(want);
  });

  it('same seed ⇒ same samples, different seeds ⇒ different, also batched with others', async () => {
    const e = s.engine();
    const req = { promptIds: prompt, n: 4, maxTokens: 12, seed: 77 };
    const opts = { temperature: 1, stopTokenIds: [] as number[] };
    const [alone] = await e.generate([req], opts);
    const batched = await e.generate(
      [{ promptIds: [5, 5], n: 7, maxTokens: 9, seed: 3 }, req, { promptIds: [2, 4, 6, 8, 10], n: 5, maxTokens: 12, seed: 78 }],
      opts,
    );
    expect(batched[1].map((x) => x.tokens)).toEqual(alone.map((x) => x.tokens));
    const [other] = await e.generate([{ ...req, seed: 78 }], opts);
    expect(other.map((x) => x.tokens)).not.toEqual(alone.map((x) => x.tokens));
    // Samples within one request differ from each other (distinct derived seeds).
    expect(new Set(alone.map((x) => x.tokens.join(','))).size).toBeGreaterThan(1);
  });

  it('honours maxTokens and stop tokens per request with the right finish', async () => {
    const logits = referenceLogits(s.config, to64(s.weights), prompt).at(-1)!;
    const p = softmax(logits);
    // Stop on the three most likely tokens so both finishes occur.
    const stops = p.map((v, i) => [v, i]).sort((a, b) => b[0] - a[0]).slice(0, 3).map((x) => x[1]);
    const stopSet = new Set([s.config.eosTokenId, ...stops]);
    const reqs = [0, 1, 3, 8].map((m, i) => ({ promptIds: prompt, n: 6, maxTokens: m, seed: 100 + i }));
    const out = await s.engine().generate(reqs, { temperature: 1, stopTokenIds: stops });
    const finishes = new Set<string>();
    out.forEach((samples: Sample[], i) => {
      expect(samples).toHaveLength(6);
      for (const x of samples) {
        finishes.add(x.finish);
        expect(x.tokens.length).toBeLessThanOrEqual(reqs[i].maxTokens);
        expect(x.tokens.slice(0, -1).some((t) => stopSet.has(t))).toBe(false);
        if (x.finish === 'stop') expect(stopSet.has(x.tokens.at(-1)!)).toBe(true);
        else expect(x.tokens.length === reqs[i].maxTokens && !stopSet.has(x.tokens.at(-1) ?? -1)).toBe(true);
      }
    });
    expect(finishes).toEqual(new Set(['stop', 'length']));
  });

  it('per-token log-probs equal log softmax(logits/T) of the model', async () => {
    const T = 0.8;
    const [samples] = await s.engine().generate([{ promptIds: prompt, n: 2, maxTokens: 5, seed: 9 }], { temperature: T, logprobs: true, stopTokenIds: [] });
    for (const x of samples) {
      const ref = referenceLogits(s.config, to64(s.weights), [...prompt, ...x.tokens]);
      x.tokens.forEach((t, i) => {
        const want = Math.log(softmax(ref[prompt.length - 1 + i], T)[t]);
        expect(Math.abs(x.logprobs![i] - want)).toBeLessThan(2e-4);
      });
    }
  });

  conformanceTopP(s, prompt);
}

/**
 * The trainer's mismatch correction needs log μ of the distribution actually
 * sampled: with top-p, the nucleus renormalised (llama.cpp cuts at T = 1 and
 * then applies T; at T = 1 both engines keep the same nucleus).
 */
export function conformanceTopP(s: Pick<ConformanceSetup, 'engine' | 'config' | 'weights'>, prompt: number[]): void {
  it('with top-p, log-probs are of the renormalised nucleus: log(p / nucleus mass)', async () => {
    const topP = 0.7;
    const [samples] = await s.engine().generate([{ promptIds: prompt, n: 3, maxTokens: 4, seed: 21 }], { temperature: 1, topP, logprobs: true, stopTokenIds: [] });
    let cut = 0;
    for (const x of samples) {
      const ref = referenceLogits(s.config, to64(s.weights), [...prompt, ...x.tokens]);
      x.tokens.forEach((t, i) => {
        const p = softmax(ref[prompt.length - 1 + i]);
        const sorted = [...p].sort((a, b) => b - a);
        let mass = 0;
        for (const v of sorted) if (mass < topP) mass += v;
        expect(Math.abs(x.logprobs![i] - Math.log(p[t] / mass))).toBeLessThan(2e-4);
        if (mass < 0.999) cut++;
      });
    }
    expect(cut).toBeGreaterThan(0); // the nucleus really excluded some mass
  });
}
