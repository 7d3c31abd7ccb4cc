// Anthropic-protocol targets: Messages requests as the caller wrote them, or translated, with `x-api-key`.
import type { ResolvedTarget } from '../../config/load.ts';
import type { Forwarded, TargetAdapter, TargetCall } from '../adapter.ts';
import { isObject, type Json } from '../json.ts';
import { anthropicDecoder } from './events-in.ts';
import { modelToMessages, notSentToMessages } from './from-model.ts';
import { messageToModel } from './message.ts';

/** The Messages API version sent when the caller named none (a provider's `headers` may override it). */
export const ANTHROPIC_VERSION = '2023-06-01';

/** Protocol headers: the API version (the caller's own when it sent one), the key, forwarded betas, then the provider's headers. */
export function anthropicHeaders(key: string | undefined, target: ResolvedTarget, forward: Forwarded | undefined): Record<string, string> {
  return {
    'anthropic-version': ANTHROPIC_VERSION,
    ...forward?.headers,
    ...(key === undefined ? {} : { 'x-api-key': key }),
    ...target.provider.headers,
  };
}

/**
 * The same call asking the vendor to continue `text`: a trailing assistant turn (a prefill),
 * appended to one the request already ends with. Anthropic refuses a prefill ending in
 * whitespace, so trailing whitespace is cut (`trimmed`: the continuation may then begin with it).
 */
function continuation(call: TargetCall, text: string): TargetCall & { trimmed: boolean } {
  const messages = Array.isArray(call.body.messages) ? [...call.body.messages] : [];
  const last = messages.at(-1);
  let prefix = text;
  let blocks: unknown[] = [];
  if (isObject(last) && last.role === 'assistant') {
    if (typeof last.content === 'string') {
      messages.pop();
      prefix = last.content + text;
    } else if (Array.isArray(last.content) && !last.content.some((b) => isObject(b) && b.type === 'tool_use')) {
      messages.pop();
      blocks = last.content;
    }
  }
  const kept = prefix.replace(/\s+$/, '');
  const content: unknown[] = [...blocks, ...(kept === '' ? [] : [{ type: 'text', text: kept }])];
  if (content.length > 0) messages.push({ role: 'assistant', content: blocks.length === 0 ? kept : content });
  return { ...call, body: { ...call.body, messages, stream: true }, trimmed: kept.length !== prefix.length };
}

/** The `anthropic` target protocol. */
export const anthropicTarget: TargetAdapter = {
  native: ['anthropic-messages'],
  prefillByDefault: true,
  passthrough(request, target, key) {
    const body: Json = { ...request.body, model: target.model };
    const url = `${target.provider.baseUrl}/messages${request.forward.query}`;
    return { url, headers: anthropicHeaders(key, target, request.forward), body, mode: 'passthrough' };
  },
  translate(request, target, key, limit) {
    const body = modelToMessages(request, { model: target.model, maxTokens: limit });
    const dropped = [...request.dropped, ...notSentToMessages(request)];
    return {
      url: `${target.provider.baseUrl}/messages`,
      headers: anthropicHeaders(key, target, undefined),
      body,
      mode: 'translate',
      dropped,
    };
  },
  continuation,
  decodeAnswer: (value) => messageToModel(value, Date.now()),
  eventDecoder: () => anthropicDecoder(),
};
