/**
 * Hostile recipe input: reserved JavaScript key names, prototype pollution
 * through merges, and files built to exhaust the parser (depth, size, node
 * count, alias bombs) — each refused quickly with a RecipeError (exit 2)
 * naming the file.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecipeError, readRecipe } from '../../src/recipe/index.ts';
import { deepMerge } from '../../src/recipe/merge.ts';
import { applySet, parseSet } from '../../src/recipe/set.ts';
import { YAML_LIMITS } from '../../src/recipe/yaml-source.ts';

const dir = mkdtempSync(join(tmpdir(), 'brevity-untrusted-'));
const file = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

/** The RecipeError and how long it took to get it. */
function refused(f: () => unknown): { message: string; ms: number } {
  const t0 = performance.now();
  try {
    f();
  } catch (e) {
    if (!(e instanceof RecipeError)) throw e;
    return { message: e.message, ms: performance.now() - t0 };
  }
  throw new Error('expected a RecipeError');
}

describe('untrusted keys', () => {
  it('--set refuses __proto__, constructor and prototype anywhere in the path', () => {
    for (const p of ['__proto__.x', 'train.__proto__.polluted', 'constructor.prototype.x', 'train.prototype', 'a.constructor']) {
      expect(refused(() => parseSet(`${p}=1`)).message).toMatch(/is not a recipe setting \(reserved JavaScript name\)/);
    }
    // applySet checks too (a path built in code, not parsed from a flag).
    expect(() => applySet({}, { path: ['train', '__proto__', 'x'], value: 1, raw: 'x' })).toThrow(RecipeError);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    // Inherited names are not treated as existing settings.
    const t: Record<string, unknown> = {};
    applySet(t, parseSet('toString.x=1'));
    expect(t).toEqual({ toString: { x: 1 } });
  });

  it('a YAML key named __proto__ (or constructor/prototype) is refused with file:line', () => {
    const f = file('proto.yaml', 'train:\n  lr: 1\n  __proto__:\n    polluted: 1\n');
    expect(refused(() => readRecipe(f)).message).toMatch(/proto\.yaml:3: key "__proto__" is not allowed/);
    const g = file('ctor.yaml', 'model:\n  constructor: 1\n');
    expect(refused(() => readRecipe(g)).message).toMatch(/ctor\.yaml:2: key "constructor" is not allowed/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('deepMerge never touches a prototype, even with a "__proto__" own key in its input', () => {
    const hostile = JSON.parse('{"__proto__": {"polluted": 1}, "a": {"__proto__": {"deep": 2}}}') as Record<string, unknown>;
    const out = deepMerge({ a: { b: 1 } }, hostile) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).deep).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(out.a)).toBe(Object.prototype);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect((out.a as Record<string, unknown>).b).toBe(1);
  });
});

describe('bounded parsing', () => {
  it('deep flow nesting, deep indentation, oversize files, too many keys and alias bombs: refused in milliseconds, naming the file', () => {
    const cases: [string, string, RegExp][] = [
      ['deep-flow.yaml', `model: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`, /deep-flow\.yaml:1: nested 20000 levels deep/],
      ['deep-block.yaml', Array.from({ length: 300 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n') + ' 1\n', /deep-block\.yaml:\d+: indented \d+ columns/],
      ['huge.yaml', `train:\n${'  # padding\n'.repeat(YAML_LIMITS.bytes / 8)}`, /huge\.yaml: \d+ bytes; a recipe is at most/],
      ['wide.yaml', `train:\n${Array.from({ length: 20_000 }, (_, i) => `  u${i}: 1\n`).join('')}`, /wide\.yaml: more than 5000 keys and values/],
      [
        'bomb.yaml',
        'a: &a [x, x, x, x, x, x, x, x, x]\n' + 'bcdefgh'.split('').map((c, i) => `${c}: &${c} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(', ')}]\n`).join(''),
        /bomb\.yaml: .*(alias|resource exhaustion)/i,
      ],
      ['many-aliases.yaml', `a: &a 1\nb: [${Array(150).fill('*a').join(', ')}]\n`, /many-aliases\.yaml: 150 YAML aliases/],
    ];
    for (const [name, text, re] of cases) {
      const f = file(name, text);
      const r = refused(() => readRecipe(f));
      expect(r.message, name).toMatch(re);
      // Generous for a loaded CI machine; these took 14 s to minutes before the bounds.
      expect(r.ms, name).toBeLessThan(1500);
    }
  });

  it('a duplicate key is still an error with its line (the check moved out of the parser)', () => {
    const f = file('dup.yaml', 'train:\n  lr: 1\n  lr: 2\n');
    expect(refused(() => readRecipe(f)).message).toMatch(/dup\.yaml:3: YAML syntax error: Map keys must be unique/);
  });
});
