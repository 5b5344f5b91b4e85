import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RecipeError, loadRecipe, readRecipe } from '../../src/recipe/index.ts';
import { deepMerge } from '../../src/recipe/merge.ts';
import { editDistance, nearest } from '../../src/util/nearest.ts';
import { parseSet } from '../../src/recipe/set.ts';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'brevity-recipe-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

function errorOf(f: () => unknown): RecipeError {
  try {
    f();
  } catch (e) {
    if (e instanceof RecipeError) return e;
    throw e;
  }
  throw new Error('expected a RecipeError');
}

/** A small schema: the loader is generic and must work with any. */
const Tiny = z.strictObject({
  train: z.strictObject({ lr: z.number(), steps: z.number().int().default(10) }),
  rewards: z.array(
    z.discriminatedUnion('type', [
      z.strictObject({ type: z.literal('kimi'), weight: z.number().default(1) }),
      z.strictObject({ type: z.literal('dler'), weight: z.number().default(1) }),
    ]),
  ),
  tags: z.array(z.string()).default([]),
});

describe('helpers', () => {
  it('edit distance counts a transposition as one edit', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('temprature', 'temperature')).toBe(1);
    expect(editDistance('setps', 'steps')).toBe(1);
    expect(nearest('kimmi', ['dler', 'kimi', 'cosine'])).toBe('kimi');
    expect(nearest('zzzzzz', ['dler', 'kimi'])).toBeUndefined();
  });
  it('deep merge: objects merge, arrays and scalars replace, inputs untouched', () => {
    const base = { a: { x: 1, y: [1, 2, 3] }, b: 1 };
    const m = deepMerge(base, { a: { y: [9] }, c: 2 });
    expect(m).toEqual({ a: { x: 1, y: [9] }, b: 1, c: 2 });
    expect(base.a.y).toEqual([1, 2, 3]);
  });
  it('--set values are YAML', () => {
    expect(parseSet('train.lr=1e-5')).toMatchObject({ path: ['train', 'lr'], value: 1e-5 });
    expect(parseSet('eval.budgets=[16, 32]').value).toEqual([16, 32]);
    expect(parseSet('rewards.0.weight=2').path).toEqual(['rewards', 0, 'weight']);
    expect(parseSet('run.name=abc').value).toBe('abc');
  });
});

