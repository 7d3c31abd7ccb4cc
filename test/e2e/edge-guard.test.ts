// Browser safety end to end: a `wrangler dev` of this file's own (guard-config.ts) with keys and tokens,
// CORS, the per-IP limit on the real Rate Limiting binding, per-client rpm and daily budgets; the openai
// and Anthropic SDKs as callers, the mock vendor behind.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { sign } from 'hono/jwt';
import OpenAI, { AuthenticationError, PermissionDeniedError, RateLimitError } from 'openai';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startWranglerDev, type WranglerDev } from '../support/wrangler-dev.ts';
import { MOCK_KEY, REPLY } from './config.ts';
import { APP_ORIGIN, buildGuardProxyConfig, DOCS_ORIGIN, GUARD, GUARD_KEYS, IP_RPM, JWT_SECRET } from './guard-config.ts';
import { eventually, logLineFor, mockCalls, requestLogLines } from './observers.ts';
import { collect } from './proxy-client.ts';
import { recordingFetch, secret } from './recorder.ts';

const mockUrl = inject('mockUrl');
let dir = '';
let log = '';
let dev: WranglerDev | undefined;
const url = (): string => dev?.url ?? '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proxy-e2e-guard-'));
  for (const [name, key] of Object.entries(GUARD_KEYS)) secret(`client key ${name}`, key);
  secret('JWT secret', JWT_SECRET);
  const config = JSON.stringify(buildGuardProxyConfig(mockUrl));
  if (config.includes("'") || config.includes('$')) throw new Error('PROXY_CONFIG must not contain quotes or $');
  writeFileSync(join(dir, 'guard.env'), `MOCK_KEY=${MOCK_KEY}\nPROXY_JWT_SECRET=${JWT_SECRET}\nPROXY_CONFIG='${config}'\n`);
  log = join(dir, 'wrangler.log');
  dev = await startWranglerDev({ envFile: join(dir, 'guard.env'), workDir: dir, logFile: log });
});

afterAll(async () => {
  await dev?.stop();
  if (dir !== '' && process.env.E2E_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
});

let ips = 0;
/** A caller address of its own, so the per-IP limit (IP_RPM a minute) never mixes tests up. */
const freshIp = (): string => `203.0.113.${++ips}`;

/** The openai SDK as a browser app or a server would use it; no SDK retries unless asked. */
function openai(apiKey: string, headers: Record<string, string> = {}, maxRetries = 0): OpenAI {
  return new OpenAI({
    baseURL: `${url()}/v1`,
    apiKey,
    maxRetries,
    timeout: 20_000,
    fetch: recordingFetch,
    defaultHeaders: { 'cf-connecting-ip': freshIp(), ...headers },
  });
}

/** A token as the app's backend mints it (README "Client tokens"), registered as a secret of the run. */
async function token(claims: Record<string, unknown> = {}): Promise<string> {
  const minted = await sign({ sub: 'user-1', exp: Math.floor(Date.now() / 1000) + 600, ...claims }, JWT_SECRET, 'HS256');
  return secret('client token', minted);
}

const ask = (text: string, extra: Record<string, unknown> = {}) => ({
  model: GUARD.alias,
  messages: [{ role: 'user' as const, content: text }],
  ...extra,
});

const callsToGuard = async (): Promise<number> => (await mockCalls()).filter((c) => c.model === GUARD.model).length;

describe('client tokens and keys (keys+jwt)', () => {
  it('serves a token through the openai SDK and the Anthropic SDK, logged under jwt:<sub>', async () => {
    const t = await token({ sub: 'alice' });
    const { data, response } = await openai(t)
      .chat.completions.create(ask('hello'), { headers: { 'x-request-id': 'e2e-guard-jwt-1' } })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(REPLY);
    expect(response.headers.get('x-proxy-provider')).toBe(GUARD.provider);
    expect((await logLineFor('e2e-guard-jwt-1', 5000, log)).client).toBe('jwt:alice');

    const claude = new Anthropic({
      baseURL: url(),
      apiKey: t,
      maxRetries: 0,
      fetch: recordingFetch,
      defaultHeaders: { 'cf-connecting-ip': freshIp() },
    });
    const message = await claude.messages.create({ model: GUARD.alias, max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] });
    expect(message.content[0]).toMatchObject({ type: 'text', text: REPLY });
  });

  it('refuses an expired token, a forged one and an unknown key with a 401, without calling the vendor', async () => {
    const before = await callsToGuard();
    const forged = await sign({ sub: 'alice', exp: Math.floor(Date.now() / 1000) + 600 }, 'not-the-secret-0123456789abcdef-xyz', 'HS256');
    for (const credential of [
      await token({ exp: Math.floor(Date.now() / 1000) - 10 }),
      secret('forged token', forged),
      'client-unknown-1',
    ]) {
      const error = await openai(credential)
        .chat.completions.create(ask('hello'))
        .catch((err: unknown) => err);
      expect(error).toBeInstanceOf(AuthenticationError);
    }
    expect(await callsToGuard()).toBe(before);
  });
});

