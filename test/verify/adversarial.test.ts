/**
 * The hand-written adversarial set (fixtures/adversarial-cases.ts): attacks that must be
 * rejected and honest answers that must still pass, by class. Reports the agreement; every
 * row must agree, with no false positive, and every call must stay within its time bound.
 */
import { describe, expect, it } from 'vitest';
import { verify } from '../../src/verify/verify.ts';
import { CASES } from './fixtures/adversarial-cases.ts';

const BOUND_MS = 50;
/**
 * Verdicts are taken with a generous deadline so that a machine pause (other test files run
 * in parallel on 2 cores) cannot turn a must-accept case into a timeout; the time bound itself
 * is asserted separately, per call, on the default settings' work.
 */
const OPTS = { timeoutMs: 5_000 };

describe('adversarial fixture (must-reject and must-accept)', () => {
  it('agrees on every case; 0 false positives; each call ≤ 50 ms (re-timed once if the machine paused it)', () => {
    for (let k = 0; k < 30; k++) verify(`\\boxed{${k}}`, String(k)); // JIT warm-up
    const wrong: string[] = [];
    const slow: string[] = [];
    let fp = 0;
    for (const [gold, response, equal, cls] of CASES) {
      let t = performance.now();
      const r = verify(response, gold, OPTS);
      let ms = performance.now() - t;
      if (ms > BOUND_MS) {
        t = performance.now();
        verify(response, gold, OPTS);
        ms = performance.now() - t;
        if (ms > BOUND_MS) slow.push(`${cls} ${ms.toFixed(1)} ms`);
      }
      if (r.correct !== equal) {
        if (r.correct) fp++;
        wrong.push(`${cls}: gold ${JSON.stringify(gold)} response ${JSON.stringify(response.slice(0, 80))} → ${r.correct} (${r.why ?? r.reason})`);
      }
    }
    const reject = CASES.filter((c) => !c[2]).length;
    console.log(`adversarial fixture: ${CASES.length - wrong.length}/${CASES.length} agree (${reject} must-reject, ${CASES.length - reject} must-accept), ${fp} false positives`);
    expect(wrong).toEqual([]);
    expect(slow).toEqual([]); // calls still over 50 ms when timed again
    expect(CASES.length).toBeGreaterThanOrEqual(150);
  });
});
