// An embeddings request through the pipeline: cached (embeddings are deterministic), fallback across targets.
import { cacheControls } from './cache.ts';
import { cacheKey, canonicalJson, EMBEDDING_KEY_FIELDS, pickFields } from './cache-key.ts';
import { type ChatCall, callTargets } from './chat.ts';
import { type Answer, answer } from './gateway.ts';
import { UnsupportedRequest } from './protocols/chat-to-anthropic.ts';
import { readEmbeddings } from './protocols/openai.ts';
import type { EmbeddingsRequest } from './protocols/openai-schema.ts';
import { runTargets } from './targets.ts';

/** One validated embeddings request; the same surroundings as a chat call. */
export type EmbeddingsCall = Omit<ChatCall, 'body'> & { body: EmbeddingsRequest };

/** Answers an embeddings request: cache, shared in-flight call, targets, stale entry; no degraded reply. */
export async function embeddingsAnswer(call: EmbeddingsCall): Promise<Answer> {
  const { body, config } = call;
  const controls = cacheControls(call.cacheControl, call.cacheTtl, config.raw.cache);
  const key =
    call.kv !== undefined && controls.store
      ? await cacheKey('embeddings', call.client, config.version, canonicalJson(pickFields(body, EMBEDDING_KEY_FIELDS)))
      : undefined;
  const cache = {
    kv: call.kv,
    key,
    controls,
    staleIfErrorSeconds: config.raw.cache.staleIfErrorSeconds,
    stream: false,
    clientWantsUsage: false,
    waitUntil: call.waitUntil,
  };
  const run = () =>
    runTargets({
      prepare: (target) => {
        if (target.provider.protocol !== 'openai') throw new UnsupportedRequest('embeddings (Anthropic has no embeddings API)');
        const request = JSON.stringify({ ...body, model: target.model });
        return { protocol: 'openai', path: '/embeddings', body: request, readSuccess: readEmbeddings };
      },
      stream: false,
      clientWantsUsage: false,
      choices: 1,
      assemble: false,
      ...callTargets(call),
    });
  return answer(cache, run, () => undefined);
}
