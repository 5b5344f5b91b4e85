import { z } from 'zod';
import { RecipeSchema } from './schema.ts';

/**
 * JSON Schema of recipe files for editor completion (YAML language server:
 * `# yaml-language-server: $schema=./recipe.schema.json`). Generated from the
 * zod schema in input mode (keys with defaults are optional); `extends` is
 * added, and no top-level key is required because files in configs/ and
 * recipes that extend them hold only part of a recipe.
 */
export function recipeJsonSchema(): Record<string, unknown> {
  const s = z.toJSONSchema(RecipeSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown> & {
    properties: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  delete s.required;
  delete s.properties.run.required;
  s.properties.extends = {
    description: 'Files merged under this one, in order: names in configs/ (e.g. base, model/base) or other recipes, relative paths allowed',
    anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
  };
  s.title = 'brevity recipe';
  return s;
}
