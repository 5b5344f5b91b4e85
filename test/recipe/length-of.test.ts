/**
 * `lengthOf: response | thinking` as a recipe key on a length-based shaper:
 * it reaches the shaper through the real loader and registry, and bad values
 * fail at load with the file:line.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { combineRewards } from '../../rewards/combine.ts';
import { PromptHistory } from '../../rewards/history.ts';
import { resolveShaper } from '../../rewards/registry.ts';
import type { ScoredRollout } from '../../rewards/types.ts';
import { RecipeError, loadBrevityRecipe } from '../../src/recipe/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'brevity-lengthof-'));
const configsDir = resolve('configs');
function recipeFile(name: string, kimiExtra: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `extends: base\nrewards:\n  - type: correctness\n  - type: kimi\n${kimiExtra}`);
  return file;
}
const load = (file: string) => loadBrevityRecipe(file, { configsDir }).recipe;
function loadError(file: string): string {
  try {
    load(file);
  } catch (e) {
    if (e instanceof RecipeError) return e.message;
    throw e;
  }
  throw new Error('expected a RecipeError');
}

/** Two correct answers of one group: A = 100 tokens of which 10 thinking, B = 80 tokens of which 70 thinking. */
function batch(): ScoredRollout[] {
  const base = { promptId: 'p', groupIndex: 0, tokens: [], finish: 'stop' as const, correct: true, parsed: '1', format: {}, budget: { cap: 200 } };
  return [
    { ...base, sampleIndex: 0, length: 100, thinkingLength: 10 },
    { ...base, sampleIndex: 1, length: 80, thinkingLength: 70 },
  ];
}
const rewardsOf = (file: string) =>
  combineRewards(batch(), load(file).rewards.map((s) => resolveShaper(s)), { step: 0, history: new PromptHistory(), logMetric: () => {} }).rewards;

describe('recipe key lengthOf', () => {
  it('default is response: correctness 1 + kimi λ by total length (B shorter): A 1 − 0.5, B 1 + 0.5', () => {
    const file = recipeFile('plain', '');
    expect(load(file).rewards[1]).toMatchObject({ type: 'kimi', lengthOf: 'response' });
    expect(rewardsOf(file)).toEqual([0.5, 1.5]);
    expect(rewardsOf(recipeFile('explicit', '    lengthOf: response\n'))).toEqual([0.5, 1.5]);
  });
  it('thinking: kimi ranks by thinking tokens (A thought less): A 1 + 0.5, B 1 − 0.5', () => {
    const file = recipeFile('thinking', '    lengthOf: thinking\n');
    expect(load(file).rewards[1]).toMatchObject({ type: 'kimi', lengthOf: 'thinking' });
    expect(rewardsOf(file)).toEqual([1.5, 0.5]);
  });
  it('an invalid value fails at load with file:line and the valid values', () => {
    const file = recipeFile('typo', '    lengthOf: thinkng\n');
    expect(loadError(file)).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5: rewards\\[1\\]\\.lengthOf: .*response.*thinking`, 'm'));
  });
  it('a length-free shaper (correctness) rejects the key at load, with file:line', () => {
    const file = join(dir, 'free.yaml');
    writeFileSync(file, 'extends: base\nrewards:\n  - type: correctness\n    lengthOf: thinking\n');
    expect(loadError(file)).toContain(`${file}:4: rewards[0].lengthOf: unknown key`);
  });
});
