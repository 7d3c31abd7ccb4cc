// Anthropic wire format for callers: error bodies, SSE events, and the stream translation.
import { createParser } from 'eventsource-parser';
import type { ProxyError } from '../errors.ts';
import type { Emit, PullTransformer } from '../pull-through.ts';
import { type AnthropicEvent, AnthropicEventWriter } from './anthropic-events-out.ts';

/** Anthropic's error type for a proxy error's status (its SDKs branch on these). */
export function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 504:
      return 'timeout_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

/** The Anthropic error body for a proxy error; the 503 also lists the attempts made. */
export function anthropicErrorBody(err: ProxyError): Record<string, unknown> {
  const error: Record<string, unknown> = { type: anthropicErrorType(err.status), message: err.message, code: err.code };
  if (err.attempts !== undefined) error.attempts = err.attempts;
  return { type: 'error', error };
}

const encoder = new TextEncoder();

/** Encodes Anthropic events as SSE text (`event:` and `data:` lines). */
export function encodeAnthropicEvents(events: readonly AnthropicEvent[]): Uint8Array {
  let text = '';
  for (const { event, data } of events) text += `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  return encoder.encode(text);
}

/**
 * The translation from the proxy's OpenAI event stream to Anthropic events, for callers of
 * `/v1/messages`, run by `pullThrough` (never through a pipe: see pull-through.ts). Works event by
 * event, so nothing is buffered beyond one network chunk.
 */
export function anthropicTransformer(withThinking: boolean): PullTransformer {
  const writer = new AnthropicEventWriter(withThinking);
  const decoder = new TextDecoder();
  let pending: AnthropicEvent[] = [];
  const parser = createParser({
    onEvent: (event) => {
      pending.push(...writer.write(event.data));
    },
  });
  const emit = (out: Emit): void => {
    if (pending.length === 0) return;
    out.enqueue(encodeAnthropicEvents(pending));
    pending = [];
  };
  return {
    transform(bytes, out) {
      parser.feed(decoder.decode(bytes, { stream: true }));
      emit(out);
    },
    flush(out) {
      parser.reset({ consume: true });
      pending.push(...writer.flush());
      emit(out);
    },
  };
}
