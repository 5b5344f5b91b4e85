import { describe, expect, it } from 'vitest';
import { taskFromFlag, taskFromSection } from '../../src/eval/open-task.ts';
import { loadBrevityRecipe } from '../../src/recipe/index.ts';

const root = new URL('../..', import.meta.url).pathname;

describe('tasks for evaluation', () => {
  it('a recipe task section and the --task flag give the same built-in test split', () => {
    const { recipe } = loadBrevityRecipe(`${root}/recipes/grpo.yaml`);
    const a = taskFromSection(recipe.task).problems('test');
    const b = taskFromFlag('arith').problems('test');
    expect(a.length).toBe(1000);
    expect(a.slice(0, 20)).toEqual(b.slice(0, 20));
  });
  it('shared-data presets and bad flags', () => {
    expect(taskFromFlag('gsm8k').problems('test').length).toBeGreaterThan(1000);
    expect(taskFromFlag('math500').extractors).toEqual(['boxed']);
    expect(() => taskFromFlag('gsm9k')).toThrow(/expected arith, gsm8k, math500 or a \.jsonl file/);
    expect(() => taskFromFlag('nope.jsonl')).toThrow(/file not found/);
  });
});
