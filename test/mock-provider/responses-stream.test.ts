// Tests the mock's streamed /v1/responses answers: the event sequence, numbering and item ids, and every stream fault (runs in workerd).

import { describe, expect, it } from 'vitest';
import { createMockProvider } from './handler.ts';
import type { ParsedEvent } from './responses-test-client.ts';
import { eventNames, joinedDeltas, lifecycleResponse, parsedEvents, responseOf, responses } from './responses-test-client.ts';
import { drain } from './sse-reader.ts';

const stream = { stream: true };
const tools = [{ type: 'function', name: 'search', parameters: { type: 'object' } }];
const text = (events: readonly ParsedEvent[]) => joinedDeltas(events, 'response.output_text.delta');

async function streamed(scenario: string, body: Record<string, unknown> = {}): Promise<ParsedEvent[]> {
  return parsedEvents(await (await responses(createMockProvider(), scenario, { ...stream, ...body })).text());
}

describe('POST /v1/responses with stream: true', () => {
  it('streams the preamble, one message item and response.completed, each event named by its type', async () => {
    const response = await responses(createMockProvider(), '', stream);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const body = await response.text();
    expect(body).not.toContain('[DONE]');
    const events = parsedEvents(body);
    expect(events.map((event) => event.name)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...Array<string>(5).fill('response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    for (const event of events) expect(event.data?.type).toBe(event.name);
    expect(events.map((event) => event.data?.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events[0]?.data?.response).toMatchObject({ id: 'resp_mock_1', status: 'in_progress', output: [], usage: null });
    expect(events[2]?.data).toMatchObject({
      output_index: 0,
      item: { id: 'msg_mock_1', type: 'message', status: 'in_progress', content: [], role: 'assistant' },
    });
    expect(events[3]?.data).toMatchObject({ item_id: 'msg_mock_1', content_index: 0, part: { type: 'output_text', text: '' } });
    expect(events[4]?.data).toEqual({
      type: 'response.output_text.delta',
      sequence_number: 4,
      item_id: 'msg_mock_1',
      output_index: 0,
      content_index: 0,
      delta: 'Hello',
      logprobs: [],
      obfuscation: expect.any(String),
    });
    expect(events[9]?.data).toMatchObject({ text: 'Hello from the mock provider.' });
  });

  it('pads every delta with obfuscation unless stream_options.include_obfuscation is false', async () => {
    const deltas = (events: ParsedEvent[]) => events.filter((event) => event.name.endsWith('.delta')).map((event) => event.data);
    const padded = deltas(await streamed('', { tools, reasoning: { effort: 'low', summary: 'auto' } }));
    expect(padded.length).toBeGreaterThan(3);
    for (const data of padded) expect(String(data?.obfuscation).length).toBeGreaterThan(0);
    const plain = deltas(await streamed('', { tools, stream_options: { include_obfuscation: false } }));
    for (const data of plain) expect(data).not.toHaveProperty('obfuscation');
  });

  it('ends with the same Response the JSON answer gives', async () => {
    const provider = createMockProvider();
    const { created_at: _a, id: _b, ...whole } = await responseOf(await responses(provider, 'repeat=2'));
    const events = parsedEvents(await (await responses(provider, 'repeat=2', stream)).text());
    const { created_at: _c, id, ...completed } = lifecycleResponse(events, 'response.completed');
    expect(id).toBe('resp_mock_2');
    expect(completed).toEqual({ ...whole, output: [{ ...whole.output[0], id: 'msg_mock_2' }] });
    expect(text(events)).toBe('Hello from the mock provider. Hello from the mock provider.');
  });

  it('streams a function call: the item with empty arguments, argument deltas, their done and the item done', async () => {
    const events = await streamed('', { tools });
    expect(events.map((event) => event.name)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events[2]?.data?.item).toEqual({
      id: 'fc_mock_1',
      type: 'function_call',
      status: 'in_progress',
      arguments: '',
      call_id: 'call_mock_1',
      name: 'search',
    });
    const args = joinedDeltas(events, 'response.function_call_arguments.delta');
    expect(JSON.parse(args)).toEqual({ query: 'Say hello' });
    expect(events[6]?.data).toMatchObject({ item_id: 'fc_mock_1', output_index: 0, arguments: args });
    expect(events[7]?.data?.item).toMatchObject({ status: 'completed', arguments: args });
  });

  it('streams a reasoning summary before the message, the items at output indexes 0 and 1', async () => {
    const events = await streamed('', { reasoning: { effort: 'low', summary: 'auto' } });
    const names = events.map((event) => event.name);
    expect(names.slice(0, 4)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
    ]);
    expect(names.indexOf('response.reasoning_summary_text.done')).toBeLessThan(names.indexOf('response.output_text.delta'));
    const summary = joinedDeltas(events, 'response.reasoning_summary_text.delta');
    expect(summary).toBe('No tool is needed here. I will reply: "Hello from the mock provider.".');
    const itemIds = new Set(
      events.filter((event) => event.name.includes('delta')).map((event) => `${event.data?.output_index}:${event.data?.item_id}`),
    );
    expect([...itemIds]).toEqual(['0:rs_mock_1', '1:msg_mock_1']);
    expect(lifecycleResponse(events, 'response.completed').output.map((item) => item.type)).toEqual(['reasoning', 'message']);
  });

  it('ends with response.incomplete when max_output_tokens cuts the text', async () => {
    const events = await streamed('repeat=5', { max_output_tokens: 16 });
    expect(events.at(-1)?.name).toBe('response.incomplete');
    expect(lifecycleResponse(events, 'response.incomplete')).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
    });
    expect(events.filter((event) => event.name === 'response.output_text.delta')).toHaveLength(16);
  });
});

