// Responses API callers (`POST /v1/responses`): the request bound to its protocol, errors, answers and streams.
import type { CallerAdapter, CallerRequest, HttpFacts } from '../adapter.ts';
import { isObject, type Json } from '../json.ts';
import type { ModelRequest } from '../model.ts';
import { openaiErrorBody } from '../openai-chat/caller.ts';
import { isUnknown } from '../tagged.ts';
import { parseBody, without } from '../validate.ts';
import { modelToResponse, readResponse } from './answer.ts';
import { ResponsesAssembler } from './assemble.ts';
import { responsesEncoder } from './events-out.ts';
import { responseToEvents } from './replay.ts';
import { type ResponsesItem, type ResponsesPart, type ResponsesRequest, responsesRequestSchema } from './schema.ts';
import { responsesToModel } from './to-model.ts';
import { toolNamesOf } from './tool-names.ts';

/**
 * Fields that do not change an answer: left out of the cache key, so a streamed and a plain, a
 * stored and an unstored request share an entry. `include` and `previous_response_id` stay: they
 * change what the answer holds or continues.
 */
const NOT_IDENTITY = new Set([
  'stream',
  'stream_options',
  'store',
  'metadata',
  'user',
  'safety_identifier',
  'prompt_cache_key',
  'service_tier',
  'client_metadata',
  'background',
]);

/** Nothing of an OpenAI caller's HTTP request is forwarded: the organisation and project are the proxy's. */
const NO_FORWARD = { headers: {}, query: '' };
const NO_HTTP: HttpFacts = { header: () => undefined, query: '' };

/**
 * The request's own input as items, as a stored conversation keeps them: a string input becomes
 * one user `message` item with an `input_text` part, an easy `{role, content}` message gets
 * `type: "message"`; other items are returned as sent.
 */
export function inputItemsOf(body: Json): Json[] {
  const input = body.input;
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] }];
  if (!Array.isArray(input)) return [];
  return input.filter(isObject).map((item) => (item.type === undefined && 'role' in item ? { type: 'message', ...item } : item));
}

/**
 * The same request as if the caller had sent `input: [...history, ...its own input items]` and no
 * `previous_response_id`: how a stored conversation is expanded before anything else reads the
 * request, so every target (whatever its protocol) gets the whole conversation, and the cache key
 * is the expanded body's. The request's own `instructions` stay (a Response does not carry the
 * earlier ones over). Throws a 400 ProxyError if a history item is not a valid input item.
 */
export function withHistory(request: CallerRequest, history: readonly Json[]): CallerRequest {
  const { previous_response_id: _previous, ...rest } = request.body;
  const expanded = parse({ ...rest, input: [...history, ...inputItemsOf(request.body)] }, NO_HTTP, request.body);
  return { ...expanded, echoed: { previous_response_id: request.body.previous_response_id } };
}

type Message = Extract<ResponsesItem, { role: string }>;

/** The input's messages (a string input is one user message). */
function messagesOf(request: ResponsesRequest): Message[] {
  if (typeof request.input === 'string') return [{ role: 'user', content: request.input }];
  return (request.input ?? []).filter(
    (item): item is Message => !isUnknown(item, 'type') && (item.type === undefined || item.type === 'message'),
  );
}

/** A message's text: a string, or its text parts joined by newlines. */
function textOf(content: string | ResponsesPart[]): string {
  if (typeof content === 'string') return content;
  return content
    .flatMap((part) => (!isUnknown(part, 'type') && (part.type === 'input_text' || part.type === 'output_text') ? [part.text] : []))
    .join('\n');
}

/** The text of the last user message, or '' when there is none. */
function lastUserText(request: ResponsesRequest): string {
  const last = messagesOf(request).findLast((message) => message.role === 'user');
  return last === undefined ? '' : textOf(last.content);
}

/** The conversation's seed: its instructions, system and developer messages, and its first user message. */
function conversationSeed(request: ResponsesRequest): string {
  let system = request.instructions == null ? '' : `${request.instructions}\n`;
  for (const message of messagesOf(request)) {
    if (message.role === 'system' || message.role === 'developer') system += `${textOf(message.content)}\n`;
    else if (message.role === 'user') return `system:${system}user:${textOf(message.content)}`;
  }
  return `system:${system}`;
}

/** `echo`: the body whose settings a translated answer repeats (the caller's own, `previous_response_id` included, for an expanded request). */
function parse(value: unknown, _http: HttpFacts, echo: Json = value as Json): CallerRequest {
  const parsed = parseBody(responsesRequestSchema, value);
  const body = value as Json;
  const input = parsed.input;
  let model: ModelRequest | undefined;
  const cacheKey = parsed.prompt_cache_key;
  return {
    caller: responsesCaller,
    body,
    model: parsed.model,
    stream: parsed.stream === true,
    messageCount: typeof input === 'string' ? 1 : (input?.length ?? 0),
    maxTokens: parsed.max_output_tokens ?? undefined,
    generates: true,
    choices: 1,
    wantsUsage: true,
    forward: NO_FORWARD,
    toModel: () => (model ??= responsesToModel(parsed, body)),
    cacheIdentity: () => without(body, NOT_IDENTITY),
    lastUserText: () => lastUserText(parsed),
    sessionHint: () => (cacheKey != null && cacheKey !== '' ? `cache:${cacheKey}` : conversationSeed(parsed)),
    encodeAnswer: (answer) => modelToResponse(answer, echo),
    // A translated stream's function calls get back the names (and namespaces) the caller declared.
    encoder: () => {
      const names = toolNamesOf(body);
      return responsesEncoder(echo, (flat) => names.tool(flat));
    },
  };
}

/** The `openai-responses` caller protocol. */
export const responsesCaller: CallerAdapter = {
  id: 'openai-responses',
  parse: (value, http) => parse(value, http),
  errorBody: openaiErrorBody,
  readAnswer: readResponse,
  assembler: () => new ResponsesAssembler(),
  replay: (answer) => responseToEvents(answer),
};
