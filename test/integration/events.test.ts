// Event lines in workerd (SPEC "Observability"): breaker transitions once each, rejected keys, invalid configs, spent budgets; attempt causes.
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sha256Hex } from '../../src/sha256.ts';
import { captureLines, eventsOf, requestLine, until } from './event-lines.ts';
import { configFor, FAST_RETRY, hello, KEYS, proxyWith } from './harness.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

let n = 0;
const unique = (name: string) => `${name}-${++n}-${Date.now()}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const BREAKER = { consecutiveFailures: 3, minCalls: 50, openMs: 60_000 };
const NO_RETRY = { retry: { maxRetries: 0 } };
const withBreakers = (config: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  proxyWith(config, { ...KEYS, BREAKER: env.BREAKER, ...extra });

async function send(proxy: ReturnType<typeof proxyWith>, times: number, id?: string): Promise<void> {
  for (let i = 0; i < times; i++) {
    const res = await proxy.chat(hello(), id === undefined ? {} : { headers: { 'x-request-id': `${id}-${i}` } });
    await res.text();
    await proxy.settle();
  }
}

describe('breaker transitions', () => {
  it('writes one line when a breaker opens, naming from, to and why', async () => {
    const lines = captureLines();
    const dead = unique('dead');
    const proxy = withBreakers(configFor([{ id: dead, scenario: 'status=503', extra: NO_RETRY }, { scenario: '' }], { breaker: BREAKER }));
    await send(proxy, 6);
    await until(() => eventsOf(lines, 'breaker_state').length > 0);
    const events = eventsOf(lines, 'breaker_state');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ level: 'warn', msg: 'breaker state changed', provider: dead, from: 'closed', to: 'open' });
    expect(events[0]?.why).toBe('3 consecutive failures (last: http:503:service_unavailable); open for 60 s');
    expect(Date.parse(String(events[0]?.nextProbeAt))).toBeGreaterThan(Date.now() + 50_000);
  });

  it('writes the way back: half-open when the probe goes out, closed when it succeeds', async () => {
    const lines = captureLines();
    const flaky = unique('flaky');
    const config = configFor([{ id: flaky, scenario: 'status=503,times=3', extra: NO_RETRY }, { scenario: '' }], {
      breaker: { ...BREAKER, openMs: 100 },
    });
    const proxy = withBreakers(config);
    await send(proxy, 3);
    await sleep(150);
    await send(proxy, 1);
    await until(() => eventsOf(lines, 'breaker_state').length >= 3);
    expect(eventsOf(lines, 'breaker_state').map((e) => [e.from, e.to, e.why])).toEqual([
      ['closed', 'open', '3 consecutive failures (last: http:503:service_unavailable); open for 0.1 s'],
      ['open', 'half_open', 'open time over; one probe let through'],
      ['half_open', 'closed', 'a probe succeeded'],
    ]);
  });

  it('logs a transition once even when two isolate copies report the failures that cause it', async () => {
    const lines = captureLines();
    const shared = unique('shared');
    // Two configs make two breaker gates with their own local copies, like two isolates.
    const one = withBreakers(configFor([{ id: shared, scenario: 'status=503', extra: NO_RETRY }, { scenario: '' }], { breaker: BREAKER }));
    const two = withBreakers(
      configFor([{ id: shared, scenario: 'status=503', extra: NO_RETRY }, { scenario: '' }], {
        breaker: BREAKER,
        degraded: { notice: 'two' },
      }),
    );
    await send(one, 2);
    await send(two, 2);
    await send(one, 2);
    await sleep(100);
    expect(eventsOf(lines, 'breaker_state').filter((e) => e.provider === shared)).toHaveLength(1);
  });

  it('writes the line of an admin forcing a breaker', async () => {
    const lines = captureLines();
    const id = unique('forced');
    const proxy = withBreakers(configFor([{ id, scenario: '' }]), { PROXY_ADMIN_TOKEN: 'admin-7c1e' });
    const res = await proxy.request(`/admin/breakers/${id}`, {
      method: 'POST',
      headers: { authorization: 'Bearer admin-7c1e', 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'open' }),
    });
    expect(res.status).toBe(200);
    expect(eventsOf(lines, 'breaker_state')).toMatchObject([{ provider: id, from: 'closed', to: 'open', why: 'forced open by an admin' }]);
  });
});

describe('a vendor rejecting a key', () => {
  it.each([
    ['an invalid key (401)', 'status=401,code=invalid_api_key', 401, 'auth', 'http:401:invalid_api_key'],
    ['a forbidden key (403)', 'status=403', 403, 'auth', 'http:403:permission_error'],
    [
      'an account out of credit (429 insufficient_quota)',
      'status=429,code=insufficient_quota',
      429,
      'quota',
      'http:429:insufficient_quota',
    ],
  ])('writes an error line for %s: provider, key position, status', async (_name, scenario, status, reason, error) => {
    const lines = captureLines();
    const id = unique('keyed');
    const proxy = proxyWith(configFor([{ id, scenario }, { scenario: '' }]));
    const requestId = unique('req');
    const res = await proxy.chat(hello(), { headers: { 'x-request-id': requestId } });
    expect(res.status).toBe(200);
    await proxy.settle();
    const events = eventsOf(lines, 'key_rejected');
    expect(events).toEqual([
      {
        level: 'error',
        msg: 'vendor rejected a key',
        event: 'key_rejected',
        category: 'configuration',
        provider: id,
        key: '#1 of 1',
        keyPosition: 1,
        keyPoolSize: 1,
        keyEnv: 'MOCK_A_KEY',
        status,
        reason,
        error: expect.stringMatching(new RegExp(`^${error.split(':').slice(0, 2).join(':')}`)),
        requestId,
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain(KEYS.MOCK_A_KEY);
  });

  it('writes no key line for a rate limit or a model not found', async () => {
    const lines = captureLines();
    const proxy = proxyWith(
      configFor([{ scenario: 'status=429,code=rate_limit_exceeded' }, { scenario: 'status=404,code=model_not_found' }, { scenario: '' }]),
    );
    expect((await proxy.chat(hello())).status).toBe(200);
    await proxy.settle();
    expect(eventsOf(lines, 'key_rejected')).toEqual([]);
  });
});

describe('an invalid config', () => {
  it('writes one line per isolate listing every bad path, however many requests see it', async () => {
    const lines = captureLines();
    const marker = unique('bad');
    const proxy = proxyWith({
      providers: { [marker]: { protocol: 'smtp' } },
      models: { chat: { targets: [] } },
      retry: { idleTimeoutMs: -1 },
    });
    for (let i = 0; i < 3; i++) expect((await proxy.chat(hello())).status).toBe(500);
    expect((await proxy.request('/healthz')).status).toBe(503);
    const events = eventsOf(lines, 'config_invalid').filter((e) => JSON.stringify(e).includes(marker));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ level: 'error', msg: 'PROXY_CONFIG is invalid' });
    const paths = ((events[0]?.issues ?? []) as string[]).map((issue) => issue.split(':')[0]);
    expect(paths).toEqual(expect.arrayContaining([`providers.${marker}.protocol`, 'models.chat.targets', 'retry.idleTimeoutMs']));
    expect(proxy.mock.calls()).toHaveLength(0);
  });
});

describe('a daily budget exhausted', () => {
  it('writes one line when the first request no longer fits the day, none for the refusals after it', async () => {
    const lines = captureLines();
    const name = unique('capped');
    const secret = `sk-proxy-${name}`;
    const config = configFor([{ scenario: '' }], {
      auth: { mode: 'keys', keys: [{ name, sha256: await sha256Hex(secret), dailyTokens: 5 }] },
    });
    const proxy = proxyWith(config, { ...KEYS, BUDGET: env.BUDGET });
    const headers = { authorization: `Bearer ${secret}` };
    expect((await proxy.chat(hello(), { headers })).status).toBe(429);
    expect((await proxy.chat(hello(), { headers })).status).toBe(429);
    await proxy.settle();
    const events = eventsOf(lines, 'budget_exhausted');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ level: 'warn', msg: 'daily budget exhausted', client: name, over: 'tokens', limit: 5 });
    expect(proxy.mock.calls()).toHaveLength(0);
    expect(JSON.stringify(lines)).not.toContain(secret);
  });
});

describe('attempt causes on the request line', () => {
  it('names a lost connection and a 503 whose retries ran out, both as retryable', async () => {
    const lines = captureLines();
    const [lost, busy] = [unique('lost'), unique('busy')];
    const config = configFor([{ id: lost, scenario: 'reset' }, { id: busy, scenario: 'status=503' }, { scenario: '' }], {
      retry: { ...FAST_RETRY, maxRetries: 1 },
    });
    const proxy = proxyWith(config);
    const requestId = unique('causes');
    expect((await proxy.chat(hello(), { headers: { 'x-request-id': requestId } })).status).toBe(200);
    await proxy.settle();
    const attempts = requestLine(lines, requestId)?.attempts as { provider: string; error?: string; retryable: boolean }[];
    expect(attempts.map((a) => [a.provider, a.error, a.retryable])).toEqual([
      [lost, 'network:connection_lost', true],
      [lost, 'network:connection_lost', true],
      [busy, 'http:503:service_unavailable', true],
      [busy, 'http:503:service_unavailable', true],
      [attempts.at(-1)?.provider, undefined, false],
    ]);
  });

  it.each([
    ['a slow first token', 'first-token-delay=2000', true, 'timeout:first_token'],
    ['a refused key', 'status=401', false, 'http:401'],
    ['an answer that is not JSON', 'bad-json', false, 'bad_response'],
  ])('names %s', async (_name, scenario, retryable, error) => {
    const lines = captureLines();
    const proxy = proxyWith(configFor([{ scenario }, { scenario: '' }]));
    const requestId = unique('cause');
    const res = await proxy.chat(hello({ stream: scenario.startsWith('first') }), { headers: { 'x-request-id': requestId } });
    await res.text();
    await proxy.settle();
    const first = ((requestLine(lines, requestId)?.attempts ?? []) as { error?: string; retryable: boolean }[])[0];
    expect(first?.retryable).toBe(retryable);
    expect(first?.error?.startsWith(error)).toBe(true);
  });
});
