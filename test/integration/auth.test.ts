import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/sha256.ts';
import { configFor, hello, KEYS, proxyWith } from './harness.ts';

const WEB_KEY = 'client-web-key-0001';
const APP_KEY = 'client-app-key-0002';

async function keyedConfig(mode = 'keys') {
  return configFor([{ scenario: '' }], {
    auth: {
      mode,
      keys: [
        { name: 'web', sha256: await sha256Hex(WEB_KEY), models: ['chat'], maxTokens: 100 },
        { name: 'app', sha256: await sha256Hex(APP_KEY) },
      ],
    },
  });
}

describe('client keys (auth.mode "keys")', () => {
  it('refuses a request without a key, before any upstream call', async () => {
    const proxy = proxyWith(await keyedConfig());
    const res = await proxy.chat(hello());
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('missing_api_key');
    expect(proxy.mock.calls()).toHaveLength(0);
  });

  it('refuses an unknown key', async () => {
    const proxy = proxyWith(await keyedConfig());
    const res = await proxy.chat(hello(), { headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(401);
    expect(proxy.mock.calls()).toHaveLength(0);
  });

  it.each([
    ['Authorization: Bearer', { authorization: `Bearer ${WEB_KEY}` }],
    ['x-api-key', { 'x-api-key': WEB_KEY }],
  ])('accepts a known key from %s', async (_name, headers) => {
    const proxy = proxyWith(await keyedConfig());
    expect((await proxy.chat(hello(), { headers })).status).toBe(200);
  });

  it('never forwards the client key to the vendor', async () => {
    const proxy = proxyWith(await keyedConfig());
    await (await proxy.chat(hello(), { headers: { authorization: `Bearer ${WEB_KEY}` } })).text();
    expect(proxy.mock.calls()[0]?.authorization).toBe(`Bearer ${KEYS.MOCK_A_KEY}`);
  });

  it("enforces a key's model allowlist and maxTokens cap", async () => {
    const config = await keyedConfig();
    (config.models as Record<string, unknown>).other = (config.models as Record<string, unknown>).chat;
    const proxy = proxyWith(config);
    const headers = { authorization: `Bearer ${WEB_KEY}` };
    expect((await proxy.chat(hello({ model: 'other' }), { headers })).status).toBe(403);
    expect((await proxy.chat(hello({ max_tokens: 101 }), { headers })).status).toBe(400);
    expect((await proxy.chat(hello({ model: 'other', max_tokens: 101 }), { headers: { authorization: `Bearer ${APP_KEY}` } })).status).toBe(
      200,
    );
  });

  it('refuses a client key in jwt mode (tokens only)', async () => {
    const proxy = proxyWith(await keyedConfig('jwt'));
    expect((await proxy.chat(hello(), { headers: { authorization: `Bearer ${WEB_KEY}` } })).status).toBe(401);
  });

  it('keeps two client keys from ever sharing cache entries', async () => {
    const proxy = proxyWith(await keyedConfig(), { ...KEYS, CACHE: env.CACHE });
    const body = hello({ messages: [{ role: 'user', content: 'tenant isolation question' }] });
    const web = await proxy.chat(body, { headers: { authorization: `Bearer ${WEB_KEY}` } });
    await web.text();
    await proxy.settle();
    const app = await proxy.chat(body, { headers: { authorization: `Bearer ${APP_KEY}` } });
    expect(app.headers.get('x-proxy-cache')).toBe('MISS');
    await app.text();
    await proxy.settle();
    const webAgain = await proxy.chat(body, { headers: { authorization: `Bearer ${WEB_KEY}` } });
    expect(webAgain.headers.get('x-proxy-cache')).toBe('HIT');
    expect(proxy.mock.calls()).toHaveLength(2);
  });
});
