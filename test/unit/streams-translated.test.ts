// Streams across protocols, decoder then encoder, against recorded vendor streams: what the caller's own SDK would assemble.
import { describe, expect, it } from 'vitest';
import type { CallerRequest } from '../../src/protocols/adapter.ts';
import type { Json } from '../../src/protocols/json.ts';
import { decoderFor } from '../../src/protocols/registry.ts';
import streamError from '../fixtures/anthropic/stream-error.sse?raw';
import streamText from '../fixtures/anthropic/stream-text.sse?raw';
import streamToolUse from '../fixtures/anthropic/stream-tool-use.sse?raw';
import { RECORDED } from '../fixtures/presets/recorded.ts';
import { type ProviderId, parseChat, parseMessages, targetOn } from './helpers/config.ts';
import { decodeAll, encodeAll, sseEvents } from './helpers/wire.ts';

const ask = [{ role: 'user', content: 'hi' }];
const chatCaller = (wantsUsage = true) =>
  parseChat({ model: 'chat', messages: ask, stream: true, stream_options: { include_usage: wantsUsage } });
const messagesCaller = (thinking: boolean) =>
  parseMessages({ model: 'chat', max_tokens: 99, messages: ask, stream: true, ...(thinking ? { thinking: { type: 'adaptive' } } : {}) });

/** A vendor stream of `provider`'s protocol relayed to `request`'s caller, and what the caller's stream assembles to. */
function relay(request: CallerRequest, provider: ProviderId, text: string) {
  const wires = encodeAll(request.encoder(), decodeAll(decoderFor(targetOn(provider), request.caller.id, 0), sseEvents(text)));
  const assembler = request.caller.assembler();
  for (const wire of wires) assembler.add(wire);
  return { wires, answer: assembler.result(undefined) };
}

