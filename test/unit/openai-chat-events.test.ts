// Chat Completions streams: vendor chunks read into internal events, and a caller's stream written from either.
import { describe, expect, it } from 'vitest';
import type { SseEvent } from '../../src/protocols/adapter.ts';
import { isToken, type ModelEvent } from '../../src/protocols/model.ts';
import { chatEncoder, chunkDecoder } from '../../src/protocols/openai-chat/events.ts';
import { RECORDED } from '../fixtures/presets/recorded.ts';
import { decodeAll, sseEvents } from './helpers/wire.ts';

const chunk = (delta: object, finish: string | null = null, extra: object = {}) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 5,
  model: 'm',
  choices: [{ index: 0, delta, finish_reason: finish }],
  ...extra,
});
const sse = (value: unknown): SseEvent => ({ event: undefined, data: JSON.stringify(value) });
/** The events of one chunk, read by a decoder that has already seen the stream's first chunk. */
const decodeOne = (value: unknown): ModelEvent[] | undefined => {
  const decode = chunkDecoder();
  decode(sse(chunk({ role: 'assistant' })), chunk({ role: 'assistant' }));
  return decode(sse(value), value);
};
const usage = { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 };

describe('chunkDecoder', () => {
  it.each<[string, boolean, unknown]>([
    ['a role-only first chunk', false, chunk({ role: 'assistant', content: '' })],
    ['a text delta', true, chunk({ content: 'Hi' })],
    ["DeepSeek's reasoning_content", true, chunk({ reasoning_content: 'thinking' })],
    ["OpenRouter's and Ollama's reasoning", true, chunk({ content: '', reasoning: 'thinking' })],
    ['a null reasoning beside empty content', false, chunk({ content: '', reasoning: null })],
    ['a refusal', true, chunk({ refusal: 'no' })],
    ['a tool-call delta', true, chunk({ tool_calls: [{ index: 0, function: { arguments: '{' } }] })],
    ['a finish with an empty delta', true, chunk({}, 'stop')],
    ['a usage-only chunk', false, { choices: [], usage }],
  ])('reads %s as a token: %s (the commit point)', (_name, token, value) => {
    expect(decodeOne(value)?.some(isToken)).toBe(token);
  });

  it('starts the answer once, with the first chunk’s id, model and time', () => {
    const decode = chunkDecoder();
    expect(decode(sse(chunk({ role: 'assistant', content: '' })), chunk({ role: 'assistant', content: '' }))).toEqual([
      { type: 'start', id: 'chatcmpl-1', model: 'm', created: 5 },
    ]);
    expect(decode(sse(chunk({ content: 'a' })), chunk({ content: 'a' }))).toEqual([{ type: 'text', text: 'a', choice: 0 }]);
  });

  it('reads text, reasoning, tool calls and a finish of each choice', () => {
    const value = {
      choices: [
        { index: 1, delta: { content: 'B', reasoning_content: 'r' }, finish_reason: null },
        {
          index: 0,
          delta: { tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'f', arguments: '' } }] },
          finish_reason: 'tool_calls',
        },
      ],
    };
    expect(decodeOne(value)).toEqual([
      { type: 'reasoning', text: 'r', choice: 1 },
      { type: 'text', text: 'B', choice: 1 },
      { type: 'tool-call', choice: 0, index: 0, id: 'c1', name: 'f', arguments: '' },
      { type: 'finish', choice: 0, reason: 'tool_calls' },
    ]);
  });

  it("reads Moonshot's usage from inside the finishing choice", () => {
    expect(decodeOne({ choices: [{ index: 0, delta: {}, finish_reason: 'stop', usage }] })).toEqual([
      { type: 'finish', choice: 0, reason: 'stop' },
      { type: 'usage', usage },
    ]);
  });

  it("reads Groq's usage from x_groq on the last chunk", () => {
    const groq = { queue_time: 0.04, prompt_tokens: 45, completion_tokens: 5, total_tokens: 50, total_time: 0.01 };
    const events = decodeOne({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], x_groq: { id: 'req_1', usage: groq } });
    expect(events?.at(-1)).toEqual({ type: 'usage', usage: { prompt_tokens: 45, completion_tokens: 5, total_tokens: 50 } });
  });

  it("reads OpenRouter's mid-stream error chunk as an error, from its error object", () => {
    const [, , error] = sseEvents(RECORDED.openrouter.streamMidError);
    expect(error && decodeOne(JSON.parse(error.data))).toEqual([
      { type: 'error', error: { code: 'server_error', type: '', message: 'Provider disconnected unexpectedly' } },
    ]);
  });

  it.each(['error', 'network_error', 'insufficient_system_resource'])(
    'reads a choice finished with %s as a failure, not a finish',
    (reason) => {
      expect(decodeOne(chunk({}, reason))).toEqual([
        { type: 'error', error: { code: reason, type: '', message: `The stream ended with finish_reason "${reason}".` } },
      ]);
    },
  );

  it('reads a chunk whose error is null as an ordinary chunk', () => {
    expect(decodeOne({ choices: [], usage: null, error: null })).toEqual([]);
  });

  it('reads Zhipu’s sensitive finish as content_filter', () => {
    expect(decodeOne(chunk({}, 'sensitive'))).toEqual([{ type: 'finish', choice: 0, reason: 'content_filter' }]);
  });

  it('reads [DONE] as the end marker', () => {
    expect(chunkDecoder()({ event: undefined, data: '[DONE]' }, undefined)).toEqual([{ type: 'done' }]);
  });

  it.each([[null], [[]], [{ choices: 'x' }], [{ choices: [1] }], ['text'], [{ choices: null }]])('reads %j as malformed', (value) => {
    expect(decodeOne(value)).toBeUndefined();
  });

  it.each(Object.keys(RECORDED) as (keyof typeof RECORDED)[])(
    'reads the recorded %s stream: one start, a finish, usage, the end',
    (preset) => {
      const events = decodeAll(chunkDecoder(), sseEvents(RECORDED[preset].stream));
      expect(events.filter((e) => e.type === 'start')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'finish')).toEqual([{ type: 'finish', choice: 0, reason: 'stop' }]);
      expect(events.some((e) => e.type === 'usage')).toBe(true);
      expect(events.at(-1)).toEqual({ type: 'done' });
    },
  );
});

