// Tests the mock's POST /v1/messages/count_tokens: the same count as /v1/messages usage, admission checks and scripted faults (runs in workerd).

import { describe, expect, it } from 'vitest';
import { countTokens, errorOf, hello, message, messages } from './anthropic-test-client.ts';
import { createMockProvider } from './handler.ts';
import { signThinking } from './thinking-signature.ts';

const tools = [{ name: 'search', description: 'Searches', input_schema: { type: 'object' } }];
const bodies = {
  'one message': {},
  'a system prompt and blocks': {
    system: [{ type: 'text', text: 'You are terse and precise.', cache_control: { type: 'ephemeral' } }],
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Count every word of this sentence please.' }] }],
  },
  'a tool loop with thinking': {
    thinking: { type: 'adaptive' },
    tools,
    messages: [
      ...hello,
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Search it.', signature: signThinking('Search it.') },
          { type: 'tool_use', id: 't', name: 'search', input: {} },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'a long tool result text' }] },
    ],
  },
};
const forged = {
  ...bodies['a tool loop with thinking'],
  messages: [
    ...hello,
    { role: 'assistant', content: [{ type: 'redacted_thinking', data: 'not-issued' }] },
    { role: 'user', content: 'Go' },
  ],
};

describe('POST /v1/messages/count_tokens', () => {
  it.each(Object.entries(bodies))('answers {"input_tokens": N} with the input_tokens /v1/messages reports for %s', async (_, body) => {
    const provider = createMockProvider();
    const counted = await countTokens(provider, '', body);
    expect(counted.status).toBe(200);
    expect(counted.headers.get('request-id')).toBe('req_mock_1');
    const { input_tokens: inputTokens, ...rest } = (await counted.json()) as { input_tokens: number };
    expect(rest).toEqual({});
    const usage = (await message(await messages(provider, '', body))).usage;
    expect(inputTokens).toBe(usage.input_tokens);
    expect(inputTokens).toBeGreaterThan(0);
  });

  it('counts the system prompt and every message, so a longer body counts more', async () => {
    const provider = createMockProvider();
    const count = async (body: Record<string, unknown>) =>
      ((await (await countTokens(provider, '', body)).json()) as { input_tokens: number }).input_tokens;
    expect(await count({})).toBe(3);
    expect(await count({ system: 'Be brief and kind.' })).toBe(7);
    expect(await count({ messages: [...hello, { role: 'assistant', content: 'Hello!' }, { role: 'user', content: 'Again' }] })).toBe(5);
  });

  it('takes no max_tokens, and still checks the body as /v1/messages does', async () => {
    const provider = createMockProvider();
    expect((await countTokens(provider, '', { max_tokens: 5 })).status).toBe(200);
    expect(await errorOf(await countTokens(provider, '', { messages: [] }))).toEqual({
      status: 400,
      type: 'invalid_request_error',
      message: 'messages: at least one message is required',
    });
    expect((await errorOf(await countTokens(provider, '', { model: undefined }))).message).toBe('model: Field required');
    expect((await errorOf(await countTokens(provider, '', forged))).message).toBe(
      'messages.1.content.0: Invalid `data` in `redacted_thinking` block',
    );
  });

  it('checks x-api-key against key= and requires anthropic-version', async () => {
    const provider = createMockProvider();
    expect((await countTokens(provider, 'key=sk-ant-test')).status).toBe(200);
    expect(await errorOf(await countTokens(provider, 'key=sk-ant-other'))).toMatchObject({ status: 401, type: 'authentication_error' });
    expect(await errorOf(await countTokens(provider, '', {}, { headers: { 'anthropic-version': null } }))).toEqual({
      status: 400,
      type: 'invalid_request_error',
      message: 'anthropic-version: header is required',
    });
  });

  it('plays scripted statuses, retry hints, times windows, delays and resets', async () => {
    const provider = createMockProvider();
    const overloaded = await countTokens(provider, 'status=529,retry-after=2');
    expect(overloaded.headers.get('retry-after')).toBe('2');
    expect(await errorOf(overloaded)).toMatchObject({ status: 529, type: 'overloaded_error' });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await countTokens(provider, 'id=c,status=503,times=1')).status);
    expect(statuses).toEqual([503, 200, 200]);
    const started = Date.now();
    expect((await countTokens(provider, 'delay=60')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    await expect(countTokens(provider, 'reset')).rejects.toThrow(new TypeError('Network connection lost.'));
    const bad = await countTokens(provider, 'bad-json');
    expect(bad.status).toBe(200);
    const text = await bad.text();
    expect(() => JSON.parse(text)).toThrow();
  });

  it('is recorded with its path and query, and answers other methods with a 404', async () => {
    const provider = createMockProvider();
    await provider.fetch('http://mock.test/v1/messages/count_tokens?beta=true', {
      method: 'POST',
      headers: { 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'anthropic-beta': 'token-counting-2024-11-01' },
      body: JSON.stringify({ model: 'claude-mock', messages: hello }),
    });
    expect(provider.calls()[0]).toMatchObject({
      path: '/v1/messages/count_tokens',
      query: '?beta=true',
      anthropicBeta: 'token-counting-2024-11-01',
    });
    const get = await provider.fetch('http://mock.test/v1/messages/count_tokens', { headers: { 'anthropic-version': '2023-06-01' } });
    expect(await errorOf(get)).toMatchObject({ status: 404, type: 'not_found_error' });
  });
});
