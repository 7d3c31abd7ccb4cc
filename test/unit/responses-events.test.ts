// Responses streams read into internal events (recorded vendor streams), and a Responses caller's stream written from them.
import { describe, expect, it } from 'vitest';
import type { ModelEvent } from '../../src/protocols/model.ts';
import { responsesDecoder } from '../../src/protocols/openai-responses/events-in.ts';
import streamError from '../fixtures/responses/stream-error.sse?raw';
import streamFailed from '../fixtures/responses/stream-failed.sse?raw';
import streamFunctionCall from '../fixtures/responses/stream-function-call.sse?raw';
import streamIncomplete from '../fixtures/responses/stream-incomplete.sse?raw';
import streamReasoning from '../fixtures/responses/stream-reasoning.sse?raw';
import streamText from '../fixtures/responses/stream-text.sse?raw';
import streamWebSearch from '../fixtures/responses/stream-web-search.sse?raw';
import { decodeAll, sseEvents } from './helpers/wire.ts';

const decode = (text: string) => decodeAll(responsesDecoder(), sseEvents(text));
const read = (events: unknown[]) => {
  const decoder = responsesDecoder();
  return events.map((data) => decoder({ event: undefined, data: JSON.stringify(data) }, data));
};
const text = (t: string): ModelEvent => ({ type: 'text', text: t, choice: 0 });
const reasoning = (t: string): ModelEvent => ({ type: 'reasoning', text: t, choice: 0 });
const opaque: ModelEvent = { type: 'opaque', choice: 0 };
const end = (reason: 'stop' | 'length' | 'tool_calls', prompt: number, completion: number, extra = {}): ModelEvent[] => [
  { type: 'finish', choice: 0, reason },
  { type: 'usage', usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, ...extra } },
  { type: 'done' },
];
const start = (id: string, model: string, created: number): ModelEvent => ({ type: 'start', id, model, created });

