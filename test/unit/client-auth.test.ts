import { sign } from 'hono/jwt';
import { describe, expect, it } from 'vitest';
import { keyClient, maxTokensCap, PUBLIC_CLIENT, tokenClient } from '../../src/auth/client.ts';
import { originVerdict, preflightOrigins } from '../../src/auth/origin.ts';
import { claimsOutcome, looksLikeToken, type TokenFailure, verifyToken } from '../../src/auth/token.ts';
import { proxyConfigSchema } from '../../src/config/schema.ts';
import { tokenError } from '../../src/middleware/auth.ts';

const SECRET = 'unit-test-secret-0123456789abcdef-xyz';
const now = (): number => Math.floor(Date.now() / 1000);

/** A token signed like the README's backend snippet, with `claims` over a valid base. */
function mint(claims: Record<string, unknown>, secret = SECRET, alg: 'HS256' | 'HS512' = 'HS256'): Promise<string> {
  return sign({ sub: 'user-42', exp: now() + 600, ...claims }, secret, alg);
}

/** A token whose header says `alg: none` and whose signature is empty. */
function unsigned(): string {
  const part = (o: object) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'user-42', exp: now() + 600 })}.`;
}

describe('token verification outcome', () => {
  it('accepts a good token and maps its claims onto a client named jwt:<sub>', async () => {
    const result = await verifyToken(
      await mint({
        models: ['chat'],
        rpm: 20,
        maxTokens: 512,
        origins: ['https://app.example'],
        dailyTokens: 5000,
        dailyUsd: 0.5,
        role: 'x',
      }),
      SECRET,
    );
    if (!result.ok) throw new Error(result.reason);
    expect(tokenClient(result.claims)).toEqual({
      name: 'jwt:user-42',
      via: 'jwt',
      key: undefined,
      models: ['chat'],
      origins: ['https://app.example'],
      requireOrigin: false,
      rpm: 20,
      maxTokens: 512,
      budget: { tokens: 5000, usd: 0.5 },
    });
  });

  it.each<[string, () => Promise<string>, TokenFailure]>([
    ['another secret', () => mint({}, 'another-secret-0123456789abcdef-xyz'), 'bad_signature'],
    ['an expired token', () => mint({ exp: now() - 1 }), 'expired'],
    ['a token not valid before later', () => mint({ nbf: now() + 600 }), 'not_yet_valid'],
    ['a token issued in the future', () => mint({ iat: now() + 600 }), 'not_yet_valid'],
    ['HS512 instead of HS256', () => mint({}, SECRET, 'HS512'), 'wrong_algorithm'],
    ['alg none', async () => unsigned(), 'malformed'],
    ['no exp', () => mint({ exp: undefined }), 'bad_claims'],
    ['no sub', () => mint({ sub: undefined }), 'bad_claims'],
    ['an empty sub', () => mint({ sub: '' }), 'bad_claims'],
    ['a string exp', () => mint({ exp: String(now() + 600) }), 'expired'],
    ['models not a list', () => mint({ models: 'chat' }), 'bad_claims'],
    ['rpm not a positive integer', () => mint({ rpm: 0 }), 'bad_claims'],
    ['an origin with a path', () => mint({ origins: ['https://app.example/'] }), 'bad_claims'],
    ['a negative dollar budget', () => mint({ dailyUsd: -1 }), 'bad_claims'],
    ['garbage', async () => 'a.b.c', 'malformed'],
    [
      'a tampered payload',
      async () => (await mint({})).replace(/\.[^.]+\./, `.${btoa('{"sub":"admin","exp":9999999999}').replace(/=+$/, '')}.`),
      'bad_signature',
    ],
  ])('refuses %s (%s)', async (_name, token, reason) => {
    expect(await verifyToken(await token(), SECRET)).toEqual({ ok: false, reason });
  });

  it('requires sub and exp even from a correctly signed payload', () => {
    expect(claimsOutcome({ sub: 'a' })).toEqual({ ok: false, reason: 'bad_claims' });
    expect(claimsOutcome({ sub: 'a', exp: 1 })).toMatchObject({ ok: true, claims: { sub: 'a', exp: 1 } });
  });

  it.each<[TokenFailure, string]>([
    ['expired', 'token_expired'],
    ['not_yet_valid', 'invalid_token'],
    ['bad_claims', 'invalid_token'],
    ['wrong_algorithm', 'invalid_token'],
    ['bad_signature', 'invalid_token'],
    ['malformed', 'invalid_token'],
  ])('answers %s with a 401 %s that never quotes the token', (reason, code) => {
    const error = tokenError(reason);
    expect(error.status).toBe(401);
    expect(error.code).toBe(code);
    expect(error.type).toBe('authentication_error');
    expect(error.message).not.toMatch(/ey[A-Za-z0-9_-]{10,}/);
  });

  it.each([
    ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln', true],
    ['sk-proxy-web-0123456789', false],
    ['a.b', false],
    ['a.b.c.d', false],
    ['a.b.', false],
  ])('treats %j as a token: %s', (credential, isToken) => {
    expect(looksLikeToken(credential)).toBe(isToken);
  });
});

describe('clients from keys', () => {
  const key = {
    name: 'web',
    sha256: 'a'.repeat(64),
    models: ['chat'],
    origins: ['https://app.example'],
    rpm: 60,
    maxTokens: 1024,
    dailyUsd: 2,
    requireOrigin: true,
  };

  it("takes the key's name and policy", () => {
    expect(keyClient(key)).toEqual({
      name: 'web',
      via: 'key',
      key,
      models: ['chat'],
      origins: ['https://app.example'],
      requireOrigin: true,
      rpm: 60,
      maxTokens: 1024,
      budget: { usd: 2 },
    });
    expect(keyClient({ name: 'app', sha256: 'b'.repeat(64) })).toMatchObject({ budget: undefined, rpm: undefined, requireOrigin: false });
  });

  it.each([
    [PUBLIC_CLIENT, 8192, 8192],
    [keyClient(key), 8192, 1024],
    [keyClient(key), 512, 512],
  ])('caps max_tokens at the smaller of limits.maxTokens and the client cap (%#)', (client, limit, cap) => {
    expect(maxTokensCap(client, limit)).toBe(cap);
  });

  it('refuses key names that could collide with a token client', () => {
    const parsed = proxyConfigSchema.safeParse({
      providers: {},
      models: {},
      auth: { mode: 'keys', keys: [{ name: 'jwt:alice', sha256: 'a'.repeat(64) }] },
    });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain('reserved for token clients');
  });
});

describe('origin decision', () => {
  const app = ['https://app.example', 'http://127.0.0.1:5173'];
  it.each<[string, string | undefined, readonly string[], boolean, string]>([
    ['an allowed origin', 'https://app.example', app, false, 'ok'],
    ['another port', 'http://127.0.0.1:5174', app, false, 'origin_not_allowed'],
    ['another scheme', 'http://app.example', app, false, 'origin_not_allowed'],
    ['a subdomain', 'https://evil.app.example', app, false, 'origin_not_allowed'],
    ['a look-alike suffix', 'https://app.example.evil', app, false, 'origin_not_allowed'],
    ['the opaque origin null', 'null', app, false, 'origin_not_allowed'],
    ['any origin when none are configured', 'https://app.example', [], false, 'origin_not_allowed'],
    ['no Origin (a server)', undefined, app, false, 'ok'],
    ['no Origin when the client requires one', undefined, app, true, 'origin_required'],
    ['no Origin, nothing configured', undefined, [], false, 'ok'],
  ])('%s', (_name, origin, allowed, requireOrigin, expected) => {
    const verdict = originVerdict(origin, allowed, requireOrigin);
    expect(verdict.ok ? 'ok' : verdict.code).toBe(expected);
  });

  const config = (mode: string) =>
    proxyConfigSchema.parse({
      providers: {},
      models: {},
      cors: { origins: ['https://docs.example'] },
      auth: {
        mode,
        keys: [
          { name: 'web', sha256: 'a'.repeat(64), origins: ['https://app.example'] },
          { name: 'srv', sha256: 'b'.repeat(64) },
        ],
      },
    });

  it.each([
    ['none', ['https://docs.example']],
    ['keys', ['https://docs.example', 'https://app.example']],
    ['keys+jwt', ['https://docs.example', 'https://app.example']],
    ['jwt', ['https://docs.example']],
  ])('answers preflights in %s mode for %j', (mode, origins) => {
    expect([...preflightOrigins(config(mode))].sort()).toEqual([...origins].sort());
  });

  it.each(['*', 'https://app.example/', 'https://APP.example', 'app.example', 'https://app.example:443', 'ftp://app.example'])(
    'refuses %j as a configured origin',
    (origin) => {
      expect(proxyConfigSchema.safeParse({ providers: {}, models: {}, cors: { origins: [origin] } }).success).toBe(false);
    },
  );
});
