// Owns the mock provider: a web-standard fetch that routes, records calls, counts `times`/`after` and plays faults.

import { chatAnswer, promptTokens, readChatRequest } from './chat-reply.ts';
import { chatEvents } from './chat-stream.ts';
import { abortReason, ConnectionLost, eventStream, sleep } from './connection.ts';
import type { ErrorOverrides } from './openai-wire.ts';
import { chatCompletion, embeddingList, errorBody, modelList } from './openai-wire.ts';
import type { Scenario } from './scenario.ts';
import { faultsApply, parseScenario, splitMockPath, withoutFaults } from './scenario.ts';

export { ConnectionLost } from './connection.ts';

/** One request the mock received, in arrival order. */
export type MockCall = {
  /** 1-based arrival number since creation or the last `reset()`; also used in response ids. */
  n: number;
  /** The scenario as written in the URL (decoded), `''` when none. */
  scenario: string;
  /** The API path after the scenario, e.g. `/v1/chat/completions`. */
  path: string;
  model: string | null;
  stream: boolean;
  authorization: string | null;
  requestId: string | null;
  /** The parsed JSON body; `null` when there was none or it was not JSON. */
  body: unknown;
};

/** A scriptable fake OpenAI-compatible vendor. */
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
  /** Forgets calls, the call counter and every `times`/`after` counter. */
  reset(): void;
};

export type MockProviderOptions = {
  /** Sent as `x-mock-provider` and as `owned_by` in `/v1/models`. Default `mock`. */
  name?: string;
};

/** The models `/v1/models` lists. Any model name is accepted on the other routes. */
export const mockModels = ['mock-model', 'gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small'] as const;

type Parsed = { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'invalid' };

type Context = {
  n: number;
  plan: Scenario;
  body: Parsed;
  signal: AbortSignal;
  headers: Record<string, string>;
};

const unparsableBody =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)";

async function readBody(request: Request): Promise<Parsed> {
  if (request.method === 'GET' || request.method === 'HEAD') return { kind: 'none' };
  const text = await request.text();
  if (text === '') return { kind: 'none' };
  try {
    return { kind: 'json', value: JSON.parse(text) };
  } catch {
    return { kind: 'invalid' };
  }
}

function field(body: Parsed, key: string): unknown {
  if (body.kind !== 'json' || typeof body.value !== 'object' || body.value === null) return undefined;
  return Object.hasOwn(body.value, key) ? Reflect.get(body.value, key) : undefined;
}

function json(status: number, value: unknown, headers: Record<string, string>): Response {
  return new Response(JSON.stringify(value), { status, headers: { ...headers, 'content-type': 'application/json' } });
}

function failure(ctx: Pick<Context, 'body' | 'headers'>, status: number, overrides: ErrorOverrides): Response {
  const model = field(ctx.body, 'model');
  return json(status, errorBody(status, overrides, typeof model === 'string' ? model : undefined), ctx.headers);
}

/** Retry hints from the scenario, sent on whatever the scripted call answers. */
function retryHeaders(plan: Scenario, now: number): Record<string, string> {
  const headers: Record<string, string> = {};
  if (plan.retryAfter !== undefined) headers['retry-after'] = String(plan.retryAfter);
  if (plan.retryAfterMs !== undefined) headers['retry-after-ms'] = String(plan.retryAfterMs);
  if (plan.retryAfterDate !== undefined) headers['retry-after'] = new Date(now + plan.retryAfterDate * 1000).toUTCString();
  return headers;
}

