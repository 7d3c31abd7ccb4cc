// Per-IP and per-client rate limits on the real bindings (Rate Limiting, Durable Objects) in workerd; budgets are in budgets.test.ts.
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sha256Hex } from '../../src/sha256.ts';
import { configFor, hello, KEYS, proxyWith } from './harness.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

const BINDINGS = { ...KEYS, IP_LIMITER: env.IP_LIMITER, CLIENT_RATE: env.CLIENT_RATE, BUDGET: env.BUDGET };
const PRICING = { input: 100_000, output: 200_000 };
let n = 0;
/** A client name never used before in this run (objects outlive a test). */
const fresh = (prefix: string) => `${prefix}-${Date.now()}-${++n}`;

async function keyed(key: Record<string, unknown>, overrides: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  const secret = `sk-proxy-${String(key.name)}`;
  const config = configFor([{ scenario: '', extra: { pricing: PRICING, ...extra } }], {
    auth: { mode: 'keys', keys: [{ sha256: await sha256Hex(secret), ...key }] },
    ...overrides,
  });
  return { config, headers: { authorization: `Bearer ${secret}` } };
}

const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string; type: string } }).error;

function captureWarnings(): string[] {
  const lines: string[] = [];
  vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  });
  return lines;
}

/**
 * The Rate Limiting binding as documented (workers-types: a call is admitted while the key's counter
 * is below the limit, and adds `delta` to it), with the limit of wrangler.toml. The vitest plugin
 * (1.5.0) pins miniflare 5.20261102, whose binding refuses `delta`; wrangler dev's (5.20261117)
 * takes it, and test/e2e/edge-guard.test.ts drives that real binding.
 */
function documentedIpLimiter(limit = 1_000_000): RateLimit {
  const counters = new Map<string, number>();
  return {
    async limit({ key, delta = 1 }) {
      const count = counters.get(key) ?? 0;
      if (count >= limit) return { success: false };
      counters.set(key, count + delta);
      return { success: true };
    },
  };
}

describe('per-IP limit (limits.ipRpm, Rate Limiting binding)', () => {
  it('refuses an address past ipRpm with a 429 and Retry-After, before any upstream call', async () => {
    const proxy = proxyWith(configFor([{ scenario: '' }], { limits: { ipRpm: 3 } }), { ...BINDINGS, IP_LIMITER: documentedIpLimiter() });
    const ip = '198.51.100.7';
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await proxy.chat(hello(), { headers: { 'cf-connecting-ip': ip } })).status);
    expect(statuses).toEqual([200, 200, 200]);
    const refused = await proxy.chat(hello(), { headers: { 'cf-connecting-ip': ip } });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await errorOf(refused)).toMatchObject({ code: 'ip_rate_limit_exceeded', type: 'rate_limit_error' });
    expect(proxy.mock.calls()).toHaveLength(3);
    // Another address, and the same /64 of IPv6 counted as one.
    expect((await proxy.chat(hello(), { headers: { 'cf-connecting-ip': '198.51.100.8' } })).status).toBe(200);
    for (let i = 0; i < 3; i++) await proxy.chat(hello(), { headers: { 'cf-connecting-ip': `2001:db8:7:7::${i + 1}` } });
    expect((await proxy.chat(hello(), { headers: { 'cf-connecting-ip': '2001:db8:7:7:ffff::1' } })).status).toBe(429);
  });

  it('refuses an address again without calling the binding until the minute its Retry-After names', async () => {
    const documented = documentedIpLimiter();
    let calls = 0;
    const counting: RateLimit = {
      limit: (options) => {
        calls += 1;
        return documented.limit(options);
      },
    };
    const proxy = proxyWith(configFor([{ scenario: '' }], { limits: { ipRpm: 1 } }), { ...BINDINGS, IP_LIMITER: counting });
    // Addresses no other test of this file uses: refusals are remembered per isolate.
    const headers = { 'cf-connecting-ip': '198.51.100.21' };
    expect((await proxy.chat(hello(), { headers })).status).toBe(200);
    const refusals = [];
    for (let i = 0; i < 4; i++) refusals.push(await proxy.chat(hello(), { headers }));
    expect(refusals.map((r) => r.status)).toEqual([429, 429, 429, 429]);
    for (const refused of refusals) {
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(await errorOf(refused)).toMatchObject({ code: 'ip_rate_limit_exceeded' });
    }
    expect(calls).toBe(2);
    // Another address still asks.
    expect((await proxy.chat(hello(), { headers: { 'cf-connecting-ip': '198.51.100.22' } })).status).toBe(200);
    expect(calls).toBe(3);
  });

  it('throttles key guessing: it runs before auth', async () => {
    const { config } = await keyed({ name: fresh('guess') }, { limits: { ipRpm: 2 } });
    const proxy = proxyWith(config, { ...BINDINGS, IP_LIMITER: documentedIpLimiter() });
    const headers = { 'cf-connecting-ip': '198.51.100.9', authorization: 'Bearer sk-guess' };
    expect([(await proxy.chat(hello(), { headers })).status, (await proxy.chat(hello(), { headers })).status]).toEqual([401, 401]);
    expect((await proxy.chat(hello(), { headers })).status).toBe(429);
  });

  it('is off with ipRpm 0 (the default), and for requests without cf-connecting-ip', async () => {
    const limiter = documentedIpLimiter(1);
    const off = proxyWith(configFor([{ scenario: '' }]), { ...BINDINGS, IP_LIMITER: limiter });
    for (let i = 0; i < 3; i++) expect((await off.chat(hello(), { headers: { 'cf-connecting-ip': '198.51.100.10' } })).status).toBe(200);
    const on = proxyWith(configFor([{ scenario: '' }], { limits: { ipRpm: 1 } }), { ...BINDINGS, IP_LIMITER: limiter });
    for (let i = 0; i < 3; i++) expect((await on.chat(hello())).status).toBe(200);
  });
});

