// Anthropic Messages callers (`POST /v1/messages`): the request bound to its protocol, errors, answers and streams.
import type { ProxyError } from '../../errors.ts';
import type { CallerAdapter, CallerRequest, Forwarded, HttpFacts } from '../adapter.ts';
import type { Json } from '../json.ts';
import type { ModelRequest } from '../model.ts';
import { isUnknown } from '../tagged.ts';
import { parseBody, without } from '../validate.ts';
import { MessageAssembler, messageToEvents } from './assemble.ts';
import { anthropicEncoder } from './events-out.ts';
import { modelToMessage, readMessage } from './message.ts';
import { type AnthropicMessage, type MessagesRequest, messagesRequestSchema } from './schema.ts';
import { messagesToModel } from './to-model.ts';

/** Fields that do not change an answer: left out of the cache key. */
const NOT_IDENTITY = new Set(['stream', 'metadata', 'service_tier']);

/** Headers an Anthropic target of the caller's own protocol gets as the caller sent them. */
const FORWARDED_HEADERS = ['anthropic-beta', 'anthropic-version'];

/** Anthropic's error type for a proxy error's status (its SDKs branch on these). */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 504:
      return 'timeout_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/** The Anthropic error body for a proxy error; the 503 also lists the attempts made. */
export function anthropicErrorBody(err: ProxyError): Json {
  const error: Json = { type: anthropicErrorType(err.status), message: err.message, code: err.code };
  if (err.attempts !== undefined) error.attempts = err.attempts;
  return { type: 'error', error };
}

/** `anthropic-beta`, `anthropic-version` and the query (Claude Code asks `?beta=true`), for Anthropic targets. */
export function forwardedOf(http: HttpFacts): Forwarded {
  const headers: Record<string, string> = {};
  for (const name of FORWARDED_HEADERS) {
    const value = http.header(name);
    if (value !== undefined && value !== '') headers[name] = value;
  }
  return { headers, query: http.query };
}

/** The text of the last user message that has text, or '' when there is none. */
function lastUserText(messages: readonly AnthropicMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role !== 'user') continue;
    if (typeof message.content === 'string') return message.content;
    const texts = message.content.flatMap((block) => (!isUnknown(block, 'type') && block.type === 'text' ? [block.text] : []));
    if (texts.length > 0) return texts.join('\n');
  }
  return '';
}

/** The conversation's seed: its system prompt and its first user message, as text. */
function conversationSeed(request: MessagesRequest): string {
  const text = (content: unknown): string =>
    typeof content === 'string'
      ? content
      : Array.isArray(content)
        ? content.map((b: { text?: unknown }) => (typeof b.text === 'string' ? b.text : '')).join('\n')
        : '';
  const first = request.messages.find((m) => m.role === 'user');
  return `system:${text(request.system)}\nuser:${text(first?.content)}`;
}

function parse(value: unknown, http: HttpFacts): CallerRequest {
  const parsed = parseBody(messagesRequestSchema, value);
  const body = value as Json;
  const forward = forwardedOf(http);
  // Reasoning is shown to an Anthropic caller as thinking blocks only when it asked for thinking.
  const withThinking = parsed.thinking !== undefined && (isUnknown(parsed.thinking, 'type') || parsed.thinking.type !== 'disabled');
  let model: ModelRequest | undefined;
  return {
    caller: messagesCaller,
    body,
    model: parsed.model,
    stream: parsed.stream === true,
    messageCount: parsed.messages.length,
    maxTokens: parsed.max_tokens,
    generates: true,
    choices: 1,
    wantsUsage: true,
    forward,
    toModel: () => (model ??= messagesToModel(parsed, body)),
    // Betas can change an answer, so they are part of its identity.
    cacheIdentity: () => ({ body: without(body, NOT_IDENTITY), beta: forward.headers['anthropic-beta'] ?? null }),
    lastUserText: () => lastUserText(parsed.messages),
    sessionHint: () => (typeof parsed.metadata?.user_id === 'string' ? `user:${parsed.metadata.user_id}` : conversationSeed(parsed)),
    encodeAnswer: (answer) => modelToMessage(answer, withThinking),
    encoder: () => anthropicEncoder(withThinking),
  };
}

/** The `anthropic-messages` caller protocol. */
export const messagesCaller: CallerAdapter = {
  id: 'anthropic-messages',
  parse,
  errorBody: anthropicErrorBody,
  readAnswer: readMessage,
  assembler: () => new MessageAssembler(),
  replay: (answer) => messageToEvents(answer),
};
