// Chat Completions callers (`POST /v1/chat/completions`): the request bound to its protocol, errors, answers and streams.
import type { ProxyError } from '../../errors.ts';
import type { CallerAdapter, CallerRequest, HttpFacts } from '../adapter.ts';
import type { Json } from '../json.ts';
import type { ModelRequest } from '../model.ts';
import { isUnknown } from '../tagged.ts';
import { parseBody, without } from '../validate.ts';
import { modelToCompletion, readCompletion } from './answer.ts';
import { ChunkAssembler, completionToChunks } from './assemble.ts';
import { chatEncoder } from './events.ts';
import { type ChatMessage, chatRequestSchema } from './schema.ts';
import { chatToModel } from './to-model.ts';

/** Fields that do not change an answer: left out of the cache key, so a streamed and a plain request share an entry. */
const NOT_IDENTITY = new Set([
  'stream',
  'stream_options',
  'user',
  'metadata',
  'store',
  'service_tier',
  'safety_identifier',
  'prompt_cache_key',
]);

/** Nothing of an OpenAI caller's HTTP request is forwarded: the organisation and project are the proxy's. */
const NO_FORWARD = { headers: {}, query: '' };

/** The OpenAI error body for a proxy error; the 503 also lists the attempts made. */
export function openaiErrorBody(err: ProxyError): Json {
  const error: Json = { message: err.message, type: err.type, code: err.code, param: err.param };
  if (err.attempts !== undefined) error.attempts = err.attempts;
  return { error };
}

/** The text of the last user message (text parts joined), or '' when there is none. */
function lastUserText(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message === undefined || isUnknown(message, 'role') || message.role !== 'user') continue;
    if (typeof message.content === 'string') return message.content;
    return message.content.flatMap((part) => (!isUnknown(part, 'type') && part.type === 'text' ? [part.text] : [])).join('\n');
  }
  return '';
}

/** A text of a message's content: a string, or its text parts joined. */
function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .flatMap((p: { type?: unknown; text?: unknown }) => (p.type === 'text' && typeof p.text === 'string' ? [p.text] : []))
    .join('\n');
}

/** The conversation's seed: its system and developer instructions, and its first user message. */
function conversationSeed(messages: readonly ChatMessage[]): string {
  let system = '';
  for (const message of messages) {
    if (isUnknown(message, 'role')) continue;
    if (message.role === 'system' || message.role === 'developer') system += `${textOf(message.content)}\n`;
    else if (message.role === 'user') return `system:${system}user:${textOf(message.content)}`;
  }
  return `system:${system}`;
}

function parse(value: unknown, _http: HttpFacts): CallerRequest {
  const parsed = parseBody(chatRequestSchema, value);
  const body = value as Json;
  const wantsUsage = parsed.stream_options?.include_usage === true;
  let model: ModelRequest | undefined;
  return {
    caller: chatCaller,
    body,
    model: parsed.model,
    stream: parsed.stream === true,
    messageCount: parsed.messages.length,
    // Both fields set: a vendor may read either, so the larger is the one checked against a cap and reserved.
    maxTokens: largest(parsed.max_completion_tokens ?? undefined, parsed.max_tokens ?? undefined),
    generates: true,
    choices: parsed.n ?? 1,
    wantsUsage,
    forward: NO_FORWARD,
    toModel: () => (model ??= chatToModel(parsed, body)),
    cacheIdentity: () => without(body, NOT_IDENTITY),
    lastUserText: () => lastUserText(parsed.messages),
    sessionHint: () => (typeof body.prompt_cache_key === 'string' ? `cache:${body.prompt_cache_key}` : conversationSeed(parsed.messages)),
    encodeAnswer: modelToCompletion,
    encoder: () => chatEncoder(wantsUsage),
  };
}

function largest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}

/** The `openai-chat` caller protocol. */
export const chatCaller: CallerAdapter = {
  id: 'openai-chat',
  parse,
  errorBody: openaiErrorBody,
  readAnswer: readCompletion,
  assembler: () => new ChunkAssembler(),
  replay: (answer, request) => completionToChunks(answer, request.wantsUsage),
};
