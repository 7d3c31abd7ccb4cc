// Client tokens, per-client origins and CORS, through the whole app in workerd.
import { env } from 'cloudflare:test';
import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/sha256.ts';
import { configFor, hello, KEYS, proxyWith } from './harness.ts';

const SECRET = 'integration-jwt-secret-0123456789abcdef';
const APP = 'https://app.example';
const DOCS = 'https://docs.example';
const EVIL = 'https://evil.example';
const WEB_KEY = 'sk-proxy-web-0001';
const SRV_KEY = 'sk-proxy-srv-0002';
const KIOSK_KEY = 'sk-proxy-kiosk-0003';

const token = (claims: Record<string, unknown> = {}, secret = SECRET) =>
  sign({ sub: 'user-1', exp: Math.floor(Date.now() / 1000) + 600, ...claims }, secret, 'HS256');

async function config(mode: string) {
  return configFor([{ scenario: '' }], {
    cors: { origins: [DOCS] },
    auth: {
      mode,
      keys: [
        { name: 'web', sha256: await sha256Hex(WEB_KEY), origins: [APP] },
        { name: 'srv', sha256: await sha256Hex(SRV_KEY) },
        { name: 'kiosk', sha256: await sha256Hex(KIOSK_KEY), origins: [APP], requireOrigin: true },
      ],
    },
  });
}

