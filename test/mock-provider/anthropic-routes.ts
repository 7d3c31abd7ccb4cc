// Owns the Anthropic routes of the mock: POST /v1/messages and /v1/messages/count_tokens, x-api-key and anthropic-version checks, Anthropic errors.

import { anthropicAnswer } from './anthropic-answer.ts';
import { readMessages } from './anthropic-content.ts';
import { anthropicErrorBody } from './anthropic-errors.ts';
import type { AnthropicRequest, RequestKind } from './anthropic-request.ts';
import { readAnthropicRequest } from './anthropic-request.ts';
import { anthropicEvents } from './anthropic-stream.ts';
import { checkThinkingHistory } from './anthropic-thinking-checks.ts';
import { anthropicMessage, truncatedMessage } from './anthropic-wire.ts';
import { requestTokens } from './chat-reply.ts';
import { eventStream } from './connection.ts';
import type { Dialect, ErrorScript } from './dialect.ts';
import type { Exchange, FailureExchange } from './exchange.ts';
import { bodyModel, field, json, limitedExchange } from './exchange.ts';
import { keyVerdict } from './scenario.ts';

/** The `anthropic-version` values the mock accepts: Anthropic's published versions, and the one `@anthropic-ai/sdk` 1.x sends. */
export const anthropicVersions = ['2023-06-01', '2023-01-01', '2026-10-21'] as const;

function failure(exchange: FailureExchange, status: number, script: ErrorScript): Response {
  const body = anthropicErrorBody(status, `req_mock_${exchange.n}`, script, bodyModel(exchange.body));
  return json(status, body, exchange.headers);
}

function admit(exchange: Exchange): Response | undefined {
  const apiKey = exchange.requestHeaders.get('x-api-key');
  const verdict = keyVerdict(exchange.plan, apiKey);
  if (verdict === 'rejected') {
    return failure(exchange, 401, { message: apiKey === null ? 'x-api-key header is required' : 'invalid x-api-key' });
  }
  if (verdict === 'limited') return failure(limitedExchange(exchange), 429, {});
  const version = exchange.requestHeaders.get('anthropic-version');
  if (version === null) return failure(exchange, 400, { message: 'anthropic-version: header is required' });
  if (!anthropicVersions.some((known) => known === version)) {
    return failure(exchange, 400, { message: `anthropic-version: "${version}" is not a valid version` });
  }
  return undefined;
}

/** The checked request, or the 400 Anthropic answers: body checks, then the thinking blocks sent back. */
function checked(exchange: Exchange, kind: RequestKind): AnthropicRequest | Response {
  const { body } = exchange;
  if (body.kind === 'invalid') return failure(exchange, 400, { message: 'The request body is not valid JSON.' });
  const request = readAnthropicRequest(body.kind === 'json' ? body.value : undefined, kind);
  if (typeof request === 'string') return failure(exchange, 400, { message: request });
  const history = readMessages(field(body, 'messages'));
  const problem = typeof history === 'string' ? history : checkThinkingHistory(history, request.thinking !== undefined);
  return problem === undefined ? request : failure(exchange, 400, { message: problem });
}

/** `POST /v1/messages/count_tokens`: `{"input_tokens": N}`, N as the same body's `/v1/messages` usage reports. */
function countTokens(exchange: Exchange): Response {
  const request = checked(exchange, 'count');
  if (request instanceof Response) return request;
  return json(200, { input_tokens: requestTokens(request.chat) }, exchange.headers);
}

function messages(exchange: Exchange): Response {
  const { n, plan, signal, headers } = exchange;
  const request = checked(exchange, 'create');
  if (request instanceof Response) return request;
  const answer = anthropicAnswer(request, n, plan);
  const meta = { id: `msg_mock_${n}`, model: request.chat.model };
  if (!request.chat.stream) {
    return json(200, anthropicMessage(meta, answer.content, answer.stopReason, answer.stopSequence, answer.usage), headers);
  }
  const events = eventStream((stop) => anthropicEvents(meta, answer, plan, stop), signal);
  return new Response(events, {
    status: 200,
    headers: { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
  });
}

/**
 * The Anthropic wire: `POST /v1/messages` and `POST /v1/messages/count_tokens`. Every call needs a
 * known `anthropic-version` header (400 otherwise); scenario `key=` is checked against `x-api-key`
 * (401 `authentication_error`). Errors are `{"type":"error","error":{"type","message"},"request_id"}`
 * with a `request-id` header.
 */
export const anthropicDialect: Dialect = {
  requestIdHeader: 'request-id',
  admit,
  failure,
  truncatedBody: (n) => truncatedMessage(`msg_mock_${n}`),
  answer(exchange, method, path) {
    if (method === 'POST' && path === '/v1/messages') return messages(exchange);
    if (method === 'POST' && path === '/v1/messages/count_tokens') return countTokens(exchange);
    return failure(exchange, 404, { type: 'not_found_error', message: `Not found: ${method} ${path}` });
  },
};
