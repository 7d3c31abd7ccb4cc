// Tests the mock's streamed /v1/messages answers: event order and shape, tool_use deltas, and every stream fault (runs in workerd).

import { describe, expect, it } from 'vitest';
import { data, messages, streamedText } from './anthropic-test-client.ts';
import { createMockProvider } from './handler.ts';
import { drain, sseEvents } from './sse-reader.ts';

const stream = { stream: true };
const names = (text: string) => sseEvents(text).map((event) => event.event);
const tools = [{ name: 'search', input_schema: { type: 'object' } }];

describe('POST /v1/messages with stream: true', () => {
  it('streams message_start, a text block, message_delta and message_stop, each data typed as its event', async () => {
    const response = await messages(createMockProvider(), '', stream);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = sseEvents(await response.text());
    expect(events.map((event) => event.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      ...Array<string>(5).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    for (const event of events) expect(data(event).type).toBe(event.event);
    expect(data(events[0])).toEqual({
      type: 'message_start',
      message: {
        id: 'msg_mock_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-mock',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 },
      },
    });
    expect(data(events[1])).toEqual({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    expect(data(events[3])).toEqual({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } });
    expect(data(events.at(-3))).toEqual({ type: 'content_block_stop', index: 0 });
    expect(data(events.at(-2))).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 5 },
    });
  });

  it('streams the same text it answers without streaming', async () => {
    const provider = createMockProvider();
    const scenario = 'reply=One%20two%20%20three.,repeat=2';
    const whole = (await (await messages(provider, scenario)).json()) as { content: Array<{ text: string }> };
    const streamed = streamedText(sseEvents(await (await messages(provider, scenario, stream)).text()));
    expect(streamed).toBe(whole.content[0]?.text);
    expect(streamed).toBe('One two  three. One two  three.');
  });

  it('streams a tool_use block whose input_json_delta fragments join to its input', async () => {
    const events = sseEvents(await (await messages(createMockProvider(), '', { ...stream, tools })).text());
    expect(data(events[1])).toEqual({
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'tool_use', id: 'toolu_mock_1', name: 'search', input: {} },
    });
    const fragments = events
      .filter((event) => event.event === 'content_block_delta')
      .map((event) => data(event).delta as { type: string; partial_json: string });
    expect(fragments.every((delta) => delta.type === 'input_json_delta')).toBe(true);
    expect(fragments[0]?.partial_json).toBe('');
    expect(fragments.length).toBeGreaterThanOrEqual(3);
    expect(JSON.parse(fragments.map((delta) => delta.partial_json).join(''))).toEqual({ query: 'Say hello' });
    expect(data(events.at(-2))).toMatchObject({ delta: { stop_reason: 'tool_use' } });
  });

  it('streams only the rest after a prefill, and reports max_tokens in message_delta', async () => {
    const prefill = [
      { role: 'user', content: 'Say hello' },
      { role: 'assistant', content: 'Hello' },
    ];
    const rest = sseEvents(await (await messages(createMockProvider(), '', { ...stream, messages: prefill })).text());
    expect(streamedText(rest)).toBe(' from the mock provider.');
    const short = sseEvents(await (await messages(createMockProvider(), '', { ...stream, max_tokens: 1 })).text());
    expect(streamedText(short)).toBe('Hello');
    expect(data(short.at(-2))).toMatchObject({ delta: { stop_reason: 'max_tokens' }, usage: { output_tokens: 1 } });
  });

  it('sends the opening at once, then waits first-token-delay and token-delay between deltas', async () => {
    const started = Date.now();
    const response = await messages(createMockProvider(), 'first-token-delay=150,token-delay=20', stream);
    const reader = (response.body ?? new ReadableStream<Uint8Array>()).getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('event: message_start');
    expect(Date.now() - started).toBeLessThan(120);
    reader.releaseLock();
    const { text } = await drain(response.body);
    expect(Date.now() - started).toBeGreaterThanOrEqual(225);
    expect(streamedText(sseEvents(first + text))).toBe('Hello from the mock provider.');
  });

  it('errors the stream with a lost connection after cut-after deltas, without stop events', async () => {
    const { text, error } = await drain((await messages(createMockProvider(), 'cut-after=2', stream)).body);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('Network connection lost.');
    expect(streamedText(sseEvents(text))).toBe('Hello from');
    expect(names(text)).not.toContain('content_block_stop');
    expect(names(text)).not.toContain('message_stop');
  });

  it('ends the stream with an overloaded error event after error-event-after deltas', async () => {
    const text = await (await messages(createMockProvider(), 'error-event-after=1', stream)).text();
    const events = sseEvents(text);
    expect(names(text)).toEqual(['message_start', 'content_block_start', 'ping', 'content_block_delta', 'error']);
    expect(data(events.at(-1))).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  });

  it('inserts one malformed event before delta N and carries on', async () => {
    const events = sseEvents(await (await messages(createMockProvider(), 'malformed-at=1', stream)).text());
    expect(events[4]?.event).toBe('content_block_delta');
    expect(() => JSON.parse(events[4]?.data ?? '')).toThrow();
    expect(streamedText(events)).toBe('Hello from the mock provider.');
    expect(events.at(-1)?.event).toBe('message_stop');
  });

  it('stalls after stall-after deltas until the client aborts', async () => {
    const controller = new AbortController();
    const response = await messages(createMockProvider(), 'stall-after=1', stream, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const { text, error } = await drain(response.body);
    expect(error).toBeDefined();
    expect(streamedText(sseEvents(text))).toBe('Hello');
    expect(names(text)).not.toContain('message_delta');
  });

  it('withholds message_stop and hangs after message_delta for no-done', async () => {
    const controller = new AbortController();
    const response = await messages(createMockProvider(), 'no-done', stream, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const { text, error } = await drain(response.body);
    expect(error).toBeDefined();
    expect(names(text).at(-1)).toBe('message_delta');
    expect(streamedText(sseEvents(text))).toBe('Hello from the mock provider.');
  });

  it('plays faults only inside the times window', async () => {
    const provider = createMockProvider();
    const first = await (await messages(provider, 'id=s,error-event-after=0,times=1', stream)).text();
    const second = await (await messages(provider, 'id=s,error-event-after=0,times=1', stream)).text();
    expect(names(first).at(-1)).toBe('error');
    expect(names(second).at(-1)).toBe('message_stop');
  });
});
