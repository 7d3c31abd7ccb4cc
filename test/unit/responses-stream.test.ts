// A Responses caller's stream written by responsesEncoder: from internal events, from a vendor's own events, and both on one stream (a rescue).
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../src/protocols/adapter.ts';
import { isObject, type Json } from '../../src/protocols/json.ts';
import type { ModelEvent } from '../../src/protocols/model.ts';
import { responsesDecoder } from '../../src/protocols/openai-responses/events-in.ts';
import { responsesEncoder } from '../../src/protocols/openai-responses/events-out.ts';
import streamReasoning from '../fixtures/responses/stream-reasoning.sse?raw';
import streamText from '../fixtures/responses/stream-text.sse?raw';
import { decodeWires, sdkFinalResponse, streamFaults } from './helpers/responses-wire.ts';
import { encodeAll, passAll, sseEvents } from './helpers/wire.ts';

const text = (t: string): ModelEvent => ({ type: 'text', text: t, choice: 0 });
const usage = { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13, cached_tokens: 2 };
const ending = (reason: 'stop' | 'length' | 'tool_calls'): ModelEvent[] => [
  { type: 'finish', choice: 0, reason },
  { type: 'usage', usage },
  { type: 'done' },
];
const begin: ModelEvent = { type: 'start', id: 'resp_abc', model: 'claude-sonnet-4-5', created: 1755431000 };
const dataOf = (wire: WireEvent | undefined): Json => (isObject(wire?.data) ? wire.data : {});
const types = (wires: readonly WireEvent[]) => wires.map((w) => w.event);
const last = (wires: readonly WireEvent[]) => dataOf(wires.at(-1));

const ROUND_TRIPS: [string, ModelEvent[]][] = [
  ['a text answer', [begin, text('Hel'), text('lo'), ...ending('stop')]],
  [
    'text then two function calls',
    [
      begin,
      text('Let me look.'),
      { type: 'tool-call', choice: 0, index: 0, id: 'call_1', name: 'get_weather', arguments: '' },
      { type: 'tool-call', choice: 0, index: 0, arguments: '{"city":"Paris"}' },
      { type: 'tool-call', choice: 0, index: 1, id: 'call_2', name: 'get_time', arguments: '' },
      { type: 'tool-call', choice: 0, index: 1, arguments: '{}' },
      ...ending('tool_calls'),
    ],
  ],
  [
    'signed reasoning, a second block of thought, then text',
    [
      begin,
      { type: 'reasoning', text: 'Hmm.', choice: 0 },
      { type: 'reasoning', text: ' Paris.', choice: 0 },
      { type: 'reasoning-signature', signature: 'EqQBCgIYAh', choice: 0 },
      { type: 'reasoning', text: 'Check.', choice: 0 },
      { type: 'reasoning-signature', signature: 'ErUBCkYIBx', choice: 0 },
      text('Paris.'),
      ...ending('stop'),
    ],
  ],
  ['redacted reasoning then text', [begin, { type: 'redacted-reasoning', data: 'EmwKAhgB', choice: 0 }, text('Hi'), ...ending('stop')]],
  ['an answer cut by the output limit', [begin, text('Once upon'), ...ending('length')]],
];

