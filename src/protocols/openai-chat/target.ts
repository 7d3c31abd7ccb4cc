// OpenAI-compatible targets: Chat Completions and embeddings as the caller wrote them, or translated chat, with a Bearer key.
import type { ResolvedTarget } from '../../config/load.ts';
import type { CallerRequest, TargetAdapter, TargetCall } from '../adapter.ts';
import { isObject, type Json } from '../json.ts';
import { completionToModel } from './answer.ts';
import { chatContinuation } from './continuation.ts';
import { chunkDecoder } from './events.ts';
import { modelToChat, notSentToChat } from './from-model.ts';

function headers(key: string | undefined, target: ResolvedTarget): Record<string, string> {
  return { ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), ...target.provider.headers };
}

/**
 * The caller's body for the target: its `model`, and the proxy's own additions to a chat request:
 * usage asked for on streams (`stream_options`, left out for vendors that refuse it) and an output
 * limit when the caller set none (`limit`, in the field the vendor takes).
 */
function passthrough(request: CallerRequest, target: ResolvedTarget, key: string | undefined, limit: number | undefined): TargetCall {
  const body: Json = { ...request.body, model: target.model };
  const chat = request.caller.id === 'openai-chat';
  if (chat) {
    if (!target.provider.streamOptions) delete body.stream_options;
    else if (request.stream) body.stream_options = { ...(isObject(body.stream_options) ? body.stream_options : {}), include_usage: true };
    if (limit !== undefined && body.max_tokens == null && body.max_completion_tokens == null)
      body[target.provider.outputLimitField] = limit;
  }
  const path = chat ? '/chat/completions' : '/embeddings';
  return { url: `${target.provider.baseUrl}${path}`, headers: headers(key, target), body, mode: 'passthrough' };
}

/** The `openai` target protocol. */
export const openaiTarget: TargetAdapter = {
  native: ['openai-chat', 'openai-embeddings'],
  prefillByDefault: false,
  passthrough,
  translate(request, target, key, limit) {
    const { provider } = target;
    const options = { model: target.model, maxTokens: limit, limitField: provider.outputLimitField, streamOptions: provider.streamOptions };
    const body = modelToChat(request, options);
    const dropped = [...request.dropped, ...notSentToChat(request)];
    return { url: `${provider.baseUrl}/chat/completions`, headers: headers(key, target), body, mode: 'translate', dropped };
  },
  continuation(call, text, target) {
    const { body, baseUrl } = chatContinuation(call.body, text, target.provider);
    const url = baseUrl === undefined ? call.url : `${baseUrl}/chat/completions`;
    return { ...call, url, body, trimmed: false };
  },
  decodeAnswer: (value) => completionToModel(value, Date.now()),
  eventDecoder: () => chunkDecoder(),
};