describe('CORS and origins', () => {
  const preflight = (origin: string) =>
    recordingFetch(`${url()}/v1/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-stainless-os,x-stainless-retry-count',
        'cf-connecting-ip': freshIp(),
      },
    });

  it('answers preflights from configured origins only', async () => {
    for (const origin of [APP_ORIGIN, DOCS_ORIGIN]) {
      const ok = await preflight(origin);
      expect(ok.status).toBe(204);
      expect(ok.headers.get('access-control-allow-origin')).toBe(origin);
      expect(ok.headers.get('access-control-allow-headers')).toContain('x-stainless-retry-count');
    }
    const refused = await preflight('https://evil.example');
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a request from a disallowed origin with a 403 before any vendor call', async () => {
    const before = await callsToGuard();
    for (const origin of ['https://evil.example', DOCS_ORIGIN]) {
      const error = await openai(GUARD_KEYS.web, { origin })
        .chat.completions.create(ask('hello'))
        .catch((err: unknown) => err);
      expect(error).toBeInstanceOf(PermissionDeniedError);
      expect((error as PermissionDeniedError).code).toBe('origin_not_allowed');
    }
    expect(await callsToGuard()).toBe(before);
    const { response } = await openai(GUARD_KEYS.web, { origin: APP_ORIGIN }).chat.completions.create(ask('hello')).withResponse();
    expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
  });
});

describe('rate limits', () => {
  it('refuses a key past its rpm with a 429 and Retry-After (exact, per client, across addresses)', async () => {
    // The web key allows 2 a minute and the previous test used one: one more, then refused.
    const before = await callsToGuard();
    const web = () => openai(GUARD_KEYS.web, { origin: APP_ORIGIN });
    await web().chat.completions.create(ask('rpm'));
    const error = await web()
      .chat.completions.create(ask('rpm'))
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(RateLimitError);
    const refused = error as RateLimitError;
    expect(refused.code).toBe('rate_limit_exceeded');
    const retryAfter = Number(refused.headers?.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(61);
    expect(await callsToGuard()).toBe(before + 1);
  });

  it('refuses an address past limits.ipRpm on the real Rate Limiting binding, before auth', { timeout: 30_000 }, async () => {
    // The binding counts in wall-clock minutes: send the burst well inside one.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_500 - intoMinute));
    const ip = { 'cf-connecting-ip': '198.18.0.77' };
    const statuses: number[] = [];
    for (let i = 0; i < IP_RPM + 1; i++) {
      const res = await recordingFetch(`${url()}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...ip, 'content-type': 'application/json', authorization: `Bearer ${i % 2 === 0 ? GUARD_KEYS.srv : 'client-wrong'}` },
        body: JSON.stringify(ask(`ip ${i}`)),
      });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('ip_rate_limit_exceeded');
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      } else await res.text();
    }
    expect(statuses).toEqual([200, 401, 200, 401, 200, 429]);
    // Another address is not affected.
    expect((await openai(GUARD_KEYS.srv).chat.completions.create(ask('other address'))).choices[0]?.message.content).toBe(REPLY);
  });
});

describe('daily budgets', () => {
  it('refuses a key whose daily tokens are spent with a 429 the SDK does not retry', async () => {
    const before = await callsToGuard();
    // maxRetries 2: the SDK would retry a plain 429, but the budget's says x-should-retry: false.
    // A client (and so a caller address) per request: the per-IP limit must not be what refuses one.
    const budget = () => openai(GUARD_KEYS.budget, {}, 2);
    let answered = 0;
    let refusal: RateLimitError | undefined;
    for (let i = 0; i < 10 && refusal === undefined; i++) {
      const outcome = await budget()
        .chat.completions.create(ask(`budget ${i}`))
        .catch((err: unknown) => err);
      if (outcome instanceof RateLimitError) refusal = outcome;
      else answered += 1;
      // Each request reserves its worst case; its real use is settled after the answer, in the background.
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    if (refusal === undefined) throw new Error('the budget never ran out');
    expect(answered).toBeGreaterThan(0);
    expect(refusal.code).toBe('daily_budget_exceeded');
    expect(refusal.message).toContain('daily budget of 80 tokens');
    expect(refusal.headers?.get('x-should-retry')).toBe('false');
    const retryAfter = Number(refusal.headers?.get('retry-after'));
    const midnight = Math.ceil((Math.floor(Date.now() / 86_400_000 + 1) * 86_400_000 - Date.now()) / 1000);
    expect(Math.abs(retryAfter - midnight)).toBeLessThanOrEqual(5);
    // One vendor call per answer; none for the refusal or any SDK retry of it.
    expect(await callsToGuard()).toBe(before + answered);
  });

  it('records streamed answers too, and logs usage and cost on every answered line', async () => {
    const streaming = () => openai(GUARD_KEYS.stream);
    let refused = false;
    for (let i = 0; i < 10 && !refused; i++) {
      const outcome = await streaming()
        .chat.completions.create({ ...ask(`stream ${i}`), stream: true }, { headers: { 'x-request-id': `e2e-guard-stream-${i}` } })
        .then(collect)
        .catch((err: unknown) => err);
      if (outcome instanceof RateLimitError) refused = true;
      else {
        expect((outcome as Awaited<ReturnType<typeof collect>>).text).toBe(REPLY);
        const line = await logLineFor(`e2e-guard-stream-${i}`, 5000, log);
        expect(line.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
        expect(line.cost).toEqual(expect.any(Number));
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    }
    expect(refused).toBe(true);
    expect(
      await eventually(async () => requestLogLines(log).some((l) => l.error === 'daily_budget_exceeded' && l.client === 'stream')),
    ).toBe(true);
  });
});