const withSecret = { ...KEYS, PROXY_JWT_SECRET: SECRET };
const bearer = (credential: string) => ({ authorization: `Bearer ${credential}` });
const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe('client tokens (auth.mode "jwt")', () => {
  it.each([
    ['Authorization: Bearer', (t: string) => bearer(t)],
    ['x-api-key', (t: string) => ({ 'x-api-key': t })],
  ])('accepts a valid token from %s', async (_name, headers) => {
    const proxy = proxyWith(await config('jwt'), withSecret);
    const res = await proxy.chat(hello(), { headers: headers(await token()) });
    expect(res.status).toBe(200);
    expect(proxy.mock.calls()[0]?.authorization).toBe(`Bearer ${KEYS.MOCK_A_KEY}`);
  });

  it.each([
    ['an expired token', () => token({ exp: Math.floor(Date.now() / 1000) - 5 }), 'token_expired'],
    ['a token signed with another secret', () => token({}, 'another-secret-0123456789abcdef-xyz'), 'invalid_token'],
    ['a token without sub', () => token({ sub: undefined }), 'invalid_token'],
    ['a client key (keys are off in jwt mode)', async () => WEB_KEY, 'invalid_api_key'],
  ])('refuses %s with a 401 before any upstream call', async (_name, credential, code) => {
    const proxy = proxyWith(await config('jwt'), withSecret);
    const res = await proxy.chat(hello(), { headers: bearer(await credential()) });
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe(code);
    expect(proxy.mock.calls()).toHaveLength(0);
  });

  it("enforces a token's models claim", async () => {
    const proxy = proxyWith(await config('jwt'), withSecret);
    const res = await proxy.chat(hello(), { headers: bearer(await token({ models: ['other'] })) });
    expect(res.status).toBe(403);
    expect(await errorCode(res)).toBe('model_not_allowed');
    expect(proxy.mock.calls()).toHaveLength(0);
  });

  it("refuses max_tokens above a token's maxTokens claim, on both protocols", async () => {
    const proxy = proxyWith(await config('jwt'), withSecret);
    const headers = bearer(await token({ maxTokens: 50 }));
    const chat = await proxy.chat(hello({ max_tokens: 51 }), { headers });
    expect(chat.status).toBe(400);
    expect(await errorCode(chat)).toBe('max_tokens_too_large');
    const messages = await proxy.messages({ model: 'chat', max_tokens: 51, messages: [{ role: 'user', content: 'x' }] }, { headers });
    expect(messages.status).toBe(400);
    expect(await messages.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', code: 'max_tokens_too_large' } });
    expect(proxy.mock.calls()).toHaveLength(0);
    expect((await proxy.chat(hello({ max_tokens: 50 }), { headers })).status).toBe(200);
  });

  it.each([
    ['not set', {}, 'is not set'],
    ['too short', { PROXY_JWT_SECRET: 'tiny-secret-value' }, 'is shorter than 32 characters'],
  ])('fails closed with a 500 naming the setting when the secret is %s', async (_name, extra, problem) => {
    const proxy = proxyWith(await config('jwt'), { ...KEYS, ...extra });
    const res = await proxy.chat(hello(), { headers: bearer(await token()) });
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('jwt_secret_invalid');
    expect(body.error.message).toContain(`auth.jwtSecretEnv: the secret PROXY_JWT_SECRET ${problem}`);
    expect(body.error.message).not.toContain('tiny-secret-value');
    expect(proxy.mock.calls()).toHaveLength(0);
  });

  it('reads the secret from the env var named by auth.jwtSecretEnv', async () => {
    const cfg = await config('jwt');
    (cfg.auth as Record<string, unknown>).jwtSecretEnv = 'APP_TOKEN_SECRET';
    const proxy = proxyWith(cfg, { ...KEYS, APP_TOKEN_SECRET: SECRET });
    expect((await proxy.chat(hello(), { headers: bearer(await token()) })).status).toBe(200);
  });
});

describe('keys and tokens together (auth.mode "keys+jwt")', () => {
  it('accepts either, and refuses anything else', async () => {
    const proxy = proxyWith(await config('keys+jwt'), withSecret);
    expect((await proxy.chat(hello(), { headers: bearer(SRV_KEY) })).status).toBe(200);
    expect((await proxy.chat(hello(), { headers: bearer(await token()) })).status).toBe(200);
    const bad = await proxy.chat(hello(), { headers: bearer('sk-proxy-unknown') });
    expect(bad.status).toBe(401);
    expect(await errorCode(bad)).toBe('invalid_api_key');
    expect(proxy.mock.calls()).toHaveLength(2);
  });

  it('never lets a token share cache entries with a key of the same name', async () => {
    const proxy = proxyWith(await config('keys+jwt'), { ...withSecret, CACHE: env.CACHE });
    const body = hello({ messages: [{ role: 'user', content: 'token namespace question' }] });
    await (await proxy.chat(body, { headers: bearer(SRV_KEY) })).text();
    await proxy.settle();
    const asToken = await proxy.chat(body, { headers: bearer(await token({ sub: 'srv' })) });
    expect(asToken.headers.get('x-proxy-cache')).toBe('MISS');
    await asToken.text();
    await proxy.settle();
    expect((await proxy.chat(body, { headers: bearer(await token({ sub: 'srv' })) })).headers.get('x-proxy-cache')).toBe('HIT');
    expect(proxy.mock.calls()).toHaveLength(2);
  });
});

describe('CORS preflight', () => {
  const preflight = (proxy: ReturnType<typeof proxyWith>, origin: string, path = '/v1/chat/completions') =>
    proxy.request(path, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-stainless-retry-count,x-stainless-timeout',
      },
    });

  it.each([
    ['cors.origins', DOCS],
    ["a key's origins", APP],
  ])('answers an origin from %s with what the SDKs need', async (_name, origin) => {
    const proxy = proxyWith(await config('keys'));
    const res = await preflight(proxy, origin);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    expect(res.headers.get('access-control-allow-methods')).toBe('GET,POST,OPTIONS');
    const allowed = (res.headers.get('access-control-allow-headers') ?? '').split(',');
    for (const header of [
      'authorization',
      'content-type',
      'x-api-key',
      'anthropic-version',
      'x-stainless-retry-count',
      'x-stainless-timeout',
    ]) {
      expect(allowed).toContain(header);
    }
    expect(res.headers.get('access-control-max-age')).toBe('600');
    expect(res.headers.get('vary')).toContain('Origin');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('refuses any other origin with a 403 and no CORS header, never reflecting it', async () => {
    const proxy = proxyWith(await config('keys'));
    for (const origin of [EVIL, 'null', `${APP}.evil.example`, 'http://app.example']) {
      const res = await preflight(proxy, origin);
      expect(res.status).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(await errorCode(res)).toBe('origin_not_allowed');
    }
    expect(proxy.mock.calls()).toHaveLength(0);
  });

  it('answers the Anthropic route too, and its refusals in the Anthropic shape', async () => {
    const proxy = proxyWith(await config('keys'));
    const ok = await proxy.request('/v1/messages', {
      method: 'OPTIONS',
      headers: { origin: APP, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-api-key,anthropic-version' },
    });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-headers')).toContain('anthropic-dangerous-direct-browser-access');
    const refused = await preflight(proxy, EVIL, '/v1/messages');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ type: 'error', error: { type: 'permission_error' } });
  });
});

