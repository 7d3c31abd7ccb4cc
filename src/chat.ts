// A chat request through the pipeline: cache key and controls, the targets job, the degraded reply.
import type { BreakerGate } from './breaker/client.ts';
import { cacheControls } from './cache.ts';
import { CHAT_KEY_FIELDS, cacheKey, canonicalOrUncacheable, pickFields } from './cache-key.ts';
import type { ResolvedTarget, RuntimeConfig } from './config/load.ts';
import { degradedReply, lastUserText } from './degraded.ts';
import { countCalls, type ProxyError } from './errors.ts';
import { type Answer, answer, type CacheJob, replay } from './gateway.ts';
import type { AnthropicExtras } from './protocols/anthropic-to-chat.ts';
import { chatToAnthropic } from './protocols/chat-to-anthropic.ts';
import { continuationRequest, deepseekPrefixBaseUrl } from './protocols/continuation.ts';
import { readCompletion } from './protocols/openai.ts';
import { completionToChunks, textCompletion } from './protocols/openai-replay.ts';
import type { ChatRequest } from './protocols/openai-schema.ts';
import { chatTargetRequest, type TargetRequest } from './target-request.ts';
import { type ChatMeta, runTargets, type TargetsJob } from './targets.ts';

/** One validated chat request and what the Worker gives it. */
export interface ChatCall {
  body: ChatRequest;
  /** Parameters only Anthropic targets take, from a `/v1/messages` caller. */
  extras?: AnthropicExtras;
  targets: readonly ResolvedTarget[];
  config: RuntimeConfig;
  /** Client name: the cache namespace (`public` without client auth). */
  client: string;
  requestId: string;
  env: object;
  fetch: typeof fetch;
  clientSignal: AbortSignal | undefined;
  cacheControl: string | undefined;
  cacheTtl: string | undefined;
  kv: KVNamespace | undefined;
  waitUntil: (promise: Promise<unknown>) => void;
  breakers: BreakerGate | undefined;
}

/** Answers a chat request: cache, shared in-flight call, targets, stale entry, degraded reply. */
export async function chatAnswer(call: ChatCall): Promise<Answer> {
  const { body, config } = call;
  const stream = body.stream === true;
  const clientWantsUsage = body.stream_options?.include_usage === true;
  const controls = cacheControls(call.cacheControl, call.cacheTtl, config.raw.cache);
  const canonical =
    call.kv !== undefined && controls.store ? canonicalOrUncacheable({ ...pickFields(body, CHAT_KEY_FIELDS), ...call.extras }) : undefined;
  const key = canonical === undefined ? undefined : await cacheKey('chat', call.client, config.version, canonical);
  const cache: CacheJob = {
    kv: call.kv,
    key,
    controls,
    staleIfErrorSeconds: config.raw.cache.staleIfErrorSeconds,
    stream,
    clientWantsUsage,
    waitUntil: call.waitUntil,
  };
  const job: TargetsJob = {
    prepare: (target) => chatTargetRequest(target, chatBody(call, target, stream), readCompletion),
    ...(stream ? { continueWith: (target: ResolvedTarget, text: string) => continuationFor(call, target, text) } : {}),
    stream,
    clientWantsUsage,
    choices: body.n ?? 1,
    assemble: key !== undefined,
    ...callTargets(call),
  };
  return answer(
    cache,
    () => runTargets(job),
    (err) => degraded(call, err),
  );
}

/** The parts of a targets job that come from the call itself, the same for every request kind. */
export function callTargets(
  call: Omit<ChatCall, 'body'>,
): Pick<TargetsJob, 'targets' | 'breakers' | 'requestId' | 'env' | 'fetch' | 'clientSignal' | 'deadlineMs'> {
  return {
    targets: call.targets,
    breakers: call.breakers,
    requestId: call.requestId,
    env: call.env,
    fetch: call.fetch,
    clientSignal: call.clientSignal,
    deadlineMs: call.targets[0]?.retry.deadlineMs ?? call.config.raw.retry.deadlineMs,
  };
}

/**
 * The body sent to one target, in its protocol: the caller's request with the target's model, and
 * usage asked for. Throws UnsupportedRequest when an Anthropic target cannot take the request.
 */
function chatBody(call: ChatCall, target: ResolvedTarget, stream: boolean): string {
  const { body } = call;
  if (target.provider.protocol === 'anthropic') {
    return JSON.stringify(chatToAnthropic(body, { model: target.model, maxTokens: target.maxTokens, stream, extras: call.extras }));
  }
  const out: Record<string, unknown> = { ...body, model: target.model };
  // cache_control marks are Anthropic's; OpenAI-compatible vendors may refuse them.
  if (call.extras !== undefined) out.messages = withoutCacheControl(body.messages);
  if (!target.provider.streamOptions) delete out.stream_options;
  else if (stream) out.stream_options = { ...body.stream_options, include_usage: true };
  if (target.maxTokens !== undefined && body.max_tokens == null && body.max_completion_tokens == null) {
    out.max_tokens = target.maxTokens;
  }
  return JSON.stringify(out);
}

/** The request asking `target` to continue `text` (stream rescue), in its protocol and prefix style. */
function continuationFor(call: ChatCall, target: ResolvedTarget, text: string): TargetRequest {
  const { provider } = target;
  const style = provider.protocol === 'anthropic' ? 'anthropic' : provider.prefixStyle;
  const { body, trimmed } = continuationRequest(call.body, text, style);
  const request = chatTargetRequest(target, chatBody({ ...call, body }, target, true), readCompletion);
  const baseUrl = style === 'deepseek' ? deepseekPrefixBaseUrl(provider.baseUrl) : undefined;
  return { ...request, trimmed, ...(baseUrl === undefined ? {} : { baseUrl }) };
}

function withoutCacheControl(messages: ChatRequest['messages']): unknown[] {
  return messages.map((message) =>
    Array.isArray(message.content)
      ? { ...message, content: message.content.map((part) => ('cache_control' in part ? { ...part, cache_control: undefined } : part)) }
      : message,
  );
}

/** The degraded reply (SPEC "Degraded replies"): plain text, never a tool call, never cached. */
function degraded(call: ChatCall, err: ProxyError): Answer | undefined {
  const settings = call.config.raw.degraded;
  if (!settings.enabled) return undefined;
  const text = degradedReply(settings, lastUserText(call.body.messages));
  const completion = textCompletion(`chatcmpl-degraded-${call.requestId}`, call.body.model, text, Math.floor(Date.now() / 1000));
  const attempts = err.attempts ?? [];
  const meta: ChatMeta = { attempts, attemptCount: countCalls(attempts), upstreamMs: 0, pricing: undefined };
  const usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  if (call.body.stream === true) {
    const datas = completionToChunks(completion, call.body.stream_options?.include_usage === true);
    return { outcome: replay(datas, usage, meta), source: 'degraded', cache: 'BYPASS' };
  }
  return { outcome: { kind: 'json', text: JSON.stringify(completion), usage, meta }, source: 'degraded', cache: 'BYPASS' };
}
