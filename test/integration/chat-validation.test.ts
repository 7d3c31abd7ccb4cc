import { describe, expect, it } from 'vitest';
import { configFor, hello, proxyWith } from './harness.ts';

type OpenAIError = { error: { message: string; type: string; code: string; param: string | null } };

describe("what the proxy does not know is the vendor's to judge", () => {
  const unknowns: [string, Record<string, unknown>][] = [
    ['a top-level field', hello({ temprature: 0.2 })],
    ['a content part', { model: 'chat', messages: [{ role: 'user', content: [{ type: 'video', url: 'https://x.test/v.mp4' }] }] }],
    ['a message role', { model: 'chat', messages: [{ role: 'robot', content: 'hi' }] }],
  ];

  it.each(unknowns)('passes %s it does not know to an OpenAI-compatible vendor as sent', async (_name, body) => {
    const proxy = proxyWith(configFor([{ scenario: '' }]));
    await proxy.chat(body);
    // Only the model is replaced, and the client's cap added as the output limit the request did not name.
    expect(proxy.mock.calls().map((call) => call.body)).toEqual([{ ...body, model: 'model-p1', max_tokens: 8192 }]);
  });

  it.each(unknowns.slice(1))('refuses %s it cannot translate for an Anthropic target, calling no vendor', async (_name, body) => {
    const proxy = proxyWith(configFor([{ scenario: '', protocol: 'anthropic' }]));
    const res = await proxy.chat(body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as OpenAIError).error.code).toBe('unsupported_request');
    expect(proxy.mock.calls()).toHaveLength(0);
  });
});

describe('bad input never reaches a vendor', () => {
  const cases: [string, unknown, number, string][] = [
    ['a body that is not JSON', '{"model": "chat", ', 400, 'invalid_json'],
    [
      'a message of a known role in a bad shape',
      { model: 'chat', messages: [{ role: 'tool', content: 'hi' }] },
      400,
      'invalid_request_body',
    ],
    ['no messages', { model: 'chat', messages: [] }, 400, 'invalid_request_body'],
    ['a missing model', { messages: [{ role: 'user', content: 'hi' }] }, 400, 'invalid_request_body'],
    ['a wrong type', hello({ temperature: 'hot' }), 400, 'invalid_request_body'],
    [
      'a known content part in a bad shape',
      { model: 'chat', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] },
      400,
      'invalid_request_body',
    ],
    ['max_tokens above the limit', hello({ max_tokens: 100_000 }), 400, 'max_tokens_too_large'],
    [
      'max_tokens above the limit beside a max_completion_tokens within it',
      hello({ max_completion_tokens: 10, max_tokens: 100_000 }),
      400,
      'max_tokens_too_large',
    ],
    ['an unknown model alias', hello({ model: 'gpt-9' }), 404, 'model_not_found'],
    [
      'too many messages',
      { model: 'chat', messages: Array.from({ length: 300 }, () => ({ role: 'user', content: 'hi' })) },
      400,
      'too_many_messages',
    ],
    ['a body over the size limit', hello({ messages: [{ role: 'user', content: 'x'.repeat(1_100_000) }] }), 413, 'request_too_large'],
  ];

  it.each(cases)('answers %s with an OpenAI error and calls no vendor', async (_name, body, status, code) => {
    const proxy = proxyWith(configFor([{ scenario: '' }]));
    const res = await proxy.chat(body);
    expect(res.status).toBe(status);
    const error = ((await res.json()) as OpenAIError).error;
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(10);
    expect(proxy.mock.calls()).toHaveLength(0);
  });

  it('names the bad field in the error', async () => {
    const proxy = proxyWith(configFor([{ scenario: '' }]));
    const res = await proxy.chat(hello({ messages: [{ role: 'user', content: 42 }] }));
    const error = ((await res.json()) as OpenAIError).error;
    expect(error.param).toBe('messages.0.content');
    expect(error.message).toContain('messages.0.content');
  });

  it('refuses a body that is not declared as JSON', async () => {
    const proxy = proxyWith(configFor([{ scenario: '' }]));
    const res = await proxy.request('/v1/chat/completions', { method: 'POST', body: JSON.stringify(hello()) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as OpenAIError).error.code).toBe('invalid_content_type');
  });

  it('answers an unknown route with a 404 in the OpenAI shape', async () => {
    const proxy = proxyWith(configFor([{ scenario: '' }]));
    const res = await proxy.request('/v1/completions', { method: 'POST' });
    expect(res.status).toBe(404);
    expect(((await res.json()) as OpenAIError).error.code).toBe('not_found');
  });
});

describe('configuration errors', () => {
  it('answers 500 naming every bad path of an invalid config, and calls no vendor', async () => {
    const bad = {
      providers: { a: { protocol: 'openai' }, b: { preset: 'nope' } },
      models: { chat: { targets: [{ provider: 'zzz', model: 'm' }] } },
      retry: { maxRetries: -1 },
    };
    const proxy = proxyWith(bad);
    const res = await proxy.chat(hello());
    expect(res.status).toBe(500);
    const error = ((await res.json()) as OpenAIError).error;
    expect(error.code).toBe('invalid_config');
    for (const path of ['providers.a', 'providers.b.preset', 'models.chat.targets.0.provider', 'retry.maxRetries']) {
      expect(error.message).toContain(path);
    }
    expect(proxy.mock.calls()).toHaveLength(0);
  });

  it('answers 500 when PROXY_CONFIG is not JSON', async () => {
    const proxy = proxyWith('{not json');
    const res = await proxy.chat(hello());
    expect(res.status).toBe(500);
    expect(((await res.json()) as OpenAIError).error.message).toContain('PROXY_CONFIG');
  });

  it('answers /healthz with 503 naming the problem when the config is invalid', async () => {
    const proxy = proxyWith('{not json');
    const res = await proxy.request('/healthz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: 'error',
      config: 'invalid',
      issues: ["PROXY_CONFIG: is not valid JSON (Expected property name or '}' in JSON at position 1 (line 1 column 2))"],
    });
    expect(proxy.mock.calls()).toHaveLength(0);
  });
});
