// Streams translated incrementally both ways: an Anthropic target's events into chunks, chunks into an Anthropic caller's events.
import { describe, expect, it } from 'vitest';
import { anthropicTransformer } from '../../src/protocols/anthropic.ts';
import { anthropicEventTranslator } from '../../src/protocols/anthropic-events-in.ts';
import { AnthropicEventWriter } from '../../src/protocols/anthropic-events-out.ts';
import { readChunk } from '../../src/protocols/openai.ts';
import { ChunkAssembler } from '../../src/protocols/openai-replay.ts';
import { pullThrough } from '../../src/pull-through.ts';
import streamError from '../fixtures/anthropic/stream-error.sse?raw';
import streamText from '../fixtures/anthropic/stream-text.sse?raw';
import streamToolUse from '../fixtures/anthropic/stream-tool-use.sse?raw';

type Json = Record<string, unknown>;

/** The `data` payloads of an SSE text, in order. */
function datas(sse: string): string[] {
  return sse
    .split('\n\n')
    .flatMap((block) => block.split('\n').filter((line) => line.startsWith('data: ')))
    .map((line) => line.slice('data: '.length));
}

/** Events as `{event, data}` pairs. */
function events(sse: string): { event: string; data: Json }[] {
  return sse
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? '';
      const data = JSON.parse(lines.find((l) => l.startsWith('data: '))?.slice(6) ?? '{}') as Json;
      return { event, data };
    });
}

function translate(sse: string): string[] {
  const translator = anthropicEventTranslator(1_700_000_000_000);
  return datas(sse).flatMap(translator);
}

/** Builds the final message the way the Anthropic SDK's MessageStream accumulates it. */
function accumulate(list: { event: string; data: Json }[]): Json {
  let message: Json = {};
  const content: Json[] = [];
  const json = new Map<number, string>();
  for (const { data } of list) {
    const index = data.index as number;
    if (data.type === 'message_start') message = { ...(data.message as Json) };
    if (data.type === 'content_block_start') content[index] = { ...(data.content_block as Json) };
    if (data.type === 'content_block_delta') {
      const delta = data.delta as Json;
      const block = content[index] as Json;
      if (delta.type === 'text_delta') block.text = `${block.text as string}${delta.text as string}`;
      if (delta.type === 'thinking_delta') block.thinking = `${block.thinking as string}${delta.thinking as string}`;
      if (delta.type === 'input_json_delta') json.set(index, `${json.get(index) ?? ''}${delta.partial_json as string}`);
    }
    if (data.type === 'message_delta') message = { ...message, ...(data.delta as Json), usage: data.usage };
  }
  for (const [index, text] of json) (content[index] as Json).input = JSON.parse(text);
  return { ...message, content };
}

