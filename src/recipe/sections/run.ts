import { z } from 'zod';

/** `run:` — where results go: `<outputDir>/<name>/`. */
export const RunSchema = z.strictObject({
  /** Defaults to the recipe file's name (set by the loader). */
  name: z.string().regex(/^[\w.-]+$/, 'use letters, digits, "-", "_" and "." only (it becomes a directory name)'),
  outputDir: z.string().default('runs'),
});
export type RunSection = z.infer<typeof RunSchema>;