describe('responsesDecoder over recorded streams', () => {
  it.each<[string, string, ModelEvent[]]>([
    [
      'a text answer: start, one text event per delta, the finish with usage and the end (framing and .done events are no events)',
      streamText,
      [
        start('resp_68a1c2e0f5c48190b1f1c5a3b2d8e7f40c9a1b2c3d4e5f60', 'gpt-4.1-2025-04-14', 1755431648),
        ...['Hi', ' there', '!', ' How can I', ' help?'].map(text),
        ...end('stop', 37, 11),
      ],
    ],
    [
      'a function call: the item added starts call 0 with its call id and name, argument deltas grow it, it finishes as tool_calls',
      streamFunctionCall,
      [
        start('resp_68a1c3f2b0dc8193a4e6b1c0d9f8e7a60d1e2f3a4b5c6d70', 'gpt-4.1-2025-04-14', 1755431922),
        { type: 'tool-call', choice: 0, index: 0, id: 'call_Pmv0w8rkz7gHcYcVQhKTbK2m', name: 'get_weather', arguments: '' },
        ...['{"', 'location', '":"', 'Paris', ', France', '"}'].map(
          (a): ModelEvent => ({ type: 'tool-call', choice: 0, index: 0, arguments: a }),
        ),
        ...end('tool_calls', 64, 18),
      ],
    ],
    [
      'reasoning: summary deltas as reasoning (a second summary part set apart), the vendor’s encrypted content as an opaque token, then text',
      streamReasoning,
      [
        start('resp_68a1c5107c2c8196aa31f0e9d8c7b6a50e2f3a4b5c6d7e80', 'o4-mini-2025-04-16', 1755432208),
        ...['**Recalling the capital**\n\n', 'The user asks for the capital of France; ', 'it is Paris.'].map(reasoning),
        reasoning('\n\n**Answering briefly**\n\n'),
        reasoning('One word is enough.'),
        opaque,
        text('Paris.'),
        ...end('stop', 1210, 84, { cached_tokens: 1024, reasoning_tokens: 64 }),
      ],
    ],
    [
      'an incomplete answer: its text, then a length finish with usage and the end',
      streamIncomplete,
      [
        start('resp_68a1c6a41f4881979d02e3f4a5b6c7d80f3a4b5c6d7e8f90', 'gpt-4.1-2025-04-14', 1755432612),
        ...['Once upon a time,', ' in a quiet village by the sea,', ' there lived'].map(text),
        ...end('length', 21, 16),
      ],
    ],
    [
      'response.failed: an error carrying the Response’s error code and message',
      streamFailed,
      [
        start('resp_68a1c7b5a0e08198b7c8d9e0f1a2b3c40a4b5c6d7e8f9a01', 'gpt-4.1-2025-04-14', 1755432885),
        {
          type: 'error',
          error: {
            code: 'server_error',
            type: '',
            message: 'The server had an error processing your request. Sorry about that! You can retry your request.',
          },
        },
      ],
    ],
    [
      'an error event in its documented flat shape: an error the classifier reads (a rate limit)',
      streamError,
      [
        start('resp_68a1c8c6d1f08199c8d9e0f1a2b3c4d50b5c6d7e8f9a0b12', 'gpt-4.1-2025-04-14', 1755433158),
        {
          type: 'error',
          error: {
            code: 'rate_limit_exceeded',
            type: '',
            message:
              'Rate limit reached for gpt-4.1 in organization org-abc on tokens per min (TPM): Limit 30000, Used 29871, Requested 512. Please try again in 766ms.',
          },
        },
      ],
    ],
    [
      'a web search: the built-in call and its status events as opaque tokens, the cited text as text, its citation opaque',
      streamWebSearch,
      [
        start('resp_68a1c9d7e2008190d9e0f1a2b3c4d5e60c6d7e8f9a0b1c23', 'gpt-4.1-2025-04-14', 1755433431),
        ...[opaque, opaque, opaque, opaque, opaque],
        ...['A community in Oregon ', 'opened a solar-powered library today.'].map(text),
        text(' ([example.com](https://example.com/news/solar-library?utm_source=openai))'),
        opaque,
        ...end('stop', 312, 41),
      ],
    ],
  ])('reads %s', (_name, stream, expected) => {
    expect(decode(stream)).toEqual(expected);
  });
});