describe('anthropicEventTranslator (Anthropic target → internal chunks)', () => {
  it('translates the documented text stream into chunks ending with usage and [DONE]', () => {
    const out = translate(streamText);
    expect(out.at(-1)).toBe('[DONE]');
    const chunks = out.slice(0, -1).map((d) => JSON.parse(d) as Json);
    expect(chunks[0]).toMatchObject({ id: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY', model: 'claude-sonnet-4-5-20250929' });
    expect(readChunk(chunks[0])?.token).toBe(false);
    expect(readChunk(chunks[1])?.token).toBe(true);
    const assembler = new ChunkAssembler();
    for (const chunk of chunks) assembler.add(chunk);
    expect(assembler.result()).toMatchObject({
      choices: [{ message: { content: 'Hello!' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 25, completion_tokens: 15, total_tokens: 40 },
    });
  });

  it('translates thinking, text and input_json_delta into reasoning, content and tool call arguments', () => {
    const assembler = new ChunkAssembler();
    for (const data of translate(streamToolUse)) if (data !== '[DONE]') assembler.add(JSON.parse(data) as Json);
    expect(assembler.result()).toMatchObject({
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
      usage: { prompt_tokens: 472, completion_tokens: 89 },
    });
  });

  it('passes an error event through as an error object and drops pings', () => {
    const out = translate(streamError);
    expect(JSON.parse(out.at(-1) ?? '{}')).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    expect(out.some((d) => d.includes('ping'))).toBe(false);
  });

  it('passes junk through so the relay counts it as malformed', () => {
    const translator = anthropicEventTranslator(0);
    expect(translator('{not json')).toEqual(['{not json']);
    expect(translator('{"type":"some_future_event"}')).toEqual([]);
  });
});

describe('AnthropicEventWriter (internal chunks → Anthropic caller)', () => {
  const chunk = (delta: Json, finish: string | null = null) =>
    JSON.stringify({
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'deepseek-chat',
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
  const usage = JSON.stringify({ id: 'chatcmpl-1', choices: [], usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 } });

  it('writes message_start, one text block, message_delta with usage and message_stop', () => {
    const writer = new AnthropicEventWriter(false);
    const out = [
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Hel' }),
      chunk({ content: 'lo' }),
      chunk({}, 'stop'),
      usage,
      '[DONE]',
    ].flatMap((d) => writer.write(d));
    expect(out.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(accumulate(out)).toMatchObject({
      id: 'msg_chatcmpl-1',
      model: 'deepseek-chat',
      content: [{ type: 'text', text: 'Hello' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 9, output_tokens: 4 },
    });
  });

  it('writes a tool_use block per tool call with input_json_delta arguments', () => {
    const writer = new AnthropicEventWriter(false);
    const out = [
      chunk({ role: 'assistant', content: null }),
      chunk({ content: 'Let me look.' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
      '[DONE]',
    ].flatMap((d) => writer.write(d));
    expect(accumulate(out)).toMatchObject({
      content: [
        { type: 'text', text: 'Let me look.' },
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'call_2', name: 'get_time', input: {} },
      ],
      stop_reason: 'tool_use',
    });
    const starts = out.filter((e) => e.event === 'content_block_start').length;
    const stops = out.filter((e) => e.event === 'content_block_stop').length;
    expect(stops).toBe(starts);
  });

  it('shows reasoning as thinking only when asked', () => {
    const input = [chunk({ reasoning_content: 'Hmm.' }), chunk({ content: 'Yes' }), chunk({}, 'stop'), '[DONE]'];
    const without = input.flatMap((d) => new AnthropicEventWriter(false).write(d));
    expect(without.some((e) => JSON.stringify(e.data).includes('thinking'))).toBe(false);
    const writer = new AnthropicEventWriter(true);
    expect(accumulate(input.flatMap((d) => writer.write(d))).content).toEqual([
      { type: 'thinking', thinking: 'Hmm.', signature: '' },
      { type: 'text', text: 'Yes' },
    ]);
  });

  it('turns an in-band error into an error event and ends there', () => {
    const writer = new AnthropicEventWriter(false);
    const error = JSON.stringify({
      error: { message: 'The upstream connection was cut', type: 'upstream_error', code: 'stream_interrupted' },
    });
    const out = [chunk({ content: 'Part' }), error, '[DONE]'].flatMap((d) => writer.write(d));
    expect(out.at(-1)).toEqual({
      event: 'error',
      data: { type: 'error', error: { type: 'api_error', message: 'The upstream connection was cut' } },
    });
    expect(out.some((e) => e.event === 'message_stop')).toBe(false);
  });

  it('reports a body that ends without [DONE] as an error', () => {
    const writer = new AnthropicEventWriter(false);
    writer.write(chunk({ content: 'Part' }));
    expect(writer.flush()).toEqual([{ event: 'error', data: { type: 'error', error: expect.objectContaining({ type: 'api_error' }) } }]);
  });
});

describe('anthropicTransformer', () => {
  it('round-trips the documented tool-use stream through the internal shape, split at awkward bytes', async () => {
    const openai = translate(streamToolUse)
      .map((d) => `data: ${d}\n\n`)
      .join('');
    const bytes = new TextEncoder().encode(openai);
    const source = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 37) controller.enqueue(bytes.slice(i, i + 37));
        controller.close();
      },
    });
    const text = await new Response(pullThrough(source, anthropicTransformer(true))).text();
    const message = accumulate(events(text));
    expect(message).toMatchObject({
      id: 'msg_014p7gG3wDgGV9EUtLvnow3U',
      content: [
        { type: 'thinking', thinking: 'The user asks for weather; call the tool.' },
        { type: 'text', text: "Okay, let's check the weather for San Francisco, CA:" },
        {
          type: 'tool_use',
          id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
          name: 'get_weather',
          input: { location: 'San Francisco, CA', unit: 'fahrenheit' },
        },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 472, output_tokens: 89 },
    });
  });
});
