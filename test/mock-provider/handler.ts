// Owns the mock provider's front door: a web-standard fetch that picks the wire, records calls, counts `times`/`after` and plays connection faults.

import { anthropicDialect } from './anthropic-routes.ts';
import { abortReason, ConnectionLost, sleep } from './connection.ts';
import type { Dialect } from './dialect.ts';
import type { Exchange } from './exchange.ts';
import { bodyModel, field, readBody } from './exchange.ts';
import { openaiDialect } from './openai-routes.ts';
import { createResponsesDialect } from './responses-routes.ts';
import type { Scenario } from './scenario.ts';
import { faultsApply, parseScenario, splitMockPath, withoutFaults } from './scenario.ts';

export { ConnectionLost } from './connection.ts';
export { mockModels } from './openai-routes.ts';

/** One request the mock received, in arrival order. */
export type MockCall = {
  /** 1-based arrival number since creation or the last `reset()`; also used in response ids. */
  n: number;
  /** The scenario as written in the URL (decoded), `''` when none. */
  scenario: string;
  /** The HTTP method, e.g. `POST`. */
  method: string;
  /** The API path after the scenario, e.g. `/v1/chat/completions`, `/v1/responses` or `/v1/messages`. */
  path: string;
  /** The request's query string with its `?` (e.g. `?beta=true`), `''` when none. */
  query: string;
  model: string | null;
  stream: boolean;
  /** The `Authorization` header (OpenAI-style `Bearer <key>`), or null. */
  authorization: string | null;
  /** The `x-api-key` header (Anthropic-style key), or null. */
  apiKey: string | null;
  /** The `anthropic-version` header, or null. */
  anthropicVersion: string | null;
  /** The `anthropic-beta` header (comma-separated beta names), or null. */
  anthropicBeta: string | null;
  /** The `x-request-id` header the caller sent, or null. */
  requestId: string | null;
  /** The parsed JSON body; `null` when there was none or it was not JSON. */
  body: unknown;
  /** Every request header, names lower-case (repeated headers joined by `, `). */
  headers: Record<string, string>;
};

/** A scriptable fake vendor speaking the OpenAI-compatible (Chat Completions and Responses) and the Anthropic Messages wires. */
export type MockProvider = {
  readonly name: string;
  /**
   * Answers like the vendor would; usable as a drop-in `fetch`. Honours the request's signal:
   * an abort rejects any wait and errors any open stream with the abort reason. Rejects with
   * `ConnectionLost` for `reset`; streams error with it for `cut-after`.
   */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
  /** A copy of the calls received so far. */
  calls(): MockCall[];
  /** Forgets calls, the call counter, every `times`/`after` counter and the stored Responses. */
  reset(): void;
};

export type MockProviderOptions = {
  /** Sent as `x-mock-provider` and as `owned_by` in `/v1/models`. Default `mock`. */
  name?: string;
};

/** Paths under `/v1/messages` speak Anthropic (errors included), under `/v1/responses` the instance's Responses wire; every other path speaks OpenAI. */
function dialectFor(apiPath: string, responses: Dialect): Dialect {
  const under = (root: string) => apiPath === root || apiPath.startsWith(`${root}/`);
  return under('/v1/messages') ? anthropicDialect : under('/v1/responses') ? responses : openaiDialect;
}

/** Retry hints from the scenario, sent on whatever the scripted call answers. */
function retryHeaders(plan: Scenario, now: number): Record<string, string> {
  const headers: Record<string, string> = {};
  if (plan.retryAfter !== undefined) headers['retry-after'] = String(plan.retryAfter);
  if (plan.retryAfterMs !== undefined) headers['retry-after-ms'] = String(plan.retryAfterMs);
  if (plan.retryAfterDate !== undefined) headers['retry-after'] = new Date(now + plan.retryAfterDate * 1000).toUTCString();
  return headers;
}

/** The scripted part of a call once it was admitted: status, bad JSON, or the healthy answer. */
async function play(dialect: Dialect, exchange: Exchange, method: string, apiPath: string): Promise<Response> {
  const { plan, signal } = exchange;
  await sleep(plan.delay ?? 0, signal);
  if (plan.reset) throw new ConnectionLost();
  if (plan.hang) await sleep(Number.POSITIVE_INFINITY, signal);
  const refused = dialect.admit(exchange);
  if (refused !== undefined) return refused;
  if (plan.status !== undefined) {
    return dialect.failure(exchange, plan.status, { code: plan.code, type: plan.type, message: plan.message });
  }
  if (plan.badJson) {
    return new Response(dialect.truncatedBody(exchange.n), {
      status: 200,
      headers: { ...exchange.headers, 'content-type': 'application/json' },
    });
  }
  return dialect.answer(exchange, method, apiPath);
}

/** Builds a fresh mock provider with its own call log and `times`/`after` counters. */
export function createMockProvider({ name = 'mock' }: MockProviderOptions = {}): MockProvider {
  let log: MockCall[] = [];
  let counters = new Map<string, number>();
  let seq = 0;
  let responses = createResponsesDialect();
  let generation = 0;

  async function fetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init);
    const { signal, headers: requestHeaders } = request;
    if (signal.aborted) throw abortReason(signal);
    const url = new URL(request.url);
    const { scenario: encoded, apiPath } = splitMockPath(url.pathname);
    const body = await readBody(request);
    const n = ++seq;
    const parsed = parseScenario(encoded);
    log.push({
      n,
      scenario: parsed.ok ? parsed.scenario.raw : encoded,
      method: request.method,
      path: apiPath,
      query: url.search,
      model: bodyModel(body) ?? null,
      stream: field(body, 'stream') === true,
      authorization: requestHeaders.get('authorization'),
      apiKey: requestHeaders.get('x-api-key'),
      anthropicVersion: requestHeaders.get('anthropic-version'),
      anthropicBeta: requestHeaders.get('anthropic-beta'),
      requestId: requestHeaders.get('x-request-id'),
      body: body.kind === 'json' ? body.value : null,
      headers: Object.fromEntries(requestHeaders),
    });
    const dialect = dialectFor(apiPath, responses);
    const headers = { [dialect.requestIdHeader]: `req_mock_${n}`, 'x-mock-provider': name, 'x-mock-call': String(n) };
    if (!parsed.ok) {
      return dialect.failure({ n, body, headers }, 400, { message: `mock provider: bad scenario '${encoded}': ${parsed.reason}` });
    }
    const scenario = parsed.scenario;
    const count = (counters.get(scenario.id) ?? 0) + 1;
    counters.set(scenario.id, count);
    const plan = faultsApply(scenario, count) ? scenario : withoutFaults(scenario);
    const exchange = { n, name, plan, body, requestHeaders, signal, headers: { ...headers, ...retryHeaders(plan, Date.now()) } };
    return play(dialect, exchange, request.method, apiPath);
  }

  return {
    name,
    fetch,
    calls: () => log.map((call) => ({ ...call, headers: { ...call.headers } })),
    reset() {
      log = [];
      counters = new Map();
      seq = 0;
      generation += 1;
      responses = createResponsesDialect(undefined, generation);
    },
  };
}
