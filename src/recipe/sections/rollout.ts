import { z } from 'zod';

/**
 * `rollout.server:` — the served model the `openai` engine samples from
 * (vLLM, SGLang, llama-server or any OpenAI-compatible endpoint). The server
 * must start from `model.checkpoint` (the trainer's starting weights).
 */
export const RolloutServerSchema = z.strictObject({
  /** API root, e.g. `http://127.0.0.1:8001/v1`. */
  url: z.string().url(),
  /** Which server: picks the request fields that return token ids/log-probs, and whether one request asks for n samples. */
  kind: z.enum(['vllm', 'sglang', 'llama-server', 'generic']).default('generic'),
  /** The served model name (`--served-model-name`). */
  model: z.string().min(1).default('policy'),
  /**
   * The server API that loads new weights after each update: SGLang's
   * `update_weights_from_disk`, or vLLM's `collective_rpc` reload (dev mode).
   * `none`: the server cannot follow the policy, so training refuses to start
   * (eval against the endpoint still works). Default: `kind` when it is sglang
   * or vllm, else none.
   */
  weightSync: z.enum(['sglang', 'vllm', 'none']).optional(),
  /** Where each version is written in HF layout (`v<N>/`) for the server to read. Default `<run dir>/served-weights`. */
  checkpointDir: z.string().min(1).optional(),
  /** The same folder as the server sees it, when it differs (container mount). Default `checkpointDir`. */
  serverDir: z.string().min(1).optional(),
  /** In-flight requests (= pooled keep-alive sockets): 8 keeps one server busy without queueing storms. */
  concurrency: z.number().int().positive().default(8),
});
export type RolloutServer = z.infer<typeof RolloutServerSchema>;

/** The weight-sync API a server block resolves to (`weightSync`, else the server kind's own). */
export function serverWeightSync(s: RolloutServer): 'sglang' | 'vllm' | 'none' {
  return s.weightSync ?? (s.kind === 'sglang' || s.kind === 'vllm' ? s.kind : 'none');
}

/** `rollout:` — how training samples are generated. */
export const RolloutSchema = z
  .strictObject({
    /** `auto` picks the fastest available engine for the model size (see src/rollout). `openai` needs `server`. */
    engine: z.enum(['auto', 'tfjs', 'llama-cpp', 'openai']).default('auto'),
    /** Samples per prompt (group size). 8 is GRPO's common default; DLER uses 16. */
    n: z.number().int().min(2).default(8),
    /** 1 = sample from the policy itself (on-policy RL). */
    temperature: z.number().min(0).default(1),
    /** 1 = off: no hidden truncation of the distribution. */
    topP: z.number().gt(0).max(1).default(1),
    /** Hard cap on completion tokens; budget policies cap below it. */
    maxTokens: z.number().int().positive().default(256),
    /**
     * GGUF weight type of the `llama-cpp` engine. f32 samples the trainer's policy to ~1e-6;
     * q8_0 is faster on larger models but samples a slightly different one — watch
     * `mismatch/kl` and consider `loss.rolloutCorrection` (docs/training.md).
     */
    llamaDtype: z.enum(['f32', 'f16', 'q8_0']).default('f32'),
    /** The served model for `engine: openai` (docs/scale-out.md). */
    server: RolloutServerSchema.optional(),
  })
  .superRefine((r, ctx) => {
    if (r.engine === 'openai' && !r.server)
      ctx.addIssue({
        code: 'custom',
        path: ['server'],
        message:
          'rollout.engine "openai" trains on a served model and needs rollout.server, e.g. ' +
          'server: { url: http://127.0.0.1:8001/v1, kind: vllm, model: policy, weightSync: vllm } ' +
          '(weightSync: sglang | vllm is how the server loads each update; see docs/scale-out.md)',
      });
  });
export type RolloutSection = z.infer<typeof RolloutSchema>;
