// The Anthropic protocol end to end through `wrangler dev`: the official @anthropic-ai/sdk and openai SDKs, each vendor protocol.
import Anthropic from '@anthropic-ai/sdk';
import type { MessageParam, Tool } from '@anthropic-ai/sdk/resources/messages';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { beforeEach, describe, expect, it } from 'vitest';
import { CLAUDE, FALLBACK, MOCK_KEY, REPLY } from './config.ts';
import { mockCalls, resetMock } from './observers.ts';
import { collect, proxyUrl, sdk } from './proxy-client.ts';
import { recordingFetch } from './recorder.ts';
import { LOOKUP_TOOLS } from './tools.ts';

const CLAUDE_REPLY = 'Hello from Claude.';
const anthropic = new Anthropic({ baseURL: proxyUrl, apiKey: 'unused', maxRetries: 0, timeout: 20_000, fetch: recordingFetch });
const openai = sdk();
const tools: Tool[] = [
  { name: 'lookup', description: 'Looks a word up.', input_schema: { type: 'object', properties: { query: { type: 'string' } } } },
];
const question: MessageParam = { role: 'user', content: 'What is the weather?' };

/** The two kinds of vendor behind the Anthropic SDK: the mock speaking OpenAI, and speaking Anthropic. */
const VENDORS = [
  { name: 'an OpenAI-protocol vendor', alias: 'healthy', reply: REPLY, path: '/v1/chat/completions' },
  { name: 'an Anthropic-protocol vendor', alias: CLAUDE.healthy, reply: CLAUDE_REPLY, path: '/v1/messages' },
] as const;

beforeEach(resetMock);

