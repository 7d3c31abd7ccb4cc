// Every wire protocol the proxy speaks, and how a caller's request reaches a target: passed through or translated.
import type { ResolvedTarget } from '../config/load.ts';
import type { Protocol } from '../config/presets.ts';
import type { AnswerFacts, CallerAdapter, CallerId, CallerRequest, EventDecoder, TargetAdapter, TargetCall } from './adapter.ts';
import { messagesCaller } from './anthropic/caller.ts';
import { anthropicTarget } from './anthropic/target.ts';
import { isObject } from './json.ts';
import { chatCaller } from './openai-chat/caller.ts';
import { embeddingsCaller } from './openai-chat/embeddings.ts';
import { openaiTarget } from './openai-chat/target.ts';
import { responsesCaller } from './openai-responses/caller.ts';
import { responsesTarget } from './openai-responses/target.ts';

/** Caller protocols by id. Adding a protocol means adding its adapter here. */
export const CALLERS: Readonly<Record<CallerId, CallerAdapter>> = {
  'openai-chat': chatCaller,
  'openai-responses': responsesCaller,
  'openai-embeddings': embeddingsCaller,
  'anthropic-messages': messagesCaller,
};

/** Target protocols by the `protocol` a provider speaks. */
export const TARGETS: Readonly<Record<Protocol, TargetAdapter>> = {
  openai: openaiTarget,
  anthropic: anthropicTarget,
};

/**
 * The adapter a target is called through for a caller: the Responses API for a Responses caller
 * when the vendor speaks it natively (`providers.<id>.responses`), else the provider's protocol.
 */
export function adapterFor(target: ResolvedTarget, caller: CallerId): TargetAdapter {
  if (caller === 'openai-responses' && target.provider.responses) return responsesTarget;
  return TARGETS[target.provider.protocol];
}

/** Route prefixes answered in each caller protocol (errors included); the longest match wins, OpenAI's shape otherwise. */
const ROUTE_CALLERS: readonly [prefix: string, caller: CallerAdapter][] = [
  ['/v1/messages', messagesCaller],
  ['/v1/embeddings', embeddingsCaller],
  ['/v1/responses', responsesCaller],
];

/** The caller protocol of a request path: how its errors are written. */
export function callerForPath(path: string): CallerAdapter {
  for (const [prefix, caller] of ROUTE_CALLERS) if (path === prefix || path.startsWith(`${prefix}/`)) return caller;
  return chatCaller;
}

/**
 * The output limit a target is given when the request names none: the target's `maxTokens`, within
 * the client's cap (`limits.maxTokens` and its own `maxTokens`), else the cap itself. Undefined when
 * the request names its own limit (checked against the cap before) or there is nothing to set.
 */
export function outputLimit(asked: number | undefined, target: ResolvedTarget, cap: number | undefined): number | undefined {
  if (asked !== undefined) return undefined;
  if (cap === undefined) return target.maxTokens;
  return Math.min(target.maxTokens ?? cap, cap);
}

/**
 * The call for one target: the caller's own body when the target speaks the caller's protocol
 * (lossless), else the request translated through the internal shape. With `cap`, a request that
 * names no output limit is given one (see `outputLimit`). Throws UnsupportedRequest when the
 * request cannot cross to this target's protocol.
 */
export function targetCall(request: CallerRequest, target: ResolvedTarget, key: string | undefined, cap?: number): TargetCall {
  const adapter = adapterFor(target, request.caller.id);
  const limit = outputLimit(request.maxTokens, target, cap);
  if (adapter.native.includes(request.caller.id)) return adapter.passthrough(request, target, key, limit);
  return adapter.translate(request.toModel(), target, key, limit);
}

/** A whole 2xx answer as the caller gets it: the vendor's text when passed through, else translated; undefined when the body is no answer. */
export function wholeAnswer(
  request: CallerRequest,
  target: ResolvedTarget,
  call: TargetCall,
  value: unknown,
  raw: string,
): { text: string; facts: AnswerFacts } | undefined {
  if (call.mode === 'passthrough') {
    const facts = request.caller.readAnswer(value);
    if (facts === undefined) return undefined;
    const { echoed } = request;
    return { text: echoed === undefined || !isObject(value) ? raw : JSON.stringify({ ...value, ...echoed }), facts };
  }
  const answer = adapterFor(target, request.caller.id).decodeAnswer(value);
  if (answer === undefined) return undefined;
  const facts = { model: answer.model || undefined, usage: answer.usage, cacheable: answer.cacheable };
  return { text: JSON.stringify(request.encodeAnswer(answer)), facts };
}

/** A decoder for one stream from `target` answering `caller`. */
export function decoderFor(target: ResolvedTarget, caller: CallerId, startedAt: number): EventDecoder {
  return adapterFor(target, caller).eventDecoder(startedAt);
}

/** Whether a target takes `caller`'s requests as they are (its own protocol). */
export function speaks(target: ResolvedTarget, caller: CallerId): boolean {
  return adapterFor(target, caller).native.includes(caller);
}

/** The call asking `target` to continue `text` as its own answer to `request` (stream rescue); throws UnsupportedRequest as `targetCall`. */
export function continuationCall(
  request: CallerRequest,
  target: ResolvedTarget,
  key: string | undefined,
  cap: number,
  text: string,
): TargetCall & { trimmed: boolean } {
  return adapterFor(target, request.caller.id).continuation(targetCall(request, target, key, cap), text, target);
}