describe('origins on real requests', () => {
  it('sends no CORS header to a request without an Origin: no browser made it, nothing is allowed', async () => {
    const proxy = proxyWith(await config('keys'));
    const res = await proxy.chat(hello(), { headers: bearer(SRV_KEY) });
    expect(res.status).toBe(200);
    for (const header of ['access-control-allow-origin', 'access-control-expose-headers']) expect(res.headers.get(header)).toBeNull();
  });

  it('lets a page on an allowed origin read the answer and the proxy headers', async () => {
    const proxy = proxyWith(await config('keys'));
    const res = await proxy.chat(hello(), { headers: { ...bearer(WEB_KEY), origin: APP } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    const exposed = (res.headers.get('access-control-expose-headers') ?? '').split(',');
    for (const header of ['x-request-id', 'x-proxy-source', 'x-proxy-provider', 'x-proxy-cache', 'retry-after', 'x-should-retry']) {
      expect(exposed).toContain(header);
    }
  });

  it('refuses a disallowed origin with a 403 before any upstream call', async () => {
    const proxy = proxyWith(await config('keys'));
    const res = await proxy.chat(hello(), { headers: { ...bearer(SRV_KEY), origin: EVIL } });
    expect(res.status).toBe(403);
    expect(await errorCode(res)).toBe('origin_not_allowed');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(proxy.mock.calls()).toHaveLength(0);
  });

  it('holds a key to its own origins, not every configured one', async () => {
    const proxy = proxyWith(await config('keys'));
    const res = await proxy.chat(hello(), { headers: { ...bearer(WEB_KEY), origin: DOCS } });
    expect(res.status).toBe(403);
    // The origin passes the preflight (it is in cors.origins), so the page can read why it was refused.
    expect(res.headers.get('access-control-allow-origin')).toBe(DOCS);
    expect(proxy.mock.calls()).toHaveLength(0);
    // A key without origins of its own is held to cors.origins.
    expect((await proxy.chat(hello(), { headers: { ...bearer(SRV_KEY), origin: DOCS } })).status).toBe(200);
    expect((await proxy.chat(hello(), { headers: { ...bearer(SRV_KEY), origin: APP } })).status).toBe(403);
  });

  it('holds a token to its origins claim', async () => {
    const proxy = proxyWith(await config('jwt'), withSecret);
    const t = await token({ origins: [DOCS] });
    expect((await proxy.chat(hello(), { headers: { ...bearer(t), origin: DOCS } })).status).toBe(200);
    expect((await proxy.chat(hello(), { headers: { ...bearer(t), origin: 'https://other.example' } })).status).toBe(403);
  });

  it('lets servers (no Origin header) through unless the key requires an origin', async () => {
    const proxy = proxyWith(await config('keys'));
    expect((await proxy.chat(hello(), { headers: bearer(WEB_KEY) })).status).toBe(200);
    const kiosk = await proxy.chat(hello(), { headers: bearer(KIOSK_KEY) });
    expect(kiosk.status).toBe(403);
    expect(await errorCode(kiosk)).toBe('origin_required');
    expect((await proxy.chat(hello(), { headers: { ...bearer(KIOSK_KEY), origin: APP } })).status).toBe(200);
    expect(proxy.mock.calls()).toHaveLength(2);
  });

  it('lets a page read why its credential was refused', async () => {
    const proxy = proxyWith(await config('keys'));
    const res = await proxy.chat(hello(), { headers: { ...bearer('sk-proxy-wrong'), origin: APP } });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
  });

  it('applies cors.origins to everyone when auth is off', async () => {
    const proxy = proxyWith(await config('none'));
    expect((await proxy.chat(hello(), { headers: { origin: DOCS } })).status).toBe(200);
    expect((await proxy.chat(hello(), { headers: { origin: APP } })).status).toBe(403);
    expect((await proxy.chat(hello())).status).toBe(200);
  });
});
