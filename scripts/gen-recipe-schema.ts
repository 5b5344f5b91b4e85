/**
 * Regenerate recipes/recipe.schema.json from the zod recipe schema:
 *   npx tsx scripts/gen-recipe-schema.ts
 * (test/recipe/shipped.test.ts fails when the committed file is stale.)
 */
import { writeFileSync } from 'node:fs';
import { recipeJsonSchema } from '../src/recipe/json-schema.ts';

const out = new URL('../recipes/recipe.schema.json', import.meta.url);
writeFileSync(out, `${JSON.stringify(recipeJsonSchema(), null, 2)}\n`);
console.log(`wrote ${out.pathname}`);
