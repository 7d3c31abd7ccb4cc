// Tool calls through the proxy with the openai SDK: passed through, streamed, and a full round trip.
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { beforeEach, describe, expect, it } from 'vitest';
import { mockCalls, resetMock } from './observers.ts';
import { collect, sdk, streamedToolArguments } from './proxy-client.ts';
import { LOOKUP_TOOLS as tools } from './tools.ts';

const client = sdk();
const question: ChatCompletionMessageParam = { role: 'user', content: 'What is the weather?' };

beforeEach(resetMock);

describe('tool calls', () => {
  it('passes a tool call through a non-streaming answer and the tools through to the vendor', async () => {
    const completion = await client.chat.completions.create({ model: 'healthy', messages: [question], tools });
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    const call = choice?.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    expect(call?.type === 'function' ? call.function.name : undefined).toBe('lookup');
    expect(call?.type === 'function' ? JSON.parse(call.function.arguments) : undefined).toEqual({ query: 'What is the weather?' });
    expect((await mockCalls())[0]?.body).toMatchObject({ tools });
  });

  it('streams tool call fragments that join into the whole arguments', async () => {
    const got = await collect(await client.chat.completions.create({ model: 'healthy', messages: [question], tools, stream: true }));
    expect(got.error).toBeUndefined();
    const first = got.chunks.find((c) => c.choices[0]?.delta?.tool_calls?.[0]?.id !== undefined);
    expect(first?.choices[0]?.delta?.tool_calls?.[0]?.function?.name).toBe('lookup');
    expect(JSON.parse(streamedToolArguments(got.chunks))).toEqual({ query: 'What is the weather?' });
    expect(got.chunks.some((c) => c.choices[0]?.finish_reason === 'tool_calls')).toBe(true);
  });

  it.each([false, true])('completes a tool round trip (streaming: %s)', async (stream) => {
    const first = await client.chat.completions.create({ model: 'healthy', messages: [question], tools });
    const assistant = first.choices[0]?.message;
    const call = assistant?.tool_calls?.[0];
    if (assistant === undefined || call === undefined) throw new Error('no tool call');
    const messages: ChatCompletionMessageParam[] = [
      question,
      { role: 'assistant', content: assistant.content, tool_calls: assistant.tool_calls },
      { role: 'tool', tool_call_id: call.id, content: 'sunny, 21 degrees' },
    ];
    const text = stream
      ? (await collect(await client.chat.completions.create({ model: 'healthy', messages, tools, stream: true }))).text
      : (await client.chat.completions.create({ model: 'healthy', messages, tools })).choices[0]?.message.content;
    expect(text).toBe('Tool said: sunny, 21 degrees');
    const calls = await mockCalls();
    expect(calls).toHaveLength(2);
    expect(calls[1]?.body).toMatchObject({ messages: [{ role: 'user' }, { role: 'assistant' }, { role: 'tool' }] });
  });
});
