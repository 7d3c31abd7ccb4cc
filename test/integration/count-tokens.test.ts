// POST /v1/messages/count_tokens: asked of the alias's first available Anthropic target, else estimated by the proxy.
import { describe, expect, it } from 'vitest';
import { estimateInputTokens } from '../../src/protocols/anthropic/count-tokens.ts';
import { countTokensRequestSchema } from '../../src/protocols/anthropic/schema.ts';
import { configFor, KEYS, proxyWith } from './harness.ts';

const claude = (scenario = '') => ({ scenario, protocol: 'anthropic' as const });
const body = {
  model: 'chat',
  system: 'You are terse.',
  messages: [{ role: 'user', content: 'How many tokens is this sentence, roughly?' }],
  tools: [{ name: 'lookup', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }],
};
const count = (proxy: ReturnType<typeof proxyWith>, value: unknown = body, headers: Record<string, string> = {}) =>
  proxy.request('/v1/messages/count_tokens?beta=true', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-beta': 'token-counting-2024-11-01', ...headers },
    body: JSON.stringify(value),
  });
const estimate = estimateInputTokens(countTokensRequestSchema.parse(body));

describe('POST /v1/messages/count_tokens', () => {
  it('asks the first Anthropic target of the alias, passing the body, betas and query, and answers what it counted', async () => {
    const proxy = proxyWith(configFor([{ scenario: '' }, claude()]));
    const res = await count(proxy);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-proxy-estimated')).toBeNull();
    expect(res.headers.get('x-proxy-provider')).toBe('p2');
    const counted = (await res.json()) as { input_tokens: number };
    expect(counted.input_tokens).toBeGreaterThan(0);
    const [call] = proxy.mock.calls();
    expect(call).toMatchObject({
      path: '/v1/messages/count_tokens',
      query: '?beta=true',
      apiKey: KEYS.MOCK_A_KEY,
      anthropicBeta: 'token-counting-2024-11-01',
    });
    expect(call?.body).toEqual({ ...body, model: 'model-p2' });
    expect(JSON.stringify(counted)).not.toContain(KEYS.MOCK_A_KEY);
  });

  /** A config whose only Anthropic provider names a key the env does not hold. */
  const keyless = () => {
    const config = configFor([claude()]);
    (config.providers as Record<string, Record<string, unknown>>).p1 = {
      protocol: 'anthropic',
      baseUrl: 'http://mock.test/v1',
      apiKeyEnv: 'NOT_SET_KEY',
    };
    return config;
  };

  it.each([
    ['the alias has no Anthropic target', () => configFor([{ scenario: '' }])],
    ['its Anthropic target fails', () => configFor([claude('status=500')])],
    ['its Anthropic target has no key', keyless],
  ])('estimates, saying so in x-proxy-estimated, when %s', async (_name, config) => {
    const proxy = proxyWith(config());
    const res = await count(proxy);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-proxy-estimated')).toBe('true');
    expect(await res.json()).toEqual({ input_tokens: estimate });
  });

  it('refuses a body without messages in Anthropic’s error shape, calling no vendor', async () => {
    const proxy = proxyWith(configFor([claude()]));
    const res = await count(proxy, { model: 'chat' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(proxy.mock.calls()).toHaveLength(0);
  });

  it('answers an unknown alias with a 404 in Anthropic’s error shape', async () => {
    const proxy = proxyWith(configFor([claude()]));
    const res = await count(proxy, { ...body, model: 'nope' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });
});

describe('the estimate', () => {
  it('counts a quarter token per character of text, tool inputs and results, and tool definitions, plus 1,600 per image', () => {
    const text = 'x'.repeat(400);
    const parse = (value: unknown) => countTokensRequestSchema.parse(value);
    expect(estimateInputTokens(parse({ model: 'm', messages: [{ role: 'user', content: text }] }))).toBe(100);
    const withImage = {
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text },
            { type: 'image', source: { type: 'url', url: 'https://x.test/a.png' } },
          ],
        },
      ],
    };
    expect(estimateInputTokens(parse(withImage))).toBe(1700);
    const withTool = { model: 'm', messages: [{ role: 'user', content: text }], tools: [{ name: 't', input_schema: { type: 'object' } }] };
    expect(estimateInputTokens(parse(withTool))).toBeGreaterThan(100);
  });
});
