import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { proxyConfigSchema } from '../../src/config/schema.ts';
import type { ProviderStatus, StatusReport } from '../../src/routes/breaker-status.ts';
import { FAST_RETRY, hello, KEYS, proxyWith } from './harness.ts';

type TestProxy = ReturnType<typeof proxyWith>;

const ADMIN = 'admin-token-7c1e55d0';
const admin = { authorization: `Bearer ${ADMIN}` };
const basic = (password: string) => ({ authorization: `Basic ${btoa(`anyone:${password}`)}` });

// Breaker objects persist for the whole file: every test names its own providers.
let n = 0;
const unique = (name: string) => `${name}-${++n}-${Date.now()}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const DEFAULT_BREAKER = proxyConfigSchema.parse({ providers: {}, models: {} }).breaker;
/** Options for driving an object directly: the window never trips, so it keeps every outcome. */
const NEVER_TRIPS = { ...DEFAULT_BREAKER, minCalls: 50, failureRate: 0.9, consecutiveFailures: 50 };

/** Every provider points at the healthy mock; `chat` uses all of them in order. */
function configWith(ids: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const providers = Object.fromEntries(
    ids.map((id) => [id, { protocol: 'openai', baseUrl: 'http://mock.test/v1', apiKeyEnv: 'MOCK_A_KEY' }]),
  );
  const targets = ids.map((id) => ({ provider: id, model: `model-${id}` }));
  return { providers, models: { chat: { targets } }, retry: FAST_RETRY, ...extra };
}

function proxy(config: Record<string, unknown>, extra: Record<string, unknown> = {}): TestProxy {
  return proxyWith(config, { ...KEYS, BREAKER: env.BREAKER, PROXY_ADMIN_TOKEN: ADMIN, ...extra });
}

function force(p: TestProxy, provider: string, body: unknown, headers: Record<string, string> = admin): Promise<Response> {
  return p.request(`/admin/breakers/${provider}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function statusOf(p: TestProxy, path = '/status.json'): Promise<Map<string, ProviderStatus>> {
  const res = await p.request(path, { headers: admin });
  expect(res.status).toBe(200);
  const report = (await res.json()) as StatusReport;
  return new Map(report.providers.map((s) => [s.provider, s]));
}

const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