describe('per-client rpm (ClientRateObject)', () => {
  it("refuses a key's requests past its rpm with a 429 and Retry-After, and counts each client apart", async () => {
    const name = fresh('rpm');
    const { config, headers } = await keyed({ name, rpm: 2 });
    const proxy = proxyWith(config, BINDINGS);
    expect((await proxy.chat(hello(), { headers })).status).toBe(200);
    expect((await proxy.chat(hello(), { headers })).status).toBe(200);
    const refused = await proxy.chat(hello(), { headers });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(59);
    expect(retryAfter).toBeLessThanOrEqual(61);
    expect(await errorOf(refused)).toMatchObject({ code: 'rate_limit_exceeded', type: 'rate_limit_error' });
    expect(refused.headers.get('x-should-retry')).toBeNull();
    expect(proxy.mock.calls()).toHaveLength(2);
    // The count lives in the object, for every isolate.
    expect(await env.CLIENT_RATE.getByName(name).take(2)).toMatchObject({ ok: false, retryAfterSeconds: expect.any(Number) });
  });

  it('refuses a client again without asking its object until the refusal ends (nothing can be admitted before)', async () => {
    const name = fresh('memo');
    const { config, headers } = await keyed({ name, rpm: 1 });
    let calls = 0;
    const counting = {
      getByName: (id: string) => ({
        take: (rpm: number) => {
          calls += 1;
          return env.CLIENT_RATE.getByName(id).take(rpm);
        },
      }),
    };
    const proxy = proxyWith(config, { ...BINDINGS, CLIENT_RATE: counting });
    expect((await proxy.chat(hello(), { headers })).status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await proxy.chat(hello(), { headers })).status);
    expect(statuses).toEqual([429, 429, 429, 429, 429]);
    expect(calls).toBe(2);
  });

  it('lets a busy client spend admissions granted ahead for the current second, each counted in its object', async () => {
    const name = fresh('lease');
    const rpm = 6000;
    const { config, headers } = await keyed({ name, rpm });
    let asks = 0;
    const counting = {
      getByName: (id: string) => {
        const object = env.CLIENT_RATE.getByName(id);
        return {
          take: (limit: number, want?: number, back?: { second: number; count: number }) => {
            asks += 1;
            return object.take(limit, want, back);
          },
          refund: (second: number, count: number) => object.refund(second, count),
        };
      },
    };
    const proxy = proxyWith(config, { ...BINDINGS, CLIENT_RATE: counting });
    const statuses = [];
    for (let i = 0; i < 40; i++) statuses.push((await proxy.chat(hello(), { headers })).status);
    await proxy.settle();
    expect(statuses).toEqual(Array(40).fill(200));
    expect(asks).toBeLessThan(20);
    // Every admission was counted in the object when granted: the 40 spent, and at most one
    // second's share (rpm / 60) granted ahead and not yet given back.
    const { remaining } = await env.CLIENT_RATE.getByName(name).take(rpm);
    expect(remaining).toBeLessThanOrEqual(rpm - 40 - 1);
    expect(remaining).toBeGreaterThanOrEqual(rpm - 40 - 1 - rpm / 60);
  });

  it('stays exact while leasing: rpm 150 admits exactly 150 of 170 requests in a row', async () => {
    const { config, headers } = await keyed({ name: fresh('lease-exact'), rpm: 150 });
    const proxy = proxyWith(config, BINDINGS);
    const statuses: number[] = [];
    for (let i = 0; i < 170; i++) statuses.push((await proxy.chat(hello(), { headers })).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(150);
    expect(statuses.slice(150)).toEqual(Array(20).fill(429));
    expect(proxy.mock.calls()).toHaveLength(150);
  });

  it('is exact under 20 concurrent requests', async () => {
    const { config, headers } = await keyed({ name: fresh('burst'), rpm: 7 });
    const proxy = proxyWith(config, BINDINGS);
    const statuses = await Promise.all(Array.from({ length: 20 }, () => proxy.chat(hello(), { headers }).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(7);
    expect(statuses.filter((s) => s === 429)).toHaveLength(13);
  });

  it('limits a token by its rpm claim, under its own name', async () => {
    const { sign } = await import('hono/jwt');
    const secret = 'integration-jwt-secret-0123456789abcdef';
    const sub = fresh('user');
    const config = configFor([{ scenario: '' }], { auth: { mode: 'jwt' } });
    const proxy = proxyWith(config, { ...BINDINGS, PROXY_JWT_SECRET: secret });
    const token = await sign({ sub, exp: Math.floor(Date.now() / 1000) + 600, rpm: 1 }, secret, 'HS256');
    const headers = { authorization: `Bearer ${token}` };
    expect((await proxy.chat(hello(), { headers })).status).toBe(200);
    expect((await proxy.chat(hello(), { headers })).status).toBe(429);
    expect(await env.CLIENT_RATE.getByName(`jwt:${sub}`).take(100)).toMatchObject({ ok: true, remaining: 98 });
  });
});

describe('limiters fail open', () => {
  const broken = {
    limit: () => Promise.reject(new Error('rate limiter down')),
    getByName: () => ({
      take: () => Promise.reject(new Error('object down')),
      reserve: () => new Promise(() => {}),
      report: () => Promise.reject(new Error('object down')),
    }),
  };

  it('serves requests when the binding and the objects error or hang, and logs it', async () => {
    const warnings = captureWarnings();
    const { config, headers } = await keyed({ name: fresh('open'), rpm: 1, dailyTokens: 1 }, { limits: { ipRpm: 1 } });
    const proxy = proxyWith(config, { ...KEYS, IP_LIMITER: broken, CLIENT_RATE: broken, BUDGET: broken });
    const started = Date.now();
    for (let i = 0; i < 3; i++) {
      expect((await proxy.chat(hello(), { headers: { ...headers, 'cf-connecting-ip': '198.51.100.11' } })).status).toBe(200);
    }
    // Each request waits at most the 500 ms limiter timeout (the hanging budget object's reservation).
    expect(Date.now() - started).toBeLessThan(3 * 500 + 1000);
    // In the background, a lease's grant is awaited 2 s more (a late one would join the pool), then given up.
    await proxy.settle();
    const logged = warnings.map((w) => JSON.parse(w) as { msg: string; limiter: string });
    expect(
      logged
        .filter((w) => w.msg === 'limiter unavailable; failing open')
        .map((w) => w.limiter)
        .sort(),
    ).toEqual(['budget', 'client_rate', 'ip']);
    expect(warnings.join('\n')).not.toContain('object down');
  });

  it('serves requests when the bindings are missing, and logs it', async () => {
    const warnings = captureWarnings();
    const { config, headers } = await keyed({ name: fresh('unbound'), rpm: 1, dailyUsd: 1 });
    const proxy = proxyWith(config);
    expect((await proxy.chat(hello(), { headers })).status).toBe(200);
    expect((await proxy.chat(hello(), { headers })).status).toBe(200);
    expect(warnings.join('\n')).toContain('binding missing');
  });
});
