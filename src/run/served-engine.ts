/**
 * `rollout.engine: openai` for training: the OpenAI-compatible engine on the
 * recipe's `rollout.server`, with weight sync so the server follows the
 * policy. After each optimizer update the trainer calls the engine's
 * `updateWeights` (src/train/loop.ts, the same hook as the llama.cpp engine),
 * which writes `<checkpointDir>/v<N>/` in HF layout (config.json,
 * model.safetensors, tokenizer files) and has the server load it
 * (src/rollout/weight-sync.ts) before the next step's rollouts.
 */
import path from 'node:path';
import type { ModelConfig } from '../model/config.ts';
import type { Tokenizer } from '../model/tokenizer.ts';
import { RecipeError } from '../recipe/errors.ts';
import type { Recipe } from '../recipe/index.ts';
import { serverWeightSync } from '../recipe/sections/rollout.ts';
import { OpenAICompatibleEngine } from '../rollout/index.ts';
import type { RolloutEngine } from '../rollout/types.ts';

/** The served engine a training run samples from; RecipeError (exit 2) when the server cannot load new weights. */
export async function servedTrainingEngine(
  recipe: Recipe,
  o: { runDir: string; config: ModelConfig; tokenizer: Tokenizer; files: Record<string, string | Uint8Array>; log: (s: string) => void },
): Promise<RolloutEngine> {
  const s = recipe.rollout.server;
  if (!s) throw new RecipeError(['rollout.server: rollout.engine "openai" needs rollout.server (url, kind, model, weightSync); see docs/scale-out.md']);
  const sync = serverWeightSync(s);
  if (sync === 'none')
    throw new RecipeError([
      `rollout.server.weightSync: none — the ${s.kind} server at ${s.url} cannot load the updated policy, so training on it would sample a stale model. ` +
        'Set rollout.server.weightSync to sglang (SGLang update_weights_from_disk) or vllm (vLLM collective_rpc reload, VLLM_SERVER_DEV_MODE=1), ' +
        'or use rollout.engine tfjs / llama-cpp.',
    ]);
  const dir = path.resolve(s.checkpointDir ?? path.join(o.runDir, 'served-weights'));
  o.log(`rollout: ${s.kind} server ${s.url} (model ${s.model}); weights sync via ${sync} through ${dir}${s.serverDir ? ` (server sees ${s.serverDir})` : ''}`);
  return new OpenAICompatibleEngine(
    {
      baseUrl: s.url,
      model: s.model,
      server: s.kind,
      concurrency: s.concurrency,
      weightSync: { kind: sync, dir, ...(s.serverDir ? { serverDir: s.serverDir } : {}), config: o.config, files: o.files },
    },
    o.tokenizer,
    (msg) => o.log(`rollout (${s.kind} server): ${msg}`),
  );
}
