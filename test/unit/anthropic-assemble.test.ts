// Anthropic streams and whole answers both ways: MessageAssembler for the cache, messageToEvents for a cache hit's replay.
import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../src/protocols/adapter.ts';
import { MessageAssembler, messageToEvents } from '../../src/protocols/anthropic/assemble.ts';
import { messagesCaller } from '../../src/protocols/anthropic/caller.ts';
import type { Json } from '../../src/protocols/json.ts';
import textMessage from '../fixtures/anthropic/message-text.json?raw';
import thinkingMessage from '../fixtures/anthropic/message-thinking.json?raw';
import toolMessage from '../fixtures/anthropic/message-tool-use.json?raw';
import streamError from '../fixtures/anthropic/stream-error.sse?raw';
import streamText from '../fixtures/anthropic/stream-text.sse?raw';
import streamToolUse from '../fixtures/anthropic/stream-tool-use.sse?raw';
import { parseMessages } from './helpers/config.ts';
import { parsedOf, sseEvents } from './helpers/wire.ts';

const wiresOf = (text: string): WireEvent[] => sseEvents(text).map((sse) => ({ event: sse.event, data: parsedOf(sse), raw: sse.data }));
const assemble = (events: readonly WireEvent[]) => {
  const assembler = new MessageAssembler();
  for (const event of events) assembler.add(event);
  return assembler.result();
};
const event = (type: string, data: Json = {}): WireEvent => ({ event: type, data: { type, ...data } });

/** A message with every kind of block a vendor sends: signed and redacted thinking, citations, server tool blocks, tool use. */
const rich: Json = {
  id: 'msg_rich',
  type: 'message',
  role: 'assistant',
  model: 'claude-opus',
  content: [
    { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' },
    { type: 'thinking', thinking: '', signature: 'ErUBCkYIBxgCIkD' },
    { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'paris weather' } },
    {
      type: 'web_search_tool_result',
      tool_use_id: 'srvtoolu_1',
      content: [{ type: 'web_search_result', url: 'https://m.fr', title: 'Météo', encrypted_content: 'Eo8B' }],
    },
    {
      type: 'text',
      text: 'Sunny, 18°C.',
      citations: [{ type: 'web_search_result_location', url: 'https://m.fr', title: 'Météo', encrypted_index: 'Eo8', cited_text: '18°C' }],
    },
    { type: 'tool_use', id: 'toolu_1', name: 'Write', input: { file_path: '/tmp/a', content: 'hi' } },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: {
    input_tokens: 50,
    cache_creation_input_tokens: 10,
    cache_read_input_tokens: 900,
    output_tokens: 70,
    server_tool_use: { web_search_requests: 1 },
  },
};

describe('MessageAssembler', () => {
  it('assembles the documented text stream into its message, usage merged', () => {
    expect(assemble(wiresOf(streamText))).toEqual({
      id: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY',
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text: 'Hello!' }],
      model: 'claude-sonnet-4-5-20250929',
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 25, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 15 },
    });
  });

  it('keeps the thinking signature and parses the tool input', () => {
    expect(assemble(wiresOf(streamToolUse))?.content).toEqual([
      { type: 'thinking', thinking: 'The user asks for weather; call the tool.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3h' },
      { type: 'text', text: "Okay, let's check the weather for San Francisco, CA:" },
      {
        type: 'tool_use',
        id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
        name: 'get_weather',
        input: { location: 'San Francisco, CA', unit: 'fahrenheit' },
      },
    ]);
  });

  it('keeps citations delta by delta, and blocks that arrive whole', () => {
    const citation = { type: 'char_location', cited_text: 'x', document_index: 0 };
    const message = assemble([
      event('message_start', { message: { id: 'm', type: 'message', content: [], usage: { input_tokens: 1 } } }),
      event('content_block_start', { index: 0, content_block: { type: 'redacted_thinking', data: 'EmwK' } }),
      event('content_block_stop', { index: 0 }),
      event('content_block_start', { index: 1, content_block: { type: 'text', text: '', citations: [] } }),
      event('content_block_delta', { index: 1, delta: { type: 'citations_delta', citation } }),
      event('content_block_delta', { index: 1, delta: { type: 'text_delta', text: 'cited' } }),
      event('content_block_stop', { index: 1 }),
      event('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 3 } }),
      event('message_stop'),
    ]);
    expect(message?.content).toEqual([
      { type: 'redacted_thinking', data: 'EmwK' },
      { type: 'text', text: 'cited', citations: [citation] },
    ]);
    expect(message?.usage).toEqual({ input_tokens: 1, output_tokens: 3 });
  });

  it.each<[string, WireEvent[]]>([
    ['the stream ended in an error event', wiresOf(streamError)],
    ['the stream never sent message_stop', wiresOf(streamText).slice(0, -1)],
    [
      'a delta of a kind it does not know came',
      [
        ...wiresOf(streamText).slice(0, 3),
        event('content_block_delta', { index: 0, delta: { type: 'future_delta' } }),
        ...wiresOf(streamText).slice(3),
      ],
    ],
    [
      'a delta came for a block never started',
      [
        wiresOf(streamText)[0] as WireEvent,
        event('content_block_delta', { index: 4, delta: { type: 'text_delta', text: 'x' } }),
        event('message_stop'),
      ],
    ],
    [
      'a tool input never closed',
      wiresOf(streamToolUse).filter((e) => !(e.event === 'content_block_stop' && (e.data as Json).index === 2)),
    ],
    [
      'the answer was a refusal',
      wiresOf(streamText).map((e) => (e.event === 'message_delta' ? event('message_delta', { delta: { stop_reason: 'refusal' } }) : e)),
    ],
  ])('gives nothing to cache when %s', (_name, events) => {
    expect(assemble(events)).toBeUndefined();
  });
});

describe('messageToEvents then MessageAssembler', () => {
  it.each([
    ['the text message', JSON.parse(textMessage) as Json],
    ['the thinking message', JSON.parse(thinkingMessage) as Json],
    ['the tool-use message', JSON.parse(toolMessage) as Json],
    ['a message with every kind of block', rich],
  ])('gives %s back', (_name, message) => {
    expect(assemble(messageToEvents(message))).toEqual(message);
  });

  it('replays a message as Anthropic streams it: message_start with empty content, blocks opened empty and filled, then the stop', () => {
    const events = messageToEvents(JSON.parse(thinkingMessage) as Json);
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[0]?.data).toMatchObject({ message: { content: [], stop_reason: null, usage: { input_tokens: 40, output_tokens: 0 } } });
    expect(events[1]?.data).toMatchObject({ content_block: { type: 'thinking', thinking: '', signature: '' } });
  });

  it('is what messagesCaller replays for a cache hit', () => {
    const request = parseMessages({ model: 'chat', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'x' }] });
    expect(messagesCaller.replay(rich, request)).toEqual(messageToEvents(rich));
  });
});
