// Anthropic streams read into internal events, and an Anthropic caller's stream written from internal events.
import { describe, expect, it } from 'vitest';
import { anthropicDecoder } from '../../src/protocols/anthropic/events-in.ts';
import { anthropicEncoder } from '../../src/protocols/anthropic/events-out.ts';
import type { ModelEvent } from '../../src/protocols/model.ts';
import streamError from '../fixtures/anthropic/stream-error.sse?raw';
import streamText from '../fixtures/anthropic/stream-text.sse?raw';
import streamToolUse from '../fixtures/anthropic/stream-tool-use.sse?raw';
import { decodeAll, sseEvents } from './helpers/wire.ts';

const decode = (text: string) => decodeAll(anthropicDecoder(), sseEvents(text));
const one = (data: unknown) => anthropicDecoder()({ event: undefined, data: JSON.stringify(data) }, data);

describe('anthropicDecoder', () => {
  it('reads the documented text stream: start, text, finish with usage, end (pings and block edges are no events)', () => {
    expect(decode(streamText)).toEqual([
      { type: 'start', id: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY', model: 'claude-sonnet-4-5-20250929' },
      { type: 'text', text: 'Hello', choice: 0 },
      { type: 'text', text: '!', choice: 0 },
      { type: 'finish', choice: 0, reason: 'stop' },
      { type: 'usage', usage: { prompt_tokens: 25, completion_tokens: 15, total_tokens: 40 } },
      { type: 'done' },
    ]);
  });

  it('reads thinking with its signature, text and a tool call whose arguments grow', () => {
    expect(decode(streamToolUse)).toEqual([
      { type: 'start', id: 'msg_014p7gG3wDgGV9EUtLvnow3U', model: 'claude-sonnet-4-5-20250929' },
      { type: 'reasoning', text: 'The user asks for weather; call the tool.', choice: 0 },
      { type: 'reasoning-signature', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3h', choice: 0 },
      { type: 'text', text: "Okay, let's check the weather for San Francisco, CA:", choice: 0 },
      { type: 'tool-call', choice: 0, index: 0, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', arguments: '' },
      { type: 'tool-call', choice: 0, index: 0, arguments: '{"location":' },
      { type: 'tool-call', choice: 0, index: 0, arguments: ' "San Francisc' },
      { type: 'tool-call', choice: 0, index: 0, arguments: 'o, CA", "unit": "fahrenheit"}' },
      { type: 'finish', choice: 0, reason: 'tool_calls' },
      { type: 'usage', usage: { prompt_tokens: 472, completion_tokens: 89, total_tokens: 561 } },
      { type: 'done' },
    ]);
  });

  it('reads an error event as an error the classifier understands', () => {
    expect(decode(streamError).at(-1)).toEqual({ type: 'error', error: { code: '', type: 'overloaded_error', message: 'Overloaded' } });
  });

  it('merges message_start’s input counts, cache reads and writes into the final usage', () => {
    const decoder = anthropicDecoder();
    const start = {
      type: 'message_start',
      message: { id: 'm', usage: { input_tokens: 10, cache_read_input_tokens: 100, cache_creation_input_tokens: 5, output_tokens: 1 } },
    };
    const delta = { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 7 } };
    decoder({ event: 'message_start', data: '' }, start);
    expect(decoder({ event: 'message_delta', data: '' }, delta)).toEqual([
      { type: 'finish', choice: 0, reason: 'stop' },
      { type: 'usage', usage: { prompt_tokens: 115, completion_tokens: 7, total_tokens: 122, cached_tokens: 100, cache_write_tokens: 5 } },
    ]);
  });

  it('reads redacted thinking as such, and server tool blocks and citations as opaque tokens', () => {
    const decoder = anthropicDecoder();
    const read = (data: unknown) => decoder({ event: undefined, data: '' }, data);
    expect(read({ type: 'content_block_start', index: 0, content_block: { type: 'redacted_thinking', data: 'EmwK' } })).toEqual([
      { type: 'redacted-reasoning', data: 'EmwK', choice: 0 },
    ]);
    expect(
      read({ type: 'content_block_start', index: 1, content_block: { type: 'server_tool_use', id: 's', name: 'web_search', input: {} } }),
    ).toEqual([{ type: 'opaque', choice: 0 }]);
    expect(read({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"q":1}' } })).toEqual([
      { type: 'opaque', choice: 0 },
    ]);
    expect(read({ type: 'content_block_delta', index: 2, delta: { type: 'citations_delta', citation: { cited_text: 'x' } } })).toEqual([
      { type: 'opaque', choice: 0 },
    ]);
  });

  it.each<[string, unknown, unknown]>([
    ['a ping', [], { type: 'ping' }],
    ['a block stop', [], { type: 'content_block_stop', index: 0 }],
    ['an event type added later', [], { type: 'some_future_event' }],
    ['an empty text block start', [], { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
    ['data without a type (malformed)', undefined, { hello: 1 }],
    ['data that is no object (malformed)', undefined, 'text'],
  ])('reads %s as %j', (_name, expected, data) => {
    expect(one(data)).toEqual(expected);
  });
});

describe('anthropicEncoder writing internal events', () => {
  const encode = (withThinking: boolean, events: ModelEvent[]) => {
    const encoder = anthropicEncoder(withThinking);
    return [...events.flatMap((e) => encoder.encode(e)), ...encoder.end()];
  };
  const text = (t: string): ModelEvent => ({ type: 'text', text: t, choice: 0 });

  it('writes message_start, one text block, message_delta with stop reason and usage, message_stop', () => {
    const out = encode(false, [
      { type: 'start', id: 'chatcmpl-1', model: 'deepseek-chat' },
      text('Hel'),
      text('lo'),
      { type: 'finish', choice: 0, reason: 'length' },
      { type: 'usage', usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13, cached_tokens: 2 } },
      { type: 'done' },
    ]);
    expect(out.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(out[0]?.data).toMatchObject({ message: { id: 'msg_chatcmpl-1', model: 'deepseek-chat', role: 'assistant', content: [] } });
    expect(out[5]?.data).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'max_tokens', stop_sequence: null },
      usage: { input_tokens: 7, output_tokens: 4, cache_read_input_tokens: 2 },
    });
  });

  it('opens a block per tool call at the next index, its arguments as input_json_delta, and closes every block it opened', () => {
    const out = encode(false, [
      { type: 'start', model: 'm' },
      text('Let me look.'),
      { type: 'tool-call', choice: 0, index: 0, id: 'call_1', name: 'get_weather', arguments: '' },
      { type: 'tool-call', choice: 0, index: 0, arguments: '{"city":"Paris"}' },
      { type: 'tool-call', choice: 0, index: 1, id: 'call_2', name: 'get_time', arguments: '{}' },
      { type: 'finish', choice: 0, reason: 'tool_calls' },
      { type: 'done' },
    ]);
    const starts = out.filter((e) => e.event === 'content_block_start').map((e) => e.data);
    expect(starts).toMatchObject([
      { index: 0, content_block: { type: 'text' } },
      { index: 1, content_block: { type: 'tool_use', id: 'call_1', name: 'get_weather' } },
      { index: 2, content_block: { type: 'tool_use', id: 'call_2', name: 'get_time' } },
    ]);
    expect(out.filter((e) => e.event === 'content_block_stop')).toHaveLength(3);
    expect(out.find((e) => e.event === 'message_delta')?.data).toMatchObject({ delta: { stop_reason: 'tool_use' } });
  });

  it('shows reasoning as a thinking block, with its signature, only when the caller asked for thinking', () => {
    const events: ModelEvent[] = [
      { type: 'start', model: 'm' },
      { type: 'reasoning', text: 'Hmm.', choice: 0 },
      { type: 'reasoning-signature', signature: 'sig', choice: 0 },
      { type: 'redacted-reasoning', data: 'EmwK', choice: 0 },
      text('Yes'),
      { type: 'done' },
    ];
    expect(JSON.stringify(encode(false, events))).not.toMatch(/thinking|sig|EmwK/);
    const blocks = encode(true, events).filter((e) => e.event === 'content_block_start' || e.event === 'content_block_delta');
    expect(blocks.map((e) => e.data)).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Hmm.' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig' } },
      { type: 'content_block_start', index: 1, content_block: { type: 'redacted_thinking', data: 'EmwK' } },
      { type: 'content_block_start', index: 2, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 2, delta: { type: 'text_delta', text: 'Yes' } },
    ]);
  });

  it('ends a stream that had no end marker with message_delta and message_stop, once', () => {
    const encoder = anthropicEncoder(false);
    encoder.encode({ type: 'start', model: 'm' });
    encoder.encode(text('Part'));
    expect(encoder.end().map((e) => e.event)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(encoder.end()).toEqual([]);
  });

  it('ends a failed stream with an error event and nothing after it, so SDKs raise', () => {
    const encoder = anthropicEncoder(false);
    encoder.encode({ type: 'start', model: 'm' });
    expect(encoder.fail('stream_interrupted', 'The upstream connection was cut')).toEqual([
      { event: 'error', data: { type: 'error', error: { type: 'api_error', message: 'The upstream connection was cut' } } },
    ]);
    expect(encoder.end()).toEqual([]);
    expect(encoder.encode({ type: 'done' })).toEqual([]);
  });

  it('continues a passed-through stream inside its open text block, or at the next index, when another vendor takes over', () => {
    const continuing = (count: number) => {
      const encoder = anthropicEncoder(false);
      for (const sse of sseEvents(streamToolUse).slice(0, count)) encoder.pass(sse, JSON.parse(sse.data), []);
      return encoder.encode(text(' more')).map((e) => e.data);
    };
    // Eight events: the text block at index 1 is open. Nine: it was closed.
    expect(continuing(8)).toEqual([{ type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: ' more' } }]);
    expect(continuing(9)).toEqual([
      { type: 'content_block_start', index: 2, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 2, delta: { type: 'text_delta', text: ' more' } },
    ]);
  });
});