describe.each(VENDORS)('@anthropic-ai/sdk against /v1/messages served by $name', ({ alias, reply, path }) => {
  it('gets a message', async () => {
    const message = await anthropic.messages.create({ model: alias, max_tokens: 200, messages: [question] });
    expect(message.type).toBe('message');
    expect(message.content).toEqual([{ type: 'text', text: reply }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    const [call] = await mockCalls();
    expect(call?.path).toBe(path);
  });

  it('streams a message', async () => {
    const stream = anthropic.messages.stream({ model: alias, max_tokens: 200, messages: [question] });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const message = await stream.finalMessage();
    expect(text).toBe(reply);
    expect(message.content).toEqual([expect.objectContaining({ type: 'text', text: reply })]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it.each([false, true])('completes a tool round trip (streaming: %s)', async (stream) => {
    const first = stream
      ? await anthropic.messages.stream({ model: alias, max_tokens: 200, messages: [question], tools }).finalMessage()
      : await anthropic.messages.create({ model: alias, max_tokens: 200, messages: [question], tools });
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((block) => block.type === 'tool_use');
    if (use?.type !== 'tool_use') throw new Error('no tool_use block');
    expect(use.name).toBe('lookup');
    expect(use.input).toEqual({ query: 'What is the weather?' });
    const messages: MessageParam[] = [
      question,
      { role: 'assistant', content: first.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: 'sunny, 21 degrees' }] },
    ];
    const second = stream
      ? await anthropic.messages.stream({ model: alias, max_tokens: 200, messages, tools }).finalMessage()
      : await anthropic.messages.create({ model: alias, max_tokens: 200, messages, tools });
    expect(second.content.find((b) => b.type === 'text')).toMatchObject({ text: 'Tool said: sunny, 21 degrees' });
  });
});

describe('the openai SDK served by an Anthropic-protocol vendor', () => {
  it('gets a chat completion, and the vendor got x-api-key and anthropic-version', async () => {
    const completion = await openai.chat.completions.create({ model: CLAUDE.healthy, messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]?.message.content).toBe(CLAUDE_REPLY);
    expect(completion.model).toBe('claude-mock');
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    const [call] = await mockCalls();
    expect(call).toMatchObject({ path: '/v1/messages', apiKey: MOCK_KEY, anthropicVersion: '2023-06-01', authorization: null });
  });

  it('streams a chat completion', async () => {
    const got = await collect(
      await openai.chat.completions.create({
        model: CLAUDE.healthy,
        messages: [{ role: 'user', content: 'Hi' }],
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(got.error).toBeUndefined();
    expect(got.text).toBe(CLAUDE_REPLY);
    expect(got.chunks.at(-1)?.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it.each([false, true])('completes a tool round trip (streaming: %s)', async (stream) => {
    const ask: ChatCompletionMessageParam = { role: 'user', content: 'What is the weather?' };
    const first = await openai.chat.completions.create({ model: CLAUDE.healthy, messages: [ask], tools: LOOKUP_TOOLS });
    const assistant = first.choices[0]?.message;
    const call = assistant?.tool_calls?.[0];
    if (assistant === undefined || call?.type !== 'function') throw new Error('no tool call');
    expect(JSON.parse(call.function.arguments)).toEqual({ query: 'What is the weather?' });
    const messages: ChatCompletionMessageParam[] = [
      ask,
      { role: 'assistant', content: assistant.content, tool_calls: assistant.tool_calls },
      { role: 'tool', tool_call_id: call.id, content: 'sunny, 21 degrees' },
    ];
    const text = stream
      ? (await collect(await openai.chat.completions.create({ model: CLAUDE.healthy, messages, tools: LOOKUP_TOOLS, stream: true }))).text
      : (await openai.chat.completions.create({ model: CLAUDE.healthy, messages, tools: LOOKUP_TOOLS })).choices[0]?.message.content;
    expect(text).toBe('Tool said: sunny, 21 degrees');
    const calls = await mockCalls();
    expect(calls[1]?.body).toMatchObject({
      messages: [
        { role: 'user' },
        { role: 'assistant', content: [{ type: 'tool_use', id: call.id }] },
        { role: 'user', content: [{ type: 'tool_result' }] },
      ],
    });
  });
});

describe('fallback across protocols', () => {
  it('serves an Anthropic SDK call from the OpenAI-protocol fallback when the Claude target is overloaded', async () => {
    const message = await anthropic.messages.create({ model: CLAUDE.toOpenAI, max_tokens: 200, messages: [question] });
    expect(message.content).toEqual([{ type: 'text', text: REPLY }]);
    expect(message.model).toBe(FALLBACK.model);
  });

  it('serves an openai SDK stream from Claude when the OpenAI-protocol target fails', async () => {
    const got = await collect(
      await openai.chat.completions.create({ model: CLAUDE.fromOpenAI, messages: [{ role: 'user', content: 'Hi' }], stream: true }),
    );
    expect(got.error).toBeUndefined();
    expect(got.text).toBe(CLAUDE_REPLY);
    expect((await mockCalls()).map((c) => c.path)).toEqual([
      '/v1/chat/completions',
      '/v1/chat/completions',
      '/v1/chat/completions',
      '/v1/messages',
    ]);
  });
});

describe('a stream cut after the commit point', () => {
  it('raises in the Anthropic SDK (OpenAI-protocol vendor cut)', async () => {
    const stream = anthropic.messages.stream({ model: 'cut-after', max_tokens: 200, messages: [question] });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    await expect(stream.finalMessage()).rejects.toThrow(/cut|incomplete/i);
    expect(text.length).toBeGreaterThan(0);
    expect(REPLY.startsWith(text)).toBe(true);
  });

  it('raises in the Anthropic SDK (Anthropic-protocol vendor cut)', async () => {
    const stream = anthropic.messages.stream({ model: CLAUDE.cut, max_tokens: 200, messages: [question] });
    await expect(stream.finalMessage()).rejects.toThrow(/cut|incomplete/i);
  });

  it('raises in the openai SDK (Anthropic-protocol vendor cut)', async () => {
    const got = await collect(
      await openai.chat.completions.create({ model: CLAUDE.cut, messages: [{ role: 'user', content: 'Hi' }], stream: true }),
    );
    expect(got.error).toBeInstanceOf(Error);
    expect(String(got.error)).toMatch(/cut|incomplete/i);
    expect(CLAUDE_REPLY.startsWith(got.text)).toBe(true);
  });
});

describe('errors in the Anthropic shape', () => {
  it('raises NotFoundError for an unknown model, without a vendor call', async () => {
    const error = await anthropic.messages
      .create({ model: 'no-such-alias', max_tokens: 10, messages: [question] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect((error as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({
      type: 'error',
      error: { type: 'not_found_error' },
    });
    expect(await mockCalls()).toHaveLength(0);
  });

  it('raises BadRequestError for a body without max_tokens, without a vendor call', async () => {
    const body = { model: 'healthy', messages: [question] } as unknown as Anthropic.MessageCreateParamsNonStreaming;
    const error = await anthropic.messages.create(body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(String(error)).toMatch(/max_tokens/);
    expect(await mockCalls()).toHaveLength(0);
  });

  it('raises InternalServerError with the attempts when every target fails', async () => {
    const error = await anthropic.messages.create({ model: 'all-fail', max_tokens: 10, messages: [question] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(503);
  });
});
