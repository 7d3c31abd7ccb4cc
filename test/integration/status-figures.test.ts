// /status.json and /status after real traffic in workerd: keys missing or rejected, success rate, latency and TTFT percentiles, rescues, spend.
import { env } from 'cloudflare:test';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ProviderStatus, StatusReport } from '../../src/routes/breaker-status.ts';
import { sha256Hex } from '../../src/sha256.ts';
import { setLeaseTiming } from '../../src/spend/reservations.ts';
import { captureLines } from './event-lines.ts';
import { configFor, hello, KEYS, proxyWith, sseData } from './harness.ts';

const ADMIN = 'status-admin-token-8e21';
const admin = { authorization: `Bearer ${ADMIN}` };
let n = 0;
const unique = (name: string) => `${name}-${++n}-${Date.now()}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const BINDINGS = { ...KEYS, BREAKER: env.BREAKER, BUDGET: env.BUDGET, PROXY_ADMIN_TOKEN: ADMIN };

afterEach(() => {
  vi.restoreAllMocks();
});

async function report(proxy: ReturnType<typeof proxyWith>, headers: Record<string, string> = admin): Promise<StatusReport> {
  const res = await proxy.request('/status.json', { headers });
  expect(res.status).toBe(200);
  return (await res.json()) as StatusReport;
}

async function statusOf(proxy: ReturnType<typeof proxyWith>, id: string): Promise<ProviderStatus | undefined> {
  return (await report(proxy)).providers.find((p) => p.provider === id);
}

/** Successes reach the breaker object in batches, one a second per provider: wait one out, then send one more. */
async function flushSuccesses(proxy: ReturnType<typeof proxyWith>, send: () => Promise<void>): Promise<void> {
  await sleep(1100);
  await send();
  await proxy.settle();
}

describe('keys on the status page', () => {
  it('shows a provider whose key is missing as not usable, never healthy', async () => {
    captureLines();
    const [keyless, fine] = [unique('keyless'), unique('fine')];
    const proxy = proxyWith(
      configFor([
        { id: keyless, scenario: '', key: 'MOCK_B_KEY' },
        { id: fine, scenario: '' },
      ]),
      {
        ...BINDINGS,
        MOCK_B_KEY: undefined,
      },
    );
    await (await proxy.chat(hello())).text();
    await proxy.settle();
    const status = await statusOf(proxy, keyless);
    expect(status).toMatchObject({
      health: 'no_key',
      usable: false,
      state: 'closed',
      key: { state: 'missing', env: 'MOCK_B_KEY', rejected: null },
    });
    const html = await (await proxy.request('/status', { headers: admin })).text();
    const row = html.slice(html.indexOf(`data-provider="${keyless}"`), html.indexOf('</tr>', html.indexOf(`data-provider="${keyless}"`)));
    expect(row).toContain('no key — not usable');
    expect(row).toContain('data-usable="false"');
    expect(row).not.toContain('healthy');
  });

  it('shows a key the vendor rejected as not usable, with its status', async () => {
    captureLines();
    const refused = unique('refused');
    const proxy = proxyWith(configFor([{ id: refused, scenario: 'status=401' }, { scenario: '' }]), BINDINGS);
    await (await proxy.chat(hello())).text();
    await proxy.settle();
    const status = await statusOf(proxy, refused);
    expect(status).toMatchObject({
      health: 'key_rejected',
      usable: false,
      key: { state: 'rejected', env: 'MOCK_A_KEY', rejected: { position: 1, pool: 1, status: 401 } },
    });
    expect(await (await proxy.request('/status', { headers: admin })).text()).toContain('key rejected — not usable');
  });
});

describe('recent traffic on the status page', () => {
  it('shows success rate, p50/p95 latency and time to first token after streamed traffic', async () => {
    captureLines();
    const id = unique('streams');
    const proxy = proxyWith(configFor([{ id, scenario: 'first-token-delay=40,token-delay=5' }]), BINDINGS);
    const send = async () => {
      const datas = await sseData(await proxy.chat(hello({ stream: true })));
      expect(datas.at(-1)).toBe('[DONE]');
    };
    for (let i = 0; i < 4; i++) await send();
    await proxy.settle();
    await flushSuccesses(proxy, send);
    const status = await statusOf(proxy, id);
    expect(status).toMatchObject({ health: 'healthy', usable: true, successRate: 1, recentCalls: 5 });
    const { ttftMs, latencyMs } = status as ProviderStatus;
    expect(ttftMs.p50).toBeGreaterThanOrEqual(40);
    expect(ttftMs.p95).toBeGreaterThanOrEqual(ttftMs.p50 as number);
    expect(latencyMs.p50).toBeGreaterThan(ttftMs.p50 as number);
    const html = await (await proxy.request('/status', { headers: admin })).text();
    expect(html).toMatch(/\d+ ms \/ \d+ ms/);
    expect(html).toContain('100% of 5');
  });

  it('keeps the success rate of an open breaker instead of showing "no calls"', async () => {
    captureLines();
    const dead = unique('dead');
    const config = configFor([{ id: dead, scenario: 'status=503', extra: { retry: { maxRetries: 0 } } }, { scenario: '' }], {
      breaker: { consecutiveFailures: 2, minCalls: 50, openMs: 60_000 },
    });
    const proxy = proxyWith(config, BINDINGS);
    for (let i = 0; i < 2; i++) {
      await (await proxy.chat(hello())).text();
      await proxy.settle();
    }
    expect(await statusOf(proxy, dead)).toMatchObject({
      state: 'open',
      health: 'down',
      usable: false,
      successRate: 0,
      recentCalls: 2,
      windowCalls: 0,
    });
  });

  it('counts a rescued stream for the provider that broke and the one that continued it', async () => {
    captureLines();
    const [broken, rescuer] = [unique('broken'), unique('rescuer')];
    const proxy = proxyWith(
      configFor([
        { id: broken, scenario: 'cut-after=2' },
        { id: rescuer, scenario: '', extra: { prefill: true } },
      ]),
      BINDINGS,
    );
    const datas = await sseData(await proxy.chat(hello({ stream: true })));
    expect(datas.at(-1)).toBe('[DONE]');
    await proxy.settle();
    expect((await statusOf(proxy, broken))?.rescues).toMatchObject({ rescued: 1, rescuer: 0 });
    expect((await statusOf(proxy, broken))?.ttftMs.p50).not.toBeNull();
    await flushSuccesses(proxy, async () => {});
    expect((await statusOf(proxy, rescuer))?.rescues).toMatchObject({ rescued: 0, rescuer: 1 });
  });
});

describe("the day's spend per client", () => {
  // Leases close and report their use at once, so the spend shows after settle().
  beforeAll(() => setLeaseTiming({ openMs: 20, reportMs: 5 }));
  afterAll(() => setLeaseTiming());

  async function budgeted(statusPublic: boolean) {
    const name = unique('web');
    const secret = `sk-client-${name}`;
    const config = configFor([{ scenario: '', extra: { pricing: { input: 1, output: 2 } } }], {
      auth: { mode: 'keys', keys: [{ name, sha256: await sha256Hex(secret), dailyTokens: 100_000, dailyUsd: 5 }] },
      status: { public: statusPublic },
    });
    const proxy = proxyWith(config, BINDINGS);
    expect((await proxy.chat(hello(), { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);
    await proxy.settle();
    return { proxy, name, secret };
  }

  it('shows the admin what each client with a budget spent today', async () => {
    captureLines();
    const { proxy, name, secret } = await budgeted(false);
    const spend = (await report(proxy)).spend;
    expect(spend?.day).toBe(new Date().toISOString().slice(0, 10));
    expect(spend?.clients).toEqual([
      {
        client: name,
        tokens: expect.any(Number),
        usd: expect.any(Number),
        reserved: { tokens: 0, usd: 0 },
        budget: { tokens: 100_000, usd: 5 },
      },
    ]);
    expect(spend?.clients[0]?.tokens).toBeGreaterThan(0);
    const html = await (await proxy.request('/status', { headers: admin })).text();
    expect(html).toContain('Spend today');
    expect(html).toContain(`data-client="${name}"`);
    expect(html).not.toContain(secret);
  });

  it('hides the spend on a public page from anyone without the admin token', async () => {
    captureLines();
    const { proxy } = await budgeted(true);
    expect((await report(proxy, {})).spend).toBeUndefined();
    expect(await (await proxy.request('/status')).text()).not.toContain('Spend today');
    expect((await report(proxy)).spend?.clients).toHaveLength(1);
  });
});