describe('POST /v1/responses stream faults', () => {
  it('sends the preamble at once, then waits first-token-delay and token-delay between deltas', async () => {
    const started = Date.now();
    const response = await responses(createMockProvider(), 'first-token-delay=150,token-delay=20', stream);
    const reader = (response.body ?? new ReadableStream<Uint8Array>()).getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('event: response.created');
    expect(Date.now() - started).toBeLessThan(120);
    reader.releaseLock();
    const rest = await drain(response.body);
    expect(Date.now() - started).toBeGreaterThanOrEqual(225);
    expect(text(parsedEvents(first + rest.text))).toBe('Hello from the mock provider.');
  });

  it('cuts the connection after cut-after deltas, before any done event', async () => {
    const { text: body, error } = await drain((await responses(createMockProvider(), 'cut-after=2', stream)).body);
    expect((error as Error).message).toBe('Network connection lost.');
    expect(text(parsedEvents(body))).toBe('Hello from');
    expect(eventNames(body)).not.toContain('response.output_text.done');
    expect(eventNames(body)).not.toContain('response.completed');
  });

  it('ends with response.failed carrying the failed Response after error-event-after deltas', async () => {
    const events = await streamed('error-event-after=1');
    expect(events.map((event) => event.name).slice(-2)).toEqual(['response.output_text.delta', 'response.failed']);
    expect(events.map((event) => event.data?.sequence_number)).toEqual(events.map((_, i) => i));
    expect(lifecycleResponse(events, 'response.failed')).toMatchObject({
      id: 'resp_mock_1',
      status: 'failed',
      error: { code: 'server_error', message: 'The model failed to generate a response.' },
      output: [],
      usage: null,
    });
  });

  it('fails right after the preamble for error-event-after=0, with a scripted code and message', async () => {
    const events = await streamed('error-event-after=0,code=rate_limit_exceeded,message=Slow%20down');
    expect(events.map((event) => event.name)).toEqual(['response.created', 'response.in_progress', 'response.failed']);
    expect(lifecycleResponse(events, 'response.failed').error).toEqual({ code: 'rate_limit_exceeded', message: 'Slow down' });
  });

  it('fails the same way for the fail-after-created item, and plays it only inside the times window', async () => {
    const provider = createMockProvider();
    const failing = await (await responses(provider, 'fail-after-created,times=1', stream)).text();
    expect(eventNames(failing)).toEqual(['response.created', 'response.in_progress', 'response.failed']);
    expect(eventNames(await (await responses(provider, 'fail-after-created,times=1', stream)).text()).at(-1)).toBe('response.completed');
    expect(provider.calls()[0]?.scenario).toBe('fail-after-created,times=1');
  });

  it('inserts one malformed event before delta N and carries on with the numbering unbroken', async () => {
    const events = await streamed('malformed-at=1');
    const broken = events.findIndex((event) => event.data === undefined);
    expect(events[broken]?.name).toBe('response.output_text.delta');
    expect(events[broken - 1]?.data?.delta).toBe('Hello');
    const numbers = events.filter((event) => event.data !== undefined).map((event) => event.data?.sequence_number);
    expect(numbers).toEqual(numbers.map((_, i) => i));
    expect(events.at(-1)?.name).toBe('response.completed');
  });

  it.each([
    ['stall-after=1', 'Hello', 'response.output_text.delta'],
    ['no-done', 'Hello from the mock provider.', 'response.output_item.done'],
  ])('goes silent for %s until the client aborts', async (scenario, sent, last) => {
    const controller = new AbortController();
    const response = await responses(createMockProvider(), scenario, stream, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    const { text: body, error } = await drain(response.body);
    expect(error).toBeDefined();
    expect(text(parsedEvents(body))).toBe(sent);
    expect(eventNames(body).at(-1)).toBe(last);
  });

  it('plays faults only inside the times window', async () => {
    const provider = createMockProvider();
    const first = await (await responses(provider, 'id=s,error-event-after=0,times=1', stream)).text();
    const second = await (await responses(provider, 'id=s,error-event-after=0,times=1', stream)).text();
    expect(eventNames(first).at(-1)).toBe('response.failed');
    expect(eventNames(second).at(-1)).toBe('response.completed');
  });
});
