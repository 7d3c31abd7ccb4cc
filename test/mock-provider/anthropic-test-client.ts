// Owns calling the mock's Anthropic routes in tests (messages, count_tokens), with Anthropic's headers and a minimal valid body.

import type { AnthropicUsage, ContentBlock } from './anthropic-wire.ts';
import type { MockProvider } from './handler.ts';
import type { SseEvent } from './sse-reader.ts';

/** A non-streaming message as tests read it. */
export type AnthropicMessage = {
  content: ContentBlock[];
  stop_reason: string;
  stop_sequence: string | null;
  usage: AnthropicUsage;
};

/** The one-message conversation every test starts from. */
export const hello = [{ role: 'user', content: 'Say hello' }];

/** Headers an Anthropic SDK sends; a test overrides or removes (`null`) any of them. */
const anthropicHeaders = {
  'content-type': 'application/json',
  'x-api-key': 'sk-ant-test',
  'anthropic-version': '2023-06-01',
};

type Options = { headers?: Record<string, string | null>; signal?: AbortSignal };

/** POSTs `body` as JSON to `/<scenario><path>` with Anthropic's headers; a `null` header value leaves that header out. */
function post(provider: MockProvider, path: string, scenario: string, body: Record<string, unknown>, options: Options): Promise<Response> {
  const prefix = scenario === '' ? '' : `/${scenario}`;
  const sent = Object.entries({ ...anthropicHeaders, ...options.headers }).filter((entry): entry is [string, string] => entry[1] !== null);
  return provider.fetch(`http://mock.test${prefix}${path}`, {
    method: 'POST',
    headers: sent,
    body: JSON.stringify(body),
    signal: options.signal,
  });
}

/**
 * POSTs `{model, max_tokens, messages, ...body}` to `/<scenario>/v1/messages`. A `null` header
 * value leaves that header out.
 */
export function messages(
  provider: MockProvider,
  scenario: string,
  body: Record<string, unknown> = {},
  options: Options = {},
): Promise<Response> {
  return post(provider, '/v1/messages', scenario, { model: 'claude-mock', max_tokens: 1024, messages: hello, ...body }, options);
}

/** POSTs `{model, messages, ...body}` (no `max_tokens`) to `/<scenario>/v1/messages/count_tokens`. */
export function countTokens(
  provider: MockProvider,
  scenario: string,
  body: Record<string, unknown> = {},
  options: Options = {},
): Promise<Response> {
  return post(provider, '/v1/messages/count_tokens', scenario, { model: 'claude-mock', messages: hello, ...body }, options);
}

/** The body of a 200 non-streaming message (fails the test on any other status). */
export async function message(response: Response): Promise<AnthropicMessage> {
  if (response.status !== 200) throw new Error(`expected 200, got ${response.status}: ${await response.text()}`);
  return (await response.json()) as AnthropicMessage;
}

/** The body of an Anthropic error answer. */
export async function errorOf(response: Response): Promise<{ status: number; type: string; message: string }> {
  const body = (await response.json()) as { error: { type: string; message: string } };
  return { status: response.status, ...body.error };
}

/** `text` with its last character changed: a tampered signature or payload. */
export function tampered(text: string): string {
  return `${text.slice(0, -1)}${text.endsWith('0') ? '1' : '0'}`;
}

/** An event's JSON data. */
export function data(event: SseEvent | undefined): Record<string, unknown> {
  return JSON.parse(event?.data ?? 'null') as Record<string, unknown>;
}

/** The `text_delta` texts of a stream, joined; broken events are skipped. */
export function streamedText(events: readonly SseEvent[]): string {
  return events
    .filter((event) => event.event === 'content_block_delta' && !event.data.endsWith('{'))
    .map((event) => {
      const delta = data(event).delta as { type: string; text?: string };
      return delta.type === 'text_delta' ? (delta.text ?? '') : '';
    })
    .join('');
}
