import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBrevityRecipe } from '../../src/recipe/index.ts';
import { recipeJsonSchema } from '../../src/recipe/json-schema.ts';
import { readRecipe } from '../../src/recipe/load.ts';

const root = new URL('../..', import.meta.url).pathname;
// frontier.yaml is a suite of arms (src/frontier/suite.ts), not a recipe.
const recipes = readdirSync(join(root, 'recipes')).filter((f) => f.endsWith('.yaml') && f !== 'frontier.yaml');

describe('shipped recipes', () => {
  it('ships every recipe the issue lists', () => {
    for (const name of ['quickstart', 'grpo', 'dler', 'dler-difficulty', 'drpo', 'curriculum', 'grpo-lambda', 'l1-max', 'kimi', 'cosine', 'thinkprune', 'palu', 'hf-qwen-gpu']) {
      expect(recipes).toContain(`${name}.yaml`);
    }
  });
  it.each(recipes)('%s loads and validates', (f) => {
    const { recipe } = loadBrevityRecipe(join(root, 'recipes', f));
    expect(recipe.run.name).toBe(f.replace(/\.yaml$/, ''));
    expect(recipe.rewards.length).toBeGreaterThan(0);
    // every recipe lists only what it changes: it extends something
    expect(readFileSync(join(root, 'recipes', f), 'utf8')).toMatch(/^extends: /m);
  });
  it('method recipes combine the parts docs/methods.md describes', () => {
    const r = (n: string) => loadBrevityRecipe(join(root, 'recipes', `${n}.yaml`)).recipe;
    const dler = r('dler');
    expect(dler.rewards.map((s) => s.type)).toEqual(['dler']);
    expect(dler.advantage).toMatchObject({ type: 'batch-norm', correctBoost: 0.1 });
    expect(dler.loss).toMatchObject({ type: 'clipped', epsHigh: 0.28 });
    expect(dler.sampling.dynamic).toBe(true);
    expect(dler.rollout.n).toBe(16);
    const grpo = r('grpo');
    expect(grpo.rewards.map((s) => s.type)).toEqual(['correctness']);
    expect(grpo.budget).toMatchObject({ type: 'fixed', cap: grpo.rollout.maxTokens });
    expect(r('drpo').loss.type).toBe('drpo');
    expect(r('palu').budget.type).toBe('palu');
    expect(r('quickstart').advantage.type).toBe('batch-norm');
  });
  it('configs/ blocks are valid YAML mappings', () => {
    const walk = (d: string): string[] =>
      readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.yaml') ? [join(d, e.name)] : []));
    for (const f of walk(join(root, 'configs'))) expect(typeof readRecipe(f).data).toBe('object');
  });
  it('recipes/recipe.schema.json is up to date (npx tsx scripts/gen-recipe-schema.ts)', () => {
    const committed = JSON.parse(readFileSync(join(root, 'recipes/recipe.schema.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(recipeJsonSchema())));
  });
});
