/** Where a value in a resolved recipe came from: a file and line, or a `--set` flag. */
export interface Origin {
  file: string;
  /** 1-based; absent when unknown (e.g. `--set`). */
  line?: number;
}

export function formatOrigin(o: Origin): string {
  return o.line === undefined ? o.file : `${o.file}:${o.line}`;
}

/**
 * A recipe could not be loaded. `message` is the full human-readable text: one
 * line per problem, each `file:line: key.path: what is wrong; did you mean …`.
 * The CLI prints it and exits with code 2 (usage/config error).
 */
export class RecipeError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.name = 'RecipeError';
    this.problems = problems;
  }
}

/** Key path as written in YAML/`--set`: `rewards[1].weight`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? String(seg) : `.${String(seg)}`;
  }
  return out === '' ? '(root)' : out;
}

/** Exit code for a bad recipe or bad arguments (1 is left for runtime failures). */
export const EXIT_CONFIG = 2;

/** Commander option parser that collects repeated `--set k=v` flags. */
export function collectSet(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Run a command body; a RecipeError prints its problems to stderr and exits
 * with EXIT_CONFIG, before the body could create anything on disk.
 */
export async function withRecipeErrors(body: () => Promise<void> | void): Promise<void> {
  try {
    await body();
  } catch (e) {
    if (e instanceof RecipeError) {
      process.stderr.write(`error: invalid recipe\n${e.problems.map((p) => `  ${p}`).join('\n')}\n`);
      process.exit(EXIT_CONFIG);
    }
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw e;
  }
}

/**
 * A usage error outside the recipe itself (a run directory that is in use or
 * holds another run, a flag out of range): printed as `error: <message>`,
 * exit code 2, like a RecipeError.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