describe('chatEncoder passing a vendor’s own chunks', () => {
  const pass = (wantsUsage: boolean, value: unknown) => chatEncoder(wantsUsage).pass(sse(value), value, []);

  it('passes a chunk as the vendor wrote it', () => {
    const value = { ...chunk({ content: 'Hi' }), obfuscation: 'Xk9', usage: null };
    expect(pass(false, value)).toEqual([{ data: value, raw: JSON.stringify(value) }]);
  });

  it('drops a usage-only chunk the caller did not ask for (the proxy asked it of the vendor), and passes it when asked', () => {
    const value = { id: 'c', choices: [], usage };
    expect(pass(false, value)).toEqual([]);
    expect(pass(true, value)).toEqual([{ data: value, raw: JSON.stringify(value) }]);
  });

  it('passes a chunk without choices that is no usage report (Azure’s prompt_filter_results)', () => {
    const value = { id: '', object: '', created: 0, model: '', choices: [], prompt_filter_results: [{ prompt_index: 0 }] };
    expect(pass(false, value)).toEqual([{ data: value, raw: JSON.stringify(value) }]);
  });

  it('gives usage found in x_groq or a choice top-level, where SDKs read it', () => {
    const groq = { ...chunk({}, 'stop'), x_groq: { usage } };
    expect(pass(false, groq)).toEqual([{ data: { ...groq, usage } }]);
  });

  it('passes [DONE] and then needs nothing more at the end', () => {
    const encoder = chatEncoder(false);
    expect(encoder.pass({ event: undefined, data: '[DONE]' }, undefined, [])).toEqual([{ data: '[DONE]', raw: '[DONE]' }]);
    expect(encoder.end()).toEqual([]);
  });
});

describe('chatEncoder writing internal events', () => {
  it('keeps the first segment’s id and time, names the latest model, and ends with [DONE]', () => {
    const encoder = chatEncoder(true);
    const out = [
      { type: 'start', id: 'chatcmpl-first', model: 'first', created: 1 },
      { type: 'text', text: 'One,', choice: 0 },
      { type: 'start', model: 'second' },
      { type: 'text', text: ' two', choice: 0 },
      { type: 'finish', choice: 0, reason: 'stop' },
      { type: 'usage', usage },
    ].flatMap((e) => encoder.encode(e as ModelEvent));
    const base = { id: 'chatcmpl-first', object: 'chat.completion.chunk', created: 1 };
    expect(out.map((w) => w.data)).toEqual([
      { ...base, model: 'first', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] },
      { ...base, model: 'first', choices: [{ index: 0, delta: { content: 'One,' }, logprobs: null, finish_reason: null }] },
      { ...base, model: 'second', choices: [{ index: 0, delta: { content: ' two' }, logprobs: null, finish_reason: null }] },
      { ...base, model: 'second', choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }] },
      { ...base, model: 'second', choices: [], usage },
    ]);
    expect(encoder.end()).toEqual([{ data: '[DONE]' }]);
    expect(encoder.end()).toEqual([]);
  });

  it('writes usage only when the caller asked for it', () => {
    expect(chatEncoder(false).encode({ type: 'usage', usage })).toEqual([]);
  });

  it('writes a tool call’s id and name once, then its arguments', () => {
    const encoder = chatEncoder(false);
    const first = encoder.encode({ type: 'tool-call', choice: 0, index: 0, id: 'c1', name: 'f', arguments: '' });
    const more = encoder.encode({ type: 'tool-call', choice: 0, index: 0, arguments: '{"a":1}' });
    expect(first.map((w) => (w.data as { choices: unknown[] }).choices[0])).toMatchObject([
      { delta: { tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'f', arguments: '' } }] } },
    ]);
    expect(more.map((w) => (w.data as { choices: unknown[] }).choices[0])).toMatchObject([
      { delta: { tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }] } },
    ]);
  });

  it.each<ModelEvent>([
    { type: 'reasoning-signature', signature: 's', choice: 0 },
    { type: 'redacted-reasoning', data: 'd', choice: 0 },
    { type: 'opaque', choice: 0 },
  ])('has no place for $type', (event) => {
    expect(chatEncoder(true).encode(event)).toEqual([]);
  });

  it('ends a failed stream with an error object and no [DONE], so SDKs raise', () => {
    const encoder = chatEncoder(false);
    expect(encoder.fail('stream_interrupted', 'cut')).toEqual([
      { data: { error: { message: 'cut', type: 'upstream_error', code: 'stream_interrupted', param: null } } },
    ]);
    expect(encoder.end()).toEqual([]);
  });
});
