// Owns calling the mock's Responses routes in tests: a minimal valid body, OpenAI's headers, and reading JSON answers, errors and event streams.

import type { MockProvider } from './handler.ts';
import type { OutputItem, ResponsesUsage } from './responses-wire.ts';
import { sseEvents } from './sse-reader.ts';

/** A Response object as tests read it. */
export type ResponseBody = Record<string, unknown> & {
  id: string;
  status: string;
  output: OutputItem[];
  usage: ResponsesUsage | null;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: string } | null;
};

/** One parsed event: its `event:` name and its JSON data (`undefined` when the data is not JSON). */
export type ParsedEvent = { name: string; data: Record<string, unknown> | undefined };

type Options = { headers?: Record<string, string>; signal?: AbortSignal; method?: string };

/** POSTs `{model, input: 'Say hello', ...body}` as JSON to `/<scenario>/v1/responses` with a Bearer key. */
export function responses(
  provider: MockProvider,
  scenario: string,
  body: Record<string, unknown> = {},
  options: Options = {},
): Promise<Response> {
  const prefix = scenario === '' ? '' : `/${scenario}`;
  return provider.fetch(`http://mock.test${prefix}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test', ...options.headers },
    body: JSON.stringify({ model: 'gpt-5-mock', input: 'Say hello', ...body }),
    signal: options.signal,
  });
}

/** Sends `method` to `/v1/responses/<id>`. */
export function byId(provider: MockProvider, method: 'GET' | 'DELETE', id: string): Promise<Response> {
  return provider.fetch(`http://mock.test/v1/responses/${id}`, { method, headers: { authorization: 'Bearer sk-test' } });
}

/** The body of a 200 Response (fails the test on any other status). */
export async function responseOf(response: Response): Promise<ResponseBody> {
  if (response.status !== 200) throw new Error(`expected 200, got ${response.status}: ${await response.text()}`);
  return (await response.json()) as ResponseBody;
}

/** The status and `error` of an OpenAI error answer. */
export async function errorOf(
  response: Response,
): Promise<{ status: number; message: string; type: string; param: string | null; code: string | null }> {
  const body = (await response.json()) as { error: { message: string; type: string; param: string | null; code: string | null } };
  return { status: response.status, ...body.error };
}

function parseData(data: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(data) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** The events of an SSE body, in order. */
export function parsedEvents(text: string): ParsedEvent[] {
  return sseEvents(text).map((event) => ({ name: event.event, data: parseData(event.data) }));
}

/** The event names of an SSE body, in order. */
export function eventNames(text: string): string[] {
  return sseEvents(text).map((event) => event.event);
}

/** The concatenated `delta` of every event named `name`. */
export function joinedDeltas(events: readonly ParsedEvent[], name: string): string {
  return events
    .filter((event) => event.name === name)
    .map((event) => String(event.data?.delta ?? ''))
    .join('');
}

/** The `response` of the last event named `name`. */
export function lifecycleResponse(events: readonly ParsedEvent[], name: string): ResponseBody {
  const event = events.findLast((candidate) => candidate.name === name);
  if (event?.data === undefined) throw new Error(`no ${name} event`);
  return event.data.response as ResponseBody;
}
