// Owns what every route of the mock gets: the exchange (call number, plan, parsed body, signal, headers) and JSON replies.

import type { Scenario } from './scenario.ts';

/** The request body: absent, parsed JSON, or not JSON at all. */
export type Parsed = { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'invalid' };

/** One call as the routes see it, after the scenario was parsed and counted. */
export type Exchange = {
  /** 1-based arrival number; used in response and request ids. */
  n: number;
  /** The provider's name (`owned_by` in `/v1/models`). */
  name: string;
  /** The scenario for this call: faults removed when the call is outside the `after`/`times` window. */
  plan: Scenario;
  body: Parsed;
  /** The inbound request's headers (credentials, versions). */
  requestHeaders: Headers;
  /** Aborted when the caller goes away; every wait and stream honours it. */
  signal: AbortSignal;
  /** The headers every answer to this call carries: request id, mock markers and scripted retry hints. */
  headers: Record<string, string>;
};

/** The part of an exchange an error answer needs; available even before the scenario is known. */
export type FailureExchange = Pick<Exchange, 'n' | 'body' | 'headers'>;

/** Reads and parses a request body; GET/HEAD and empty bodies are `none`. */
export async function readBody(request: Request): Promise<Parsed> {
  if (request.method === 'GET' || request.method === 'HEAD') return { kind: 'none' };
  const text = await request.text();
  if (text === '') return { kind: 'none' };
  try {
    return { kind: 'json', value: JSON.parse(text) };
  } catch {
    return { kind: 'invalid' };
  }
}

/** A top-level field of a JSON object body, `undefined` for anything else. */
export function field(body: Parsed, key: string): unknown {
  if (body.kind !== 'json' || typeof body.value !== 'object' || body.value === null) return undefined;
  return Object.hasOwn(body.value, key) ? Reflect.get(body.value, key) : undefined;
}

/** A JSON response with `headers`. */
export function json(status: number, value: unknown, headers: Record<string, string>): Response {
  return new Response(JSON.stringify(value), { status, headers: { ...headers, 'content-type': 'application/json' } });
}

/** The model named in the body, when it is a string. */
export function bodyModel(body: Parsed): string | undefined {
  const model = field(body, 'model');
  return typeof model === 'string' ? model : undefined;
}

/** The exchange a `limit-key` refusal answers with: a `retry-after` of 30 s unless the scenario scripts one. */
export function limitedExchange(exchange: Exchange): Exchange {
  return { ...exchange, headers: { 'retry-after': '30', ...exchange.headers } };
}
