// Owns calling the mock's POST /v1/messages in tests, with Anthropic's headers and a minimal valid body.

import type { MockProvider } from './handler.ts';
import type { SseEvent } from './sse-reader.ts';

/** The one-message conversation every test starts from. */
export const hello = [{ role: 'user', content: 'Say hello' }];

/** Headers an Anthropic SDK sends; a test overrides or removes (`null`) any of them. */
const anthropicHeaders = {
  'content-type': 'application/json',
  'x-api-key': 'sk-ant-test',
  'anthropic-version': '2023-06-01',
};

/**
 * POSTs `{model, max_tokens, messages, ...body}` to `/<scenario>/v1/messages`. A `null` header
 * value leaves that header out.
 */
export function messages(
  provider: MockProvider,
  scenario: string,
  body: Record<string, unknown> = {},
  { headers = {}, signal }: { headers?: Record<string, string | null>; signal?: AbortSignal } = {},
): Promise<Response> {
  const prefix = scenario === '' ? '' : `/${scenario}`;
  const sent = Object.entries({ ...anthropicHeaders, ...headers }).filter((entry): entry is [string, string] => entry[1] !== null);
  return provider.fetch(`http://mock.test${prefix}/v1/messages`, {
    method: 'POST',
    headers: sent,
    body: JSON.stringify({ model: 'claude-mock', max_tokens: 1024, messages: hello, ...body }),
    signal,
  });
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
