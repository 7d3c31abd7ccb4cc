// Owns the mock's OpenAI Responses routes: POST /v1/responses (JSON or events), GET and DELETE /v1/responses/:id, per-instance storage.

import { eventStream } from './connection.ts';
import type { Dialect } from './dialect.ts';
import type { Exchange } from './exchange.ts';
import { json } from './exchange.ts';
import { openaiDialect } from './openai-routes.ts';
import { responsesAnswer } from './responses-answer.ts';
import { buildConversation } from './responses-conversation.ts';
import type { RequestProblem } from './responses-errors.ts';
import { isProblem, previousNotFound } from './responses-errors.ts';
import { readResponsesRequest } from './responses-request.ts';
import type { ResponseStore } from './responses-store.ts';
import { createResponseStore } from './responses-store.ts';
import { responsesEvents } from './responses-stream.ts';
import { echoedSettings, invalidRequest, responseObject, truncatedResponse } from './responses-wire.ts';

const unparsableBody =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)";

function refuse(exchange: Exchange, problem: RequestProblem): Response {
  return json(problem.status, invalidRequest(problem.message, problem.param, problem.code), exchange.headers);
}

/** `POST /v1/responses`: check, build the conversation (with the stored previous response), answer as JSON or events, store when asked. */
function create(exchange: Exchange, store: ResponseStore, generation: number): Response {
  const { n, plan, signal, headers, body } = exchange;
  if (body.kind !== 'json') return json(400, invalidRequest(unparsableBody, null, null), headers);
  const request = readResponsesRequest(body.value);
  if (isProblem(request)) return refuse(exchange, request);
  const previous = request.previousResponseId === undefined ? undefined : store.get(request.previousResponseId);
  if (request.previousResponseId !== undefined && previous === undefined)
    return refuse(exchange, previousNotFound(request.previousResponseId));
  const conversation = buildConversation(request, previous, (id) => store.hasItem(id));
  if (isProblem(conversation)) return refuse(exchange, conversation);
  const answer = responsesAnswer(request, conversation, n, plan);
  const meta = {
    // Unique across resets, as a vendor's ids are: a proxy keeping Responses by id never sees one twice.
    id: generation === 0 ? `resp_mock_${n}` : `resp_mock_${generation}_${n}`,
    createdAt: Math.floor(Date.now() / 1000),
    model: request.model,
    settings: echoedSettings(request.body),
  };
  const keep = () => {
    if (!request.store) return;
    const response = responseObject(meta, answer.state);
    store.put({ response, history: [...conversation.history, ...answer.replies], callIds: [...conversation.callIds, ...answer.callIds] });
  };
  if (!request.stream) {
    keep();
    return json(200, responseObject(meta, answer.state), headers);
  }
  const options = { obfuscation: request.obfuscation, onFinished: keep };
  const events = eventStream((stop) => responsesEvents(meta, answer, plan, stop, options), signal);
  return new Response(events, {
    status: 200,
    headers: { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
  });
}

function notFound(exchange: Exchange, id: string): Response {
  return json(404, invalidRequest(`Response with id '${id}' not found.`, null, null), exchange.headers);
}

/** `GET` (the stored Response) and `DELETE` (`{"id", "object": "response.deleted", "deleted": true}`) of `/v1/responses/:id`. */
function byId(exchange: Exchange, store: ResponseStore, method: string, id: string): Response {
  if (method === 'GET') {
    const stored = store.get(id);
    return stored === undefined ? notFound(exchange, id) : json(200, stored.response, exchange.headers);
  }
  if (!store.delete(id)) return notFound(exchange, id);
  return json(200, { id, object: 'response.deleted', deleted: true }, exchange.headers);
}

/**
 * The OpenAI Responses wire of one mock instance: `POST /v1/responses` (a Response object, or with
 * `stream: true` its event stream), `GET` and `DELETE /v1/responses/:id`. Admission (Bearer keys,
 * `key=`, `limit-key=`) and scripted errors are the OpenAI wire's. Responses created with `store`
 * (default true) are kept in `store`, so `previous_response_id` continues them as OpenAI does.
 * `generation` counts the instance's resets: it goes into Response ids after the first.
 */
export function createResponsesDialect(store: ResponseStore = createResponseStore(), generation = 0): Dialect {
  return {
    requestIdHeader: openaiDialect.requestIdHeader,
    admit: (exchange) => openaiDialect.admit(exchange),
    failure: (exchange, status, script) => openaiDialect.failure(exchange, status, script),
    truncatedBody: truncatedResponse,
    answer(exchange, method, path) {
      if (method === 'POST' && path === '/v1/responses') return create(exchange, store, generation);
      const id = /^\/v1\/responses\/([^/]+)$/.exec(path)?.[1];
      if (id !== undefined && (method === 'GET' || method === 'DELETE')) return byId(exchange, store, method, decodeURIComponent(id));
      const error = { message: `Invalid URL (${method} ${path})`, type: 'invalid_request_error', code: null, param: null };
      return json(404, { error }, exchange.headers);
    },
  };
}