describe('responsesDecoder, one event at a time', () => {
  it.each<[string, unknown, unknown]>([
    ['response.in_progress after created (a preamble)', { type: 'response.in_progress', response: { id: 'resp_1' } }, []],
    ['a message item added (not a token)', { type: 'response.output_item.added', output_index: 0, item: { id: 'm', type: 'message' } }, []],
    [
      'a reasoning item added (not a token)',
      { type: 'response.output_item.added', output_index: 0, item: { id: 'r', type: 'reasoning' } },
      [],
    ],
    ['a content part added', { type: 'response.content_part.added', item_id: 'm', output_index: 0, content_index: 0, part: {} }, []],
    ['an empty text delta', { type: 'response.output_text.delta', item_id: 'm', output_index: 0, content_index: 0, delta: '' }, []],
    [
      'a refusal delta (as text)',
      { type: 'response.refusal.delta', item_id: 'm', output_index: 0, content_index: 0, delta: 'No.' },
      [text('No.')],
    ],
    [
      'a raw reasoning delta',
      { type: 'response.reasoning_text.delta', item_id: 'r', output_index: 0, content_index: 0, delta: 'Hm' },
      [reasoning('Hm')],
    ],
    [
      'a code interpreter item added',
      { type: 'response.output_item.added', output_index: 0, item: { id: 'ci', type: 'code_interpreter_call' } },
      [opaque],
    ],
    [
      'a custom tool call’s input delta',
      { type: 'response.custom_tool_call_input.delta', item_id: 'c', output_index: 0, delta: '*** Begin' },
      [opaque],
    ],
    ['a keepalive', { type: 'keepalive', sequence_number: 4 }, []],
    ['an event type added later, about no item', { type: 'response.some_future_event' }, []],
    ['a text delta without its delta (malformed)', { type: 'response.output_text.delta', item_id: 'm', output_index: 0 }, undefined],
    ['an item event without its item (malformed)', { type: 'response.output_item.added', output_index: 0 }, undefined],
    ['data without a type (malformed)', { hello: 1 }, undefined],
    ['data that is no object (malformed)', 'text', undefined],
  ])('reads %s', (_name, data, expected) => {
    expect(read([{ type: 'response.created', response: {} }, data])[1]).toEqual(expected);
  });

  it('gives the text and arguments a vendor sent only whole (in .done events or items), once', () => {
    const decoded = read([
      { type: 'response.output_item.added', output_index: 0, item: { id: 'm', type: 'message', content: [] } },
      { type: 'response.output_text.delta', item_id: 'm', output_index: 0, content_index: 0, delta: 'Hel' },
      { type: 'response.output_text.done', item_id: 'm', output_index: 0, content_index: 0, text: 'Hello' },
      {
        type: 'response.output_item.done',
        output_index: 0,
        item: { id: 'm', type: 'message', content: [{ type: 'output_text', text: 'Hello' }] },
      },
      {
        type: 'response.output_item.done',
        output_index: 1,
        item: { id: 'fc', type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
      },
    ]);
    expect(decoded).toEqual([
      [],
      [text('Hel')],
      [text('lo')],
      [],
      [{ type: 'tool-call', choice: 0, index: 0, id: 'c1', name: 'f', arguments: '{}' }],
    ]);
  });

  it('reads an answer that only response.completed carries, before its finish (tool_calls when it holds a call)', () => {
    const output = [
      { id: 'm', type: 'message', content: [{ type: 'output_text', text: 'Hi' }] },
      { id: 'fc', type: 'function_call', call_id: 'c1', name: 'f', arguments: '{"a":1}' },
    ];
    const [events] = read([{ type: 'response.completed', response: { status: 'completed', output } }]);
    expect(events).toEqual([
      text('Hi'),
      { type: 'tool-call', choice: 0, index: 0, id: 'c1', name: 'f', arguments: '{"a":1}' },
      { type: 'finish', choice: 0, reason: 'tool_calls' },
      { type: 'done' },
    ]);
  });

  it.each<[string, string, ModelEvent]>([
    [
      'an Anthropic signature the proxy tagged',
      'anthropic.thinking:EqQBCgIYAh',
      { type: 'reasoning-signature', signature: 'EqQBCgIYAh', choice: 0 },
    ],
    [
      'Anthropic redacted thinking the proxy tagged',
      'anthropic.redacted:EmwKAhgB',
      { type: 'redacted-reasoning', data: 'EmwKAhgB', choice: 0 },
    ],
    ['a vendor’s own blob, never given to another vendor as thinking', 'gAAAAABoo', opaque],
  ])('reads encrypted reasoning holding %s', (_name, encrypted, expected) => {
    const item = { id: 'rs', type: 'reasoning', summary: [], encrypted_content: encrypted };
    expect(read([{ type: 'response.output_item.done', output_index: 0, item }])[0]).toEqual([expected]);
  });

  it.each<[string, unknown, ModelEvent[]]>([
    [
      'a content-filtered incomplete answer as a content_filter finish',
      { type: 'response.incomplete', response: { incomplete_details: { reason: 'content_filter' } } },
      [{ type: 'finish', choice: 0, reason: 'content_filter' }, { type: 'done' }],
    ],
    [
      'an error event nesting its error, as OpenAI sends it',
      { type: 'error', error: { type: 'invalid_request_error', code: 'context_length_exceeded', message: 'Too long.' } },
      [{ type: 'error', error: { code: 'context_length_exceeded', type: 'invalid_request_error', message: 'Too long.' } }],
    ],
    [
      'a response.failed without an error object, with a message all the same',
      { type: 'response.failed', response: { status: 'failed', error: null } },
      [{ type: 'error', error: { code: '', type: '', message: 'The vendor reported the response failed.' } }],
    ],
  ])('reads %s', (_name, data, expected) => {
    expect(read([data])[0]).toEqual(expected);
  });
});