function chat(ctx: Context): Response {
  if (ctx.body.kind !== 'json') return failure(ctx, 400, { message: unparsableBody });
  const request = readChatRequest(ctx.body.value);
  if (typeof request === 'string') return failure(ctx, 400, { message: request });
  const answer = chatAnswer(request, ctx.n, ctx.plan.reply, ctx.plan.repeat);
  const meta = { id: `chatcmpl-mock-${ctx.n}`, model: request.model, created: Math.floor(Date.now() / 1000) };
  if (!request.stream) return json(200, chatCompletion(meta, answer.message, answer.finishReason, answer.usage), ctx.headers);
  const body = eventStream((stop) => chatEvents(meta, answer, request.includeUsage, ctx.plan, stop), ctx.signal);
  return new Response(body, {
    status: 200,
    headers: { ...ctx.headers, 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
  });
}

function embeddingInputs(input: unknown): string[] | undefined {
  const asText = (item: unknown) => (typeof item === 'string' ? item : Array.isArray(item) ? item.join(' ') : undefined);
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (input.every((item) => typeof item === 'number')) return [input.join(' ')];
  const texts = input.map(asText);
  return texts.every((text) => text !== undefined) ? texts : undefined;
}

function embeddings(ctx: Context): Response {
  if (ctx.body.kind !== 'json') return failure(ctx, 400, { message: unparsableBody });
  const model = field(ctx.body, 'model');
  const inputs = embeddingInputs(field(ctx.body, 'input'));
  if (typeof model !== 'string') return failure(ctx, 400, { message: 'you must provide a model parameter' });
  if (inputs === undefined) return failure(ctx, 400, { message: "'input' must be a string or an array of strings" });
  const format = field(ctx.body, 'encoding_format') === 'base64' ? 'base64' : 'float';
  return json(200, embeddingList(inputs, model, format, promptTokens(inputs)), ctx.headers);
}

function route(ctx: Context, method: string, path: string, name: string): Response {
  if (method === 'GET' && path === '/v1/models') {
    return json(200, modelList(mockModels, name, 1_700_000_000), ctx.headers);
  }
  if (method === 'POST' && path === '/v1/embeddings') return embeddings(ctx);
  if (method === 'POST' && path === '/v1/chat/completions') return chat(ctx);
  const error = { message: `Invalid URL (${method} ${path})`, type: 'invalid_request_error', code: null, param: null };
  return json(404, { error }, ctx.headers);
}

/** Builds a fresh mock provider with its own call log and `times`/`after` counters. */
export function createMockProvider({ name = 'mock' }: MockProviderOptions = {}): MockProvider {
  let log: MockCall[] = [];
  let counters = new Map<string, number>();
  let seq = 0;

  async function fetch(input: Request | string | URL, init?: RequestInit): Promise<Response> {
    const request = new Request(input, init);
    const { signal } = request;
    if (signal.aborted) throw abortReason(signal);
    const { scenario: encoded, apiPath } = splitMockPath(new URL(request.url).pathname);
    const body = await readBody(request);
    const n = ++seq;
    const parsed = parseScenario(encoded);
    const model = field(body, 'model');
    log.push({
      n,
      scenario: parsed.ok ? parsed.scenario.raw : encoded,
      path: apiPath,
      model: typeof model === 'string' ? model : null,
      stream: field(body, 'stream') === true,
      authorization: request.headers.get('authorization'),
      requestId: request.headers.get('x-request-id'),
      body: body.kind === 'json' ? body.value : null,
    });
    const headers: Record<string, string> = { 'x-request-id': `req_mock_${n}`, 'x-mock-provider': name, 'x-mock-call': String(n) };
    if (!parsed.ok) return failure({ body, headers }, 400, { message: `mock provider: bad scenario '${encoded}': ${parsed.reason}` });

    const scenario = parsed.scenario;
    const count = (counters.get(scenario.id) ?? 0) + 1;
    counters.set(scenario.id, count);
    const plan = faultsApply(scenario, count) ? scenario : withoutFaults(scenario);
    const ctx: Context = { n, plan, body, signal, headers: { ...headers, ...retryHeaders(plan, Date.now()) } };

    await sleep(plan.delay ?? 0, signal);
    if (plan.reset) throw new ConnectionLost();
    if (plan.hang) await sleep(Number.POSITIVE_INFINITY, signal);
    if (plan.key !== undefined && request.headers.get('authorization') !== `Bearer ${plan.key}`) {
      return failure(ctx, 401, { code: 'invalid_api_key' });
    }
    if (plan.status !== undefined) {
      return failure(ctx, plan.status, { code: plan.code, type: plan.type, message: plan.message });
    }
    if (plan.badJson) {
      return new Response(`{"id":"chatcmpl-mock-${n}","object":"chat.completion","choices":[{"index":0,"message":`, {
        status: 200,
        headers: { ...ctx.headers, 'content-type': 'application/json' },
      });
    }
    return route(ctx, request.method, apiPath, name);
  }

  return {
    name,
    fetch,
    calls: () => log.map((call) => ({ ...call })),
    reset() {
      log = [];
      counters = new Map();
      seq = 0;
    },
  };
}
