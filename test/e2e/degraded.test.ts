// Degraded replies through wrangler dev and the openai SDK: every target fails and no entry exists.
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { cacheSdk, callsTo, proxyHeadersOf, uniquePrompt } from './cache-client.ts';
import { DEFAULT_REPLY, DOWN, degradedText, HOURS_REPLY, PRICE_REPLY } from './cache-config.ts';
import { logLineFor, resetMock } from './observers.ts';
import { collect } from './proxy-client.ts';
import { LOOKUP_TOOLS as tools } from './tools.ts';

const client = cacheSdk();
const user = (content: string): ChatCompletionMessageParam => ({ role: 'user', content });

/** Both DOWN targets, each tried twice (one retry). */
const ATTEMPTS = 4;

/** The headers every degraded answer carries: no provider or model, since none answered. */
function expectDegradedHeaders(response: Response): void {
  expect(response.status).toBe(200);
  expect(proxyHeadersOf(response)).toEqual({
    'x-proxy-source': 'degraded',
    'x-proxy-cache': 'BYPASS',
    'x-proxy-provider': null,
    'x-proxy-model': null,
    'x-proxy-attempts': String(ATTEMPTS),
    age: null,
  });
}

beforeEach(resetMock);

describe('degraded replies when every target fails', () => {
  it.each([
    ['a rule, matched case-insensitively', 'What is the PRICE of the pro plan?', PRICE_REPLY],
    ['a rule written in Chinese', '专业版的价格是多少？', PRICE_REPLY],
    ['a regex rule', 'Opening hours on Monday?', HOURS_REPLY],
    ['the default reply when no rule matches', 'Tell me a story about a lighthouse.', DEFAULT_REPLY],
  ])('answers %s, followed by the notice', async (_case, question, reply) => {
    const { data, response } = await client.chat.completions
      .create({ model: DOWN.alias, messages: [user(`${question} ${uniquePrompt('')}`)] })
      .withResponse();
    expectDegradedHeaders(response);
    expect(data.object).toBe('chat.completion');
    expect(data.choices).toHaveLength(1);
    expect(data.choices[0]?.message.role).toBe('assistant');
    expect(data.choices[0]?.message.content).toBe(degradedText(reply));
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(await callsTo(...DOWN.models)).toHaveLength(ATTEMPTS);
  });

  it('matches the rules against the last user message only', async () => {
    const messages: ChatCompletionMessageParam[] = [
      user('What is the price?'),
      { role: 'assistant', content: 'It depends.' },
      user(`Never mind, say hello. ${uniquePrompt('')}`),
    ];
    const completion = await client.chat.completions.create({ model: DOWN.alias, messages });
    expect(completion.choices[0]?.message.content).toBe(degradedText(DEFAULT_REPLY));
  });

  it('streams a degraded reply as a valid stream the SDK parses', async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: DOWN.alias,
        messages: [user(`price please ${uniquePrompt('')}`)],
        stream: true,
        stream_options: { include_usage: true },
      })
      .withResponse();
    expectDegradedHeaders(response);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const got = await collect(data);
    expect(got.error).toBeUndefined();
    expect(got.text).toBe(degradedText(PRICE_REPLY));
    expect(got.chunks.some((chunk) => chunk.choices[0]?.finish_reason === 'stop')).toBe(true);
    expect(got.chunks.at(-1)?.usage).toBeDefined();
  });

  it.each([false, true])('never answers with a tool call when the request offers tools (streaming: %s)', async (stream) => {
    const messages = [user(`Look up the price of tea. ${uniquePrompt('')}`)];
    if (stream) {
      const got = await collect(await client.chat.completions.create({ model: DOWN.alias, messages, tools, stream: true }));
      expect(got.error).toBeUndefined();
      expect(got.text).toBe(degradedText(PRICE_REPLY));
      expect(got.chunks.some((chunk) => chunk.choices[0]?.delta?.tool_calls !== undefined)).toBe(false);
      expect(got.chunks.map((chunk) => chunk.choices[0]?.finish_reason).filter(Boolean)).toEqual(['stop']);
    } else {
      const { data, response } = await client.chat.completions.create({ model: DOWN.alias, messages, tools }).withResponse();
      expectDegradedHeaders(response);
      expect(data.choices[0]?.message.tool_calls ?? []).toEqual([]);
      expect(data.choices[0]?.message.content).toBe(degradedText(PRICE_REPLY));
      expect(data.choices[0]?.finish_reason).toBe('stop');
    }
    expect((await callsTo(...DOWN.models))[0]?.body).toMatchObject({ tools });
  });

  it('is never cached: a repeat asks the vendors again, and the log line says degraded', async () => {
    const messages = [user(uniquePrompt('degraded repeat'))];
    for (const requestId of ['e2e-degraded-1', 'e2e-degraded-2']) {
      const { response } = await client.chat.completions
        .create({ model: DOWN.alias, messages }, { headers: { 'x-request-id': requestId } })
        .withResponse();
      expectDegradedHeaders(response);
    }
    expect(await callsTo(...DOWN.models)).toHaveLength(2 * ATTEMPTS);
    const line = await logLineFor('e2e-degraded-2', 5000, inject('cacheWranglerLog'));
    expect(line).toMatchObject({ status: 200, source: 'degraded', cache: 'BYPASS', model: DOWN.alias });
    expect(line.attempts).toHaveLength(ATTEMPTS);
  });
});
