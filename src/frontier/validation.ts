/**
 * The validation split the learning-rate grid is selected on: the built-in
 * task's held-out partition drawn with another seed (disjoint from training
 * by construction), minus every problem of the test split, so selection
 * never sees a test problem.
 */
import type { Recipe } from '../recipe/index.ts';
import { taskFromSection } from '../eval/open-task.ts';
import type { Problem } from '../tasks/types.ts';
import type { Suite } from './suite.ts';

export function validationProblems(recipe: Recipe, v: Suite['validation']): Problem[] {
  const t = recipe.task;
  if (t.type !== 'arith') throw new Error(`frontier validation: task.type is "${t.type}"; a validation split is drawn from the built-in arith task only (give the suite an arith task)`);
  const test = new Set(taskFromSection(t).problems('test').map((p) => p.question));
  // Draw extra so that dropping the test problems still leaves `size`.
  const drawn = taskFromSection({ ...t, test: { ...t.test, seed: v.seed, size: Math.max(2 * v.size, v.size + 200) } }).problems('test');
  const kept = drawn.filter((p) => !test.has(p.question)).slice(0, v.size);
  if (kept.length < v.size) throw new Error(`frontier validation: only ${kept.length} of ${v.size} validation problems are outside the test split; lower validation.size`);
  return kept;
}
