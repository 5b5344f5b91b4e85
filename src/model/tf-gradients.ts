/**
 * Registers tfjs-core's gradient functions — import this module (side effect)
 * before using `tf.grads` / optimizers. Importing it more than once is free.
 *
 * Why: `@tensorflow/tfjs-core`'s Node build registers no gradients, and its
 * `dist/register_all_gradients.js` is ESM with extension-less / directory
 * imports that Node's and tsx's resolvers reject (vitest's resolver accepts
 * them). So: try that import (works under vitest); otherwise bundle the same
 * file with esbuild (a dependency of tsx, so always installed), cache the
 * bundle under node_modules/.cache/brevity/, and import it. The bundle holds a
 * private copy of tfjs-core's op code, but tfjs keeps its engine and registries
 * on globalThis and duck-types `instanceof Tensor`, so the registered
 * gradients run on the one shared engine.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdirSync, existsSync, writeFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

async function registerAllGradients(): Promise<void> {
  if (tf.getGradient('Neg') != null) return;
  try {
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js' as string);
    if (tf.getGradient('Neg') != null) return;
  } catch {
    // fall through to the bundled copy
  }
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  const version = (require('@tensorflow/tfjs-core/package.json') as { version: string }).version;
  const cacheDir = path.resolve(path.dirname(require.resolve('@tensorflow/tfjs-core/package.json')), '../../.cache/brevity');
  const file = path.join(cacheDir, `tfjs-gradients-${version}.mjs`);
  if (!existsSync(file)) {
    const esbuild = (await import('esbuild' as string)) as typeof import('esbuild');
    const out = await esbuild.build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'node', write: false, minify: true, logLevel: 'error' });
    const code = out.outputFiles[0].text;
    try {
      mkdirSync(cacheDir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, code);
      renameSync(tmp, file);
    } catch {
      await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
      return;
    }
  }
  await import(pathToFileURL(file).href);
  if (tf.getGradient('Neg') == null) throw new Error('tf-gradients: registering tfjs-core gradients failed');
}

await registerAllGradients();
