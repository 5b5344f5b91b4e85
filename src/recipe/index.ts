import { basename } from 'node:path';
import { loadRecipe, readRecipe } from './load.ts';
import type { LoadOptions, LoadedRecipe } from './load.ts';
import { RecipeSchema } from './schema.ts';
import type { Recipe } from './schema.ts';
import { RecipeError } from './errors.ts';
import { formatIssues } from './format-issues.ts';
import { shippedPath } from '../util/data-dir.ts';

export { RecipeError, loadRecipe, readRecipe, RecipeSchema };
export type { LoadOptions, LoadedRecipe, Recipe };

/** The run name a recipe gets when it sets none: its file name without extension. */
export function defaultRunName(file: string): string {
  return basename(file).replace(/\.ya?ml$/, '').replace(/[^\w.-]/g, '_');
}

/**
 * Load a brevity recipe: read + extends + `--set`, default `run.name` to the
 * file name, validate against RecipeSchema, resolve a shipped model path
 * (`models/base` from any folder). Throws RecipeError. Creates
 * nothing on disk — callers make the run directory only after this returns.
 */
export function loadBrevityRecipe(file: string, opts: LoadOptions = {}): LoadedRecipe<Recipe> {
  const raw = readRecipe(file, opts);
  const run = (raw.data.run ??= {}) as Record<string, unknown>;
  if (typeof run === 'object' && run !== null && !Array.isArray(run) && run.name === undefined) {
    run.name = defaultRunName(file);
  }
  const r = RecipeSchema.safeParse(raw.data);
  if (!r.success) throw new RecipeError(formatIssues(r.error.issues, RecipeSchema, raw.data, raw.origins, { file }));
  r.data.model.checkpoint = shippedPath(r.data.model.checkpoint);
  return { recipe: r.data, files: raw.files };
}
