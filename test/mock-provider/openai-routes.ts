// Owns the OpenAI-compatible routes of the mock: chat completions, embeddings, models, Bearer keys and OpenAI errors.

import { chatAnswer, promptTokens, readChatRequest } from './chat-reply.ts';
import { chatEvents } from './chat-stream.ts';
import { eventStream } from './connection.ts';
import type { Dialect, ErrorScript } from './dialect.ts';
import type { Exchange, FailureExchange } from './exchange.ts';
import { bodyModel, field, json, limitedExchange } from './exchange.ts';
import { chatCompletion, embeddingList, errorBody, modelList } from './openai-wire.ts';
import { keyVerdict } from './scenario.ts';

/** The models `/v1/models` lists. Any model name is accepted on the other routes. */
export const mockModels = ['mock-model', 'gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small'] as const;

const unparsableBody =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)";

function failure(exchange: FailureExchange, status: number, script: ErrorScript): Response {
  return json(status, errorBody(status, script, bodyModel(exchange.body)), exchange.headers);
}

function chat(exchange: Exchange): Response {
  if (exchange.body.kind !== 'json') return failure(exchange, 400, { message: unparsableBody });
  const request = readChatRequest(exchange.body.value);
  if (typeof request === 'string') return failure(exchange, 400, { message: request });
  const { n, plan, signal, headers } = exchange;
  const answer = chatAnswer(request, n, plan.reply, plan.repeat);
  const meta = { id: `chatcmpl-mock-${n}`, model: request.model, created: Math.floor(Date.now() / 1000) };
  if (!request.stream) return json(200, chatCompletion(meta, answer.message, answer.finishReason, answer.usage), headers);
  const body = eventStream((stop) => chatEvents(meta, answer, request.includeUsage, plan, stop), signal);
  return new Response(body, { status: 200, headers: { ...headers, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' } });
}

function embeddingInputs(input: unknown): string[] | undefined {
  const asText = (item: unknown) => (typeof item === 'string' ? item : Array.isArray(item) ? item.join(' ') : undefined);
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (input.every((item) => typeof item === 'number')) return [input.join(' ')];
  const texts = input.map(asText);
  return texts.every((text) => text !== undefined) ? texts : undefined;
}

function embeddings(exchange: Exchange): Response {
  if (exchange.body.kind !== 'json') return failure(exchange, 400, { message: unparsableBody });
  const model = bodyModel(exchange.body);
  const inputs = embeddingInputs(field(exchange.body, 'input'));
  if (model === undefined) return failure(exchange, 400, { message: 'you must provide a model parameter' });
  if (inputs === undefined) return failure(exchange, 400, { message: "'input' must be a string or an array of strings" });
  const format = field(exchange.body, 'encoding_format') === 'base64' ? 'base64' : 'float';
  return json(200, embeddingList(inputs, model, format, promptTokens(inputs)), exchange.headers);
}

/**
 * The OpenAI wire: `POST /v1/chat/completions`, `POST /v1/embeddings`, `GET /v1/models`. Scenario
 * `key=` and `limit-key=` are checked against `Authorization: Bearer <key>` (401 `invalid_api_key`,
 * 429 `rate_limit_exceeded`).
 */
export const openaiDialect: Dialect = {
  requestIdHeader: 'x-request-id',
  admit(exchange) {
    const bearer = exchange.requestHeaders.get('authorization');
    const verdict = keyVerdict(exchange.plan, bearer?.startsWith('Bearer ') ? bearer.slice(7) : null);
    if (verdict === 'rejected') return failure(exchange, 401, { code: 'invalid_api_key' });
    if (verdict === 'limited') return failure(limitedExchange(exchange), 429, {});
    return undefined;
  },
  failure,
  truncatedBody: (n) => `{"id":"chatcmpl-mock-${n}","object":"chat.completion","choices":[{"index":0,"message":`,
  answer(exchange, method, path) {
    if (method === 'GET' && path === '/v1/models') return json(200, modelList(mockModels, exchange.name, 1_700_000_000), exchange.headers);
    if (method === 'POST' && path === '/v1/embeddings') return embeddings(exchange);
    if (method === 'POST' && path === '/v1/chat/completions') return chat(exchange);
    const error = { message: `Invalid URL (${method} ${path})`, type: 'invalid_request_error', code: null, param: null };
    return json(404, { error }, exchange.headers);
  },
};