describe('responsesEncoder writing internal events', () => {
  it.each(ROUND_TRIPS)('writes %s as a stream the vendor-side decoder reads back as the same events', (_name, events) => {
    expect(decodeWires(encodeAll(responsesEncoder(undefined), events))).toEqual(events);
  });

  it.each(ROUND_TRIPS)(
    'writes %s keeping the wire’s rules (numbering, item ids and indexes, the output equal to what was streamed)',
    (_name, events) => {
      expect(streamFaults(encodeAll(responsesEncoder(undefined), events))).toEqual([]);
    },
  );

  it.each(ROUND_TRIPS)('writes %s as a stream the OpenAI SDK accumulates into the Response the stream ends with', async (_name, events) => {
    const wires = encodeAll(responsesEncoder(undefined), events);
    expect(await sdkFinalResponse(wires)).toMatchObject({ ...(last(wires).response as Json), output_text: expect.any(String) });
  });

  it('writes the full event sequence of a text answer, the terminal event after a usage that came after the finish', () => {
    const wires = encodeAll(responsesEncoder(undefined), [begin, text('Hi'), ...ending('stop')]);
    expect(types(wires)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(dataOf(wires[0])).toMatchObject({ response: { id: 'resp_abc', status: 'in_progress', output: [], usage: null } });
    expect(dataOf(wires[4])).toMatchObject({ output_index: 0, content_index: 0, delta: 'Hi', logprobs: [] });
    expect(last(wires).response).toMatchObject({
      status: 'completed',
      model: 'claude-sonnet-4-5',
      created_at: 1755431000,
      usage: { input_tokens: 9, input_tokens_details: { cached_tokens: 2 }, output_tokens: 4, total_tokens: 13 },
    });
  });

  it('echoes the caller’s request in every Response and gives an answer from another protocol a resp_ id', () => {
    const request = { model: 'chat', instructions: 'Be brief.', store: false, metadata: { run: '7' } };
    const wires = encodeAll(responsesEncoder(request), [
      { type: 'start', id: 'chatcmpl-9', model: 'deepseek-chat' },
      text('Hi'),
      ...ending('stop'),
    ]);
    for (const response of [dataOf(wires[0]).response, last(wires).response]) {
      expect(response).toMatchObject({
        instructions: 'Be brief.',
        store: false,
        metadata: { run: '7' },
        id: expect.stringMatching(/^resp_/),
      });
    }
  });

  it('ends a stream with no end marker: closes the open item, sends response.completed, once', () => {
    const encoder = responsesEncoder(undefined);
    encoder.encode(begin);
    encoder.encode(text('Part'));
    expect(types(encoder.end())).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(encoder.end()).toEqual([]);
  });

  it('fails a committed stream with response.failed carrying the error, then an error event the SDKs raise on, then nothing', async () => {
    const encoder = responsesEncoder(undefined);
    const wires = [
      ...encoder.encode(begin),
      ...encoder.encode(text('Part')),
      ...encoder.fail('stream_interrupted', 'The upstream connection was cut'),
    ];
    expect(types(wires).slice(-2)).toEqual(['response.failed', 'error']);
    expect(dataOf(wires.at(-1))).toMatchObject({
      code: 'stream_interrupted',
      error: { code: 'stream_interrupted', message: 'The upstream connection was cut' },
    });
    expect(dataOf(wires.at(-2)).response).toMatchObject({
      status: 'failed',
      error: { code: 'stream_interrupted', message: 'The upstream connection was cut' },
      output: [{ type: 'message', status: 'incomplete', content: [{ type: 'output_text', text: 'Part' }] }],
    });
    expect([...encoder.end(), ...encoder.encode({ type: 'done' }), ...encoder.fail('x', 'y')]).toEqual([]);
    await expect(sdkFinalResponse(wires)).rejects.toThrow('The upstream connection was cut');
  });

  it('names function calls as the caller declared them: in their namespace, or as a custom tool call carrying its input', async () => {
    const rename = (name: string) =>
      name === 'mcp__fs__read' ? { name: 'read', namespace: 'mcp__fs__' } : name === 'apply_patch' ? { name, custom: true } : { name };
    const wires = encodeAll(responsesEncoder(undefined, rename), [
      begin,
      { type: 'tool-call', choice: 0, index: 0, id: 'call_1', name: 'mcp__fs__read', arguments: '{"path":"a"}' },
      { type: 'tool-call', choice: 0, index: 1, id: 'call_2', name: 'apply_patch', arguments: '{"input":"*** Begin Patch' },
      { type: 'tool-call', choice: 0, index: 1, arguments: '\\n*** End Patch"}' },
      ...ending('tool_calls'),
    ]);
    expect(last(wires).response).toMatchObject({
      output: [
        { type: 'function_call', call_id: 'call_1', name: 'read', namespace: 'mcp__fs__', arguments: '{"path":"a"}' },
        {
          type: 'custom_tool_call',
          id: expect.stringMatching(/^ctc_/),
          call_id: 'call_2',
          name: 'apply_patch',
          input: '*** Begin Patch\n*** End Patch',
        },
      ],
    });
    expect(types(wires)).toContain('response.custom_tool_call_input.done');
    expect(streamFaults(wires)).toEqual([]);
    expect(await sdkFinalResponse(wires)).toMatchObject({
      output: [{ namespace: 'mcp__fs__' }, { input: '*** Begin Patch\n*** End Patch' }],
    });
  });
});

describe('responsesEncoder passing a vendor’s own stream', () => {
  it('passes every event as the vendor sent it, named, and adds nothing at the end', () => {
    const encoder = responsesEncoder(undefined);
    const wires = passAll(encoder, responsesDecoder(), sseEvents(streamReasoning));
    expect(wires.map((w) => w.raw)).toEqual(sseEvents(streamReasoning).map((e) => e.data));
    expect(wires.map((w) => w.event)).toEqual(sseEvents(streamReasoning).map((e) => e.event));
    expect(encoder.end()).toEqual([]);
  });

  it('lets another vendor continue a passed-through message in the same item and part, numbered after the vendor’s events', async () => {
    const encoder = responsesEncoder(undefined);
    const passed = passAll(encoder, responsesDecoder(), sseEvents(streamText).slice(0, 7));
    // The relay's seam: the continuation's start only names its model; its text follows.
    const continued = encodeAll(encoder, [{ type: 'start', model: 'deepseek-chat' }, text(' More.'), ...ending('stop')]);
    const wires = [...passed, ...continued];
    expect(types(continued)[0]).toBe('response.output_text.delta');
    expect(dataOf(continued[0])).toMatchObject({
      sequence_number: 7,
      item_id: 'msg_68a1c2e1a6a48190a7d2f0b9c3e4d5f60c9a1b2c3d4e5f60',
      output_index: 0,
      content_index: 0,
    });
    expect(dataOf(continued[1])).toMatchObject({ type: 'response.output_text.done', text: 'Hi there! More.' });
    expect(last(wires).response).toMatchObject({
      id: 'resp_68a1c2e0f5c48190b1f1c5a3b2d8e7f40c9a1b2c3d4e5f60',
      created_at: 1755431648,
      model: 'deepseek-chat',
      output: [{ type: 'message', content: [{ type: 'output_text', text: 'Hi there! More.' }] }],
    });
    expect(streamFaults(wires)).toEqual([]);
    expect(await sdkFinalResponse(wires)).toMatchObject({ output_text: 'Hi there! More.' });
  });

  it('opens the next item after a passed-through item that was closed, keeping the vendor’s items in the Response', () => {
    const encoder = responsesEncoder(undefined);
    const passed = passAll(encoder, responsesDecoder(), sseEvents(streamReasoning).slice(0, 15));
    expect(dataOf(passed.at(-1))).toMatchObject({ type: 'response.output_item.done', output_index: 0 });
    const continued = encodeAll(encoder, [{ type: 'start', model: 'm' }, text('Paris.'), ...ending('stop')]);
    expect(dataOf(continued[0])).toMatchObject({ type: 'response.output_item.added', output_index: 1, sequence_number: 15 });
    expect(last(continued).response).toMatchObject({
      output: [{ type: 'reasoning', encrypted_content: expect.any(String) }, { type: 'message' }],
    });
    expect(streamFaults([...passed, ...continued])).toEqual([]);
  });

  it('closes a passed-through reasoning part the continuation does not carry on, before its text', () => {
    const encoder = responsesEncoder(undefined);
    const passed = passAll(encoder, responsesDecoder(), sseEvents(streamReasoning).slice(0, 6));
    const continued = encodeAll(encoder, [text('Paris.'), ...ending('stop')]);
    expect(types(continued).slice(0, 4)).toEqual([
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
    ]);
    expect(dataOf(continued[0])).toMatchObject({ text: '**Recalling the capital**\n\nThe user asks for the capital of France; ' });
    expect(streamFaults([...passed, ...continued])).toEqual([]);
  });
});