describe('an Anthropic stream read by an OpenAI caller', () => {
  it('is a chunk stream of the text, finish and usage, ending with [DONE]', () => {
    const { wires, answer } = relay(chatCaller(), 'claude', streamText);
    expect(wires.at(-1)).toEqual({ data: '[DONE]' });
    expect(wires[0]?.data).toMatchObject({ id: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY', choices: [{ delta: { role: 'assistant' } }] });
    expect(answer).toMatchObject({
      id: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY',
      model: 'claude-sonnet-4-5-20250929',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 25, completion_tokens: 15, total_tokens: 40 },
    });
  });

  it('carries thinking as reasoning_content, text, and the tool call with its whole arguments; no signature', () => {
    const { wires, answer } = relay(chatCaller(), 'claude', streamToolUse);
    expect(answer).toMatchObject({
      choices: [
        {
          message: {
            content: "Okay, let's check the weather for San Francisco, CA:",
            reasoning_content: 'The user asks for weather; call the tool.',
            tool_calls: [
              {
                id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"location": "San Francisco, CA", "unit": "fahrenheit"}' },
              },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 472, completion_tokens: 89, total_tokens: 561 },
    });
    expect(JSON.stringify(wires)).not.toContain('EqQBCgIYAhIM1gbcDa9GJwZA2b3h');
  });

  it('shows no usage chunk to a caller that did not ask, and the assembled answer still gets the usage reported', () => {
    const request = chatCaller(false);
    const { wires } = relay(request, 'claude', streamText);
    expect(wires.some((w) => Array.isArray((w.data as Json).choices) && ((w.data as Json).choices as unknown[]).length === 0)).toBe(false);
    const assembler = request.caller.assembler();
    for (const wire of wires) assembler.add(wire);
    expect(assembler.result({ prompt_tokens: 25, completion_tokens: 15, total_tokens: 40 })).toMatchObject({
      usage: { prompt_tokens: 25, completion_tokens: 15, total_tokens: 40 },
    });
  });

  it('carries the text sent before an error event; the relay then ends it with the caller’s error', () => {
    const request = chatCaller();
    const events = decodeAll(decoderFor(targetOn('claude'), request.caller.id, 0), sseEvents(streamError));
    expect(events.at(-1)).toMatchObject({ type: 'error' });
    const encoder = request.encoder();
    const wires = [...events.slice(0, -1).flatMap((e) => encoder.encode(e)), ...encoder.fail('upstream_error', 'Overloaded')];
    expect(wires.map((w) => w.data)).toMatchObject([
      { choices: [{ delta: { role: 'assistant' } }] },
      { choices: [{ delta: { content: 'Partial' } }] },
      { error: { code: 'upstream_error', message: 'Overloaded' } },
    ]);
  });
});

describe('an OpenAI-compatible stream read by an Anthropic caller', () => {
  it.each(['openai', 'groq', 'moonshot', 'mistral', 'gemini', 'qwen', 'deerapi', 'cometapi', 'ollama'] as const)(
    'gives the %s answer as one text block, with its stop reason and usage, ending with message_stop',
    (preset) => {
      const completion = JSON.parse(RECORDED[preset].completion) as Json;
      const { wires, answer } = relay(messagesCaller(false), 'oai', RECORDED[preset].stream);
      expect(wires.at(-1)?.event).toBe('message_stop');
      expect(answer).toMatchObject({ type: 'message', role: 'assistant', stop_reason: 'end_turn', content: [{ type: 'text' }] });
      expect(((answer?.content ?? []) as Json[]).length).toBe(1);
      expect(((answer?.usage ?? {}) as Json).output_tokens).toBeGreaterThan(0);
      expect(String(answer?.model)).toBe(String(completion.model));
    },
  );

  it.each([
    ['deepseek', 'The user wants a greeting. Keep it short.', 'Hello! How can I help?'],
    ['openrouter', 'The user wants a greeting.', 'Hello! How can I help?'],
    ['zhipu', '用户在打招呼。', '你好！有什么可以帮你？'],
  ] as const)('shows %s’s reasoning as thinking, unsigned, only to a caller that asked for thinking', (preset, reasoning, text) => {
    expect(relay(messagesCaller(true), 'oai', RECORDED[preset].stream).answer?.content).toEqual([
      { type: 'thinking', thinking: reasoning, signature: '' },
      { type: 'text', text },
    ]);
    expect(relay(messagesCaller(false), 'oai', RECORDED[preset].stream).answer?.content).toEqual([{ type: 'text', text }]);
  });

  it('gives tool calls as tool_use blocks with their input, and cached prompt tokens as cache reads', () => {
    const chunk = (delta: Json, finish: string | null = null, extra: Json = {}) =>
      `data: ${JSON.stringify({ id: 'c', model: 'gpt-4o', created: 1, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
    const stream = [
      chunk({ role: 'assistant', content: null }),
      chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      chunk({}, 'tool_calls', {
        usage: { prompt_tokens: 50, completion_tokens: 9, total_tokens: 59, prompt_tokens_details: { cached_tokens: 40 } },
      }),
      'data: [DONE]\n\n',
    ].join('');
    expect(relay(messagesCaller(false), 'oai', stream).answer).toMatchObject({
      id: 'msg_c',
      content: [{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } }],
      stop_reason: 'tool_use',
      usage: { input_tokens: 10, output_tokens: 9, cache_read_input_tokens: 40 },
    });
  });

  it('gives Zhipu’s sensitive finish as a refusal, which is never cached', () => {
    const { wires, answer } = relay(messagesCaller(false), 'oai', RECORDED.zhipu.streamSensitive);
    expect(wires.find((w) => w.event === 'message_delta')?.data).toMatchObject({ delta: { stop_reason: 'refusal' } });
    expect(answer).toBeUndefined();
  });
});

describe('an Anthropic stream through the internal shape to an Anthropic caller (a rescue continues this way)', () => {
  it('assembles to the same message: thinking with its signature, text, the tool call', () => {
    const vendor = messagesCaller(true).caller.assembler();
    for (const sse of sseEvents(streamToolUse)) vendor.add({ event: sse.event, data: JSON.parse(sse.data) });
    expect(relay(messagesCaller(true), 'claude', streamToolUse).answer).toEqual(vendor.result(undefined));
  });
});