describe('admin auth', () => {
  it.each(['/status', '/status.json', '/admin/breakers'])('answers 403 on %s when no PROXY_ADMIN_TOKEN is set', async (path) => {
    const p = proxy(configWith([unique('a')]), { PROXY_ADMIN_TOKEN: undefined });
    const res = await p.request(path, { headers: admin });
    expect(res.status).toBe(403);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('admin_not_configured');
    expect(body.error.message).toContain('PROXY_ADMIN_TOKEN');
  });

  it('treats an empty PROXY_ADMIN_TOKEN as not configured, also for forcing', async () => {
    const id = unique('a');
    const p = proxy(configWith([id]), { PROXY_ADMIN_TOKEN: '' });
    const res = await force(p, id, { action: 'open' }, { authorization: 'Bearer ' });
    expect(res.status).toBe(403);
  });

  it.each([
    ['no Authorization header', {}, 'missing_admin_token'],
    ['a wrong token', { authorization: 'Bearer nope' }, 'invalid_admin_token'],
    ['a prefix of the token', { authorization: `Bearer ${ADMIN.slice(0, -1)}` }, 'invalid_admin_token'],
    ['the token plus a character', { authorization: `Bearer ${ADMIN}x` }, 'invalid_admin_token'],
    ['the token without the Bearer scheme', { authorization: ADMIN }, 'missing_admin_token'],
  ])('answers 401 with %s', async (_name, headers, code) => {
    const p = proxy(configWith([unique('a')]));
    for (const path of ['/status', '/status.json', '/admin/breakers']) {
      const res = await p.request(path, { headers });
      expect(res.status).toBe(401);
      expect(await errorCode(res)).toBe(code);
    }
  });

  it('refuses to force a breaker without the token, and changes nothing', async () => {
    const id = unique('a');
    const p = proxy(configWith([id]));
    expect((await force(p, id, { action: 'open' }, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await statusOf(p)).get(id)?.state).toBe('closed');
  });

  it('lets everyone read /status and /status.json when status.public is true, but not /admin', async () => {
    const id = unique('a');
    const p = proxy(configWith([id], { status: { public: true } }), { PROXY_ADMIN_TOKEN: undefined });
    expect((await p.request('/status')).status).toBe(200);
    expect((await p.request('/status.json')).status).toBe(200);
    expect((await p.request('/admin/breakers')).status).toBe(403);
    const withToken = proxy(configWith([id], { status: { public: true } }));
    expect((await withToken.request('/admin/breakers')).status).toBe(401);
    expect((await force(withToken, id, { action: 'open' }, {})).status).toBe(401);
  });

  it('accepts the token as a Basic password on the HTML page only, and asks browsers for it', async () => {
    const id = unique('a');
    const p = proxy(configWith([id]));
    const challenge = await p.request('/status');
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect((await p.request('/status', { headers: basic(ADMIN) })).status).toBe(200);
    expect((await p.request('/status', { headers: basic('wrong') })).status).toBe(401);
    // A browser sends Basic credentials by itself: never enough for JSON or for a change.
    expect((await p.request('/status.json', { headers: basic(ADMIN) })).status).toBe(401);
    expect((await p.request('/admin/breakers', { headers: basic(ADMIN) })).status).toBe(401);
    expect((await force(p, id, { action: 'open' }, basic(ADMIN))).status).toBe(401);
  });

  it('leaves the other routes alone', async () => {
    const p = proxy(configWith([unique('a')]));
    expect((await p.request('/healthz')).status).toBe(200);
    expect((await p.request('/v1/models')).status).toBe(200);
    expect((await p.chat(hello())).status).toBe(200);
  });
});

describe('GET /status.json', () => {
  it('shows a healthy provider as closed, with the aliases that use it', async () => {
    const [a, b] = [unique('a'), unique('b')];
    const config = configWith([a, b]);
    (config.models as Record<string, unknown>).fast = { targets: [{ provider: a, model: 'm' }] };
    const p = proxy(config);
    const res = await p.request('/status.json', { headers: admin });
    expect(res.headers.get('cache-control')).toBe('no-store');
    const report = (await res.json()) as StatusReport;
    expect(report.providers.map((s) => s.provider)).toEqual([a, b]);
    expect(report.providers[0]).toMatchObject({
      state: 'closed',
      failureRate: 0,
      windowCalls: 0,
      latencyMs: { p50: null, p95: null },
      lastError: null,
      nextProbeAt: null,
      reopens: 0,
      models: ['chat', 'fast'],
    });
    expect(report.providers[1]?.models).toEqual(['chat']);
  });

  it('reports the failure rate, latency percentiles and last error of the window', async () => {
    const id = unique('busy');
    const p = proxy(configWith([id]));
    const stub = env.BREAKER.getByName(id);
    for (const ms of [100, 200, 300]) await stub.apply({ type: 'success', ms }, NEVER_TRIPS);
    const before = Date.now();
    await stub.apply({ type: 'failure', ms: 900, kind: 'http:503' }, NEVER_TRIPS);
    const s = (await statusOf(p)).get(id);
    expect(s).toMatchObject({
      state: 'closed',
      failureRate: 0.25,
      windowCalls: 4,
      consecutiveFailures: 1,
      latencyMs: { p50: 300, p95: 900 },
    });
    expect(s?.lastError?.kind).toBe('http:503');
    expect(s?.lastError?.at).toBeGreaterThanOrEqual(before);
  });

  it('shows a force-opened provider as open until its next probe', async () => {
    const [open, healthy] = [unique('open'), unique('ok')];
    const p = proxy(configWith([open, healthy], { breaker: { openMs: 60_000 } }));
    const before = Date.now();
    const res = await force(p, open, { action: 'open' });
    expect(res.status).toBe(200);
    const forced = (await res.json()) as ProviderStatus & { action: string };
    expect(forced).toMatchObject({ action: 'open', provider: open, state: 'open', models: ['chat'] });
    const status = await statusOf(p);
    expect(status.get(open)?.state).toBe('open');
    expect(status.get(open)?.nextProbeAt).toBeGreaterThanOrEqual(before + 60_000);
    expect(status.get(open)?.nextProbeAt).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(status.get(healthy)?.state).toBe('closed');
  });

  it('shows an open provider whose time is up as half-open', async () => {
    const id = unique('half');
    const p = proxy(configWith([id], { breaker: { openMs: 20 } }));
    expect((await force(p, id, { action: 'open' })).status).toBe(200);
    await sleep(40);
    const s = (await statusOf(p)).get(id);
    expect(s).toMatchObject({ state: 'half_open', nextProbeAt: null, probesInFlight: 0 });
  });

  it.each([
    ['errors', { getByName: () => ({ snapshot: () => Promise.reject(new Error('object down')) }) }],
    ['never answers', { getByName: () => ({ snapshot: () => new Promise(() => {}) }) }],
    ['is not bound', undefined],
  ])('shows a provider as unknown, not a 500, when its object %s', async (_name, namespace) => {
    const id = unique('lost');
    const p = proxy(configWith([id]), { BREAKER: namespace });
    const s = (await statusOf(p)).get(id);
    expect(s).toMatchObject({ state: 'unknown', failureRate: null, models: ['chat'] });
    const page = await p.request('/status', { headers: admin });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('unknown — breaker not reachable');
  });

  it('never shows a provider key or the admin token, only the name of the key secret', async () => {
    const id = unique('secret');
    const p = proxy(configWith([id]));
    await p.chat(hello());
    await p.settle();
    for (const path of ['/status', '/status.json', '/admin/breakers']) {
      const text = await (await p.request(path, { headers: admin })).text();
      expect(text).not.toContain(ADMIN);
      expect(text).not.toContain(KEYS.MOCK_A_KEY);
      expect(text).toContain('MOCK_A_KEY');
    }
  });
});

describe('admin breakers', () => {
  it('lists every configured provider', async () => {
    const ids = [unique('a'), unique('b'), unique('c')];
    const p = proxy(configWith(ids));
    await force(p, ids[1] as string, { action: 'open' });
    const status = await statusOf(p, '/admin/breakers');
    expect([...status.keys()]).toEqual(ids);
    expect([...status.values()].map((s) => s.state)).toEqual(['closed', 'open', 'closed']);
  });

  it('force-closes an open breaker, keeping its last error, and reset forgets everything', async () => {
    const id = unique('cycle');
    const p = proxy(configWith([id], { breaker: { consecutiveFailures: 2 } }));
    const stub = env.BREAKER.getByName(id);
    const options = { ...DEFAULT_BREAKER, consecutiveFailures: 2, openMs: 60_000 };
    for (let i = 0; i < 2; i++) await stub.apply({ type: 'failure', ms: 5, kind: 'network' }, options);
    expect((await statusOf(p)).get(id)?.state).toBe('open');

    const closed = (await (await force(p, id, { action: 'close' })).json()) as ProviderStatus;
    expect(closed).toMatchObject({ state: 'closed', failureRate: 0, windowCalls: 0, nextProbeAt: null });
    expect(closed.lastError?.kind).toBe('network');
    expect((await statusOf(p)).get(id)?.state).toBe('closed');

    await force(p, id, { action: 'open' });
    const reset = (await (await force(p, id, { action: 'reset' })).json()) as ProviderStatus;
    expect(reset).toMatchObject({ state: 'closed', lastError: null, reopens: 0, latencyMs: { p50: null, p95: null } });
  });

  it.each([
    ['not JSON', '{"action":', 'invalid_json'],
    ['an unknown action', { action: 'explode' }, 'invalid_request_body'],
    ['no action', {}, 'invalid_request_body'],
    ['an extra field', { action: 'open', until: 5 }, 'invalid_request_body'],
    ['an array', ['open'], 'invalid_request_body'],
  ])('answers 400 to a body with %s, and changes nothing', async (_name, body, code) => {
    const id = unique('bad');
    const p = proxy(configWith([id]));
    const res = await force(p, id, body);
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe(code);
    expect((await statusOf(p)).get(id)?.state).toBe('closed');
  });

  it('answers 400 to a body that is not declared as JSON', async () => {
    const id = unique('bad');
    const p = proxy(configWith([id]));
    const res = await p.request(`/admin/breakers/${id}`, { method: 'POST', headers: admin, body: '{"action":"open"}' });
    expect(res.status).toBe(400);
  });

  it('answers 404 for a provider that is not configured', async () => {
    const p = proxy(configWith([unique('known')]));
    const res = await force(p, 'nobody', { action: 'open' });
    expect(res.status).toBe(404);
    expect(await errorCode(res)).toBe('provider_not_found');
  });

  it('answers 503 when the breaker object cannot be reached', async () => {
    const id = unique('down');
    const broken = { getByName: () => ({ apply: () => Promise.reject(new Error('object down')) }) };
    const p = proxy(configWith([id]), { BREAKER: broken });
    const res = await force(p, id, { action: 'open' });
    expect(res.status).toBe(503);
    expect(await errorCode(res)).toBe('breaker_unavailable');
  });

  it('routes to a provider at once after it is force-closed (no stale isolate copy)', async () => {
    const id = unique('stale');
    const p = proxy(configWith([id], { breaker: { openMs: 60_000 } }));
    await force(p, id, { action: 'open' });
    // The first request has no local copy yet and goes through; it teaches the isolate "open".
    await (await p.chat(hello())).text();
    await p.settle();
    const skipped = await p.chat(hello());
    await skipped.text();
    expect(skipped.headers.get('x-proxy-source')).not.toBe('provider');
    const callsBefore = p.mock.calls().length;

    expect((await force(p, id, { action: 'close' })).status).toBe(200);
    const served = await p.chat(hello());
    await served.text();
    expect(served.headers.get('x-proxy-source')).toBe('provider');
    expect(p.mock.calls()).toHaveLength(callsBefore + 1);
    await p.settle();
  });
});

describe('GET /status (HTML)', () => {
  it('shows each provider with its state in words', async () => {
    const [ok, open, half] = [unique('ok'), unique('open'), unique('half')];
    const p = proxy(configWith([ok, open, half], { breaker: { openMs: 30 } }));
    await force(p, half, { action: 'open' });
    await sleep(50);
    // openMs is global: widen it for the provider that must stay open.
    const longer = proxy(configWith([ok, open, half], { breaker: { openMs: 60_000 } }));
    await force(longer, open, { action: 'open' });

    const res = await longer.request('/status', { headers: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<meta http-equiv="refresh" content="5"');
    expect(html).toContain('LLM proxy status');
    for (const id of [ok, open, half]) expect(html).toContain(id);
    expect(html).toContain('no traffic yet');
    expect(html).toMatch(/open — next probe in (59|60) s/);
    expect(html).toContain('half-open — probing');
    expect(html).not.toContain('<script');
    // The stylesheet is not entity-escaped (CSS would drop the rule).
    expect(html).toContain('"Segoe UI"');
  });

  it('shows a closed provider with failures in its window as failing', async () => {
    const id = unique('flaky');
    const p = proxy(configWith([id]));
    await env.BREAKER.getByName(id).apply({ type: 'success', ms: 120 }, NEVER_TRIPS);
    await env.BREAKER.getByName(id).apply({ type: 'failure', ms: 80, kind: 'timeout:first_token' }, NEVER_TRIPS);
    const html = await (await p.request('/status', { headers: admin })).text();
    expect(html).toContain('degraded — 50% failing');
    expect(html).toContain('timeout:first_token');
    expect(html).toContain('50% of 2');
  });

  it('escapes what comes from the config', async () => {
    const id = unique('esc');
    const config = configWith([id]);
    (config.models as Record<string, unknown>)['<img src=x onerror=alert(1)>'] = { targets: [{ provider: id, model: 'm' }] };
    const html = await (await proxy(config).request('/status', { headers: admin })).text();
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