describe('loadRecipe', () => {
  const dir = tree({
    'configs/base.yaml': 'train:\n  lr: 0.1\n  steps: 5\nrewards:\n  - type: kimi\ntags: [a, b]\n',
    'configs/extra.yaml': 'tags: [c]\n',
    'recipes/ok.yaml': 'extends: [base, extra]\ntrain:\n  lr: 0.01\n',
    'recipes/child.yaml': 'extends: ok\nrewards:\n  - type: dler\n    weight: 2\n',
    'recipes/typo.yaml': 'extends: base\ntrain:\n  lr: 0.1\n  setps: 3\n',
    'recipes/type.yaml': 'extends: base\ntrain:\n  lr: fast\n',
    'recipes/shaper.yaml': 'extends: base\nrewards:\n  - type: dler\n  - type: kimmi\n',
    'recipes/missing.yaml': 'train:\n  lr: 1\nextends: [base, nothere]\n',
    'recipes/near.yaml': 'extends: bse\n',
    'recipes/cycle-a.yaml': 'extends: cycle-b\n',
    'recipes/cycle-b.yaml': 'extends: cycle-a\n',
    'recipes/syntax.yaml': 'train:\n  lr: [1,\n',
  });
  const r = (n: string) => join(dir, 'recipes', n);

  it('merges extends in order (objects merge, arrays replace) and fills defaults', () => {
    const { recipe, files } = loadRecipe(r('ok.yaml'), Tiny);
    expect(recipe).toEqual({ train: { lr: 0.01, steps: 5 }, rewards: [{ type: 'kimi', weight: 1 }], tags: ['c'] });
    expect(files.map((f) => f.replace(dir, ''))).toEqual(['/configs/base.yaml', '/configs/extra.yaml', '/recipes/ok.yaml']);
  });
  it('extends other recipes transitively; lists replace', () => {
    const { recipe } = loadRecipe(r('child.yaml'), Tiny);
    expect(recipe.rewards).toEqual([{ type: 'dler', weight: 2 }]);
    expect(recipe.train.lr).toBe(0.01);
  });
  it('applies --set after all files', () => {
    const { recipe } = loadRecipe(r('ok.yaml'), Tiny, { set: ['train.lr=1e-5', 'tags=[x]', 'rewards.0.weight=3'] });
    expect(recipe.train.lr).toBe(1e-5);
    expect(recipe.tags).toEqual(['x']);
    expect(recipe.rewards[0].weight).toBe(3);
    // a different type replaces the block, as in extends
    expect(loadRecipe(r('ok.yaml'), Tiny, { set: ['rewards.0.weight=3', 'rewards.0.type=dler'] }).recipe.rewards[0]).toEqual({ type: 'dler', weight: 1 });
    expect(loadRecipe(r('ok.yaml'), Tiny, { set: ['rewards.0.type=kimi', 'rewards.0.weight=3'] }).recipe.rewards[0]).toEqual({ type: 'kimi', weight: 3 });
  });
  it('typo’d key: file:line, key path, nearest key', () => {
    const e = errorOf(() => loadRecipe(r('typo.yaml'), Tiny));
    expect(e.message).toContain(`${r('typo.yaml')}:4: train.setps: unknown key; did you mean "steps"?`);
  });
  it('wrong type: file:line, key path, expected vs got', () => {
    const e = errorOf(() => loadRecipe(r('type.yaml'), Tiny));
    expect(e.message).toContain(`${r('type.yaml')}:3: train.lr: expected number, got string "fast"`);
  });
  it('unknown registry name: nearest name and the valid names', () => {
    const e = errorOf(() => loadRecipe(r('shaper.yaml'), Tiny));
    expect(e.message).toContain(`${r('shaper.yaml')}:4: rewards[1].type: unknown reward shaper "kimmi"; did you mean "kimi"?; expected one of: kimi, dler`);
  });
  it('a value inherited from a base file is reported at the base file’s line', () => {
    const e = errorOf(() => loadRecipe(r('ok.yaml'), Tiny, { set: ['rewards.0.type=dlr'] }));
    expect(e.message).toMatch(/^--set rewards\.0\.type=dlr: rewards\[0\]\.type: unknown reward shaper "dlr"; did you mean "dler"\?/);
    const e2 = errorOf(() => loadRecipe(r('ok.yaml'), z.strictObject({ train: z.strictObject({ lr: z.number(), steps: z.string() }) }).loose()));
    expect(e2.message).toContain(`${join(dir, 'configs/base.yaml')}:3: train.steps: expected string, got number 5`);
  });
  it('missing extends file names the referencing line', () => {
    const e = errorOf(() => loadRecipe(r('missing.yaml'), Tiny));
    expect(e.message).toMatch(new RegExp(`^${r('missing.yaml')}:3: extends: cannot find "nothere"`));
    expect(errorOf(() => loadRecipe(r('near.yaml'), Tiny)).message).toContain('did you mean "base"?');
  });
  it('bad --set: no "=", bad path, bad YAML value', () => {
    expect(errorOf(() => loadRecipe(r('ok.yaml'), Tiny, { set: ['train.lr'] })).message).toMatch(/--set train\.lr: expected key\.path=value/);
    expect(errorOf(() => loadRecipe(r('ok.yaml'), Tiny, { set: ['train..lr=1'] })).message).toMatch(/is not a key path/);
    expect(errorOf(() => loadRecipe(r('ok.yaml'), Tiny, { set: ['train.lr=[1,'] })).message).toMatch(/not valid YAML/);
    expect(errorOf(() => loadRecipe(r('ok.yaml'), Tiny, { set: ['train.lr.x=1'] })).message).toMatch(/train\.lr is a number/);
  });
  it('YAML syntax errors and cycles name the file', () => {
    expect(errorOf(() => readRecipe(r('syntax.yaml'))).message).toMatch(/syntax\.yaml:\d+: YAML syntax error/);
    expect(errorOf(() => readRecipe(r('cycle-a.yaml'))).message).toMatch(/extends cycle/);
    expect(errorOf(() => readRecipe(r('nope.yaml'))).message).toMatch(/recipe file not found/);
  });
});
