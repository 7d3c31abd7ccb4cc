// Budgets by reservation (daily tokens and USD, tokens per minute) on the real budget Durable Object in workerd.
import { env } from 'cloudflare:test';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { sha256Hex } from '../../src/sha256.ts';
import { estimateInputTokens } from '../../src/spend/estimate.ts';
import { dayName } from '../../src/spend/periods.ts';
import { forgetLeases, setLeaseTiming } from '../../src/spend/reservations.ts';
import { configFor, hello, KEYS, proxyWith, sseData } from './harness.ts';

const BINDINGS = { ...KEYS, BUDGET: env.BUDGET };
let n = 0;
/** A client name never used before in this run (objects outlive a test). */
const fresh = (prefix: string) => `${prefix}-${Date.now()}-${++n}`;
const state = (name: string) => env.BUDGET.getByName(dayName(name, Date.now())).state();
/** The worst case of `hello()` for a client whose output cap is `cap`: estimated input plus the cap. */
const worstOf = (cap: number) => estimateInputTokens(hello()) + cap;

async function keyed(key: Record<string, unknown>, targets = [{ scenario: '' }] as Parameters<typeof configFor>[0], overrides = {}) {
  const secret = `sk-proxy-${String(key.name)}`;
  const config = configFor(targets, { auth: { mode: 'keys', keys: [{ sha256: await sha256Hex(secret), ...key }] }, ...overrides });
  return { config, headers: { authorization: `Bearer ${secret}` } };
}

function captureLog(): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
    if (typeof line === 'string' && line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  return lines;
}

beforeAll(() => setLeaseTiming({ openMs: 40, reportMs: 10 }));
afterAll(() => setLeaseTiming());
afterEach(() => {
  vi.restoreAllMocks();
  forgetLeases();
});

describe('a daily token budget', () => {
  it('never lets 20 concurrent requests together hold more than the budget, and refused ones never reach the vendor', async () => {
    const name = fresh('burst');
    const budget = 600;
    const { config, headers } = await keyed({ name, dailyTokens: budget, maxTokens: 64 }, [{ scenario: 'delay=150' }]);
    const proxy = proxyWith(config, BINDINGS);
    const answers = await Promise.all(Array.from({ length: 20 }, () => proxy.chat(hello(), { headers })));
    const admitted = answers.filter((r) => r.status === 200).length;
    const refused = answers.filter((r) => r.status === 429);
    expect(admitted).toBeGreaterThanOrEqual(1);
    expect(admitted * worstOf(64)).toBeLessThanOrEqual(budget);
    expect(refused.length).toBe(20 - admitted);
    expect(proxy.mock.calls()).toHaveLength(admitted);
    // Refused by what the admitted ones hold, not by spending: they may retry in seconds.
    for (const res of refused) {
      expect(res.headers.get('retry-after')).toBe('2');
      expect(res.headers.get('x-should-retry')).toBeNull();
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('daily_budget_exceeded');
    }
    for (const res of answers) if (res.status === 200) await res.text();
    await proxy.settle();
    // Settled with the real use: far less than the worst cases held, and nothing left held.
    const after = await state(name);
    expect(after.reserved).toEqual({ tokens: 0, usd: 0 });
    expect(after.spent.tokens).toBeGreaterThan(0);
    expect(after.spent.tokens).toBeLessThan(admitted * worstOf(64));
    // What was not used returned to the budget: the next request fits again.
    expect((await proxy.chat(hello(), { headers })).status).toBe(200);
  });

  it('refuses a request whose worst case does not fit, before any upstream call, until UTC midnight', async () => {
    const name = fresh('big');
    const { config, headers } = await keyed({ name, dailyTokens: 100 });
    const proxy = proxyWith(config, BINDINGS);
    const res = await proxy.chat(hello(), { headers });
    expect(res.status).toBe(429);
    const midnight = Math.ceil((Math.floor(Date.now() / 86_400_000) * 86_400_000 + 86_400_000 - Date.now()) / 1000);
    expect(Math.abs(Number(res.headers.get('retry-after')) - midnight)).toBeLessThanOrEqual(2);
    expect(proxy.mock.calls()).toHaveLength(0);
    // A request asking for fewer output tokens fits.
    expect((await proxy.chat(hello({ max_tokens: 16 }), { headers })).status).toBe(200);
  });

  it('settles a stream cut mid-way with the use seen: its estimated input and the text it sent', async () => {
    const name = fresh('cut');
    const { config, headers } = await keyed({ name, dailyTokens: 100_000, maxTokens: 64 }, [
      { scenario: 'cut-after=2', extra: { retry: { maxRetries: 0 } } },
    ]);
    const proxy = proxyWith(config, BINDINGS);
    const datas = await sseData(await proxy.chat(hello({ stream: true }), { headers }));
    expect(datas.at(-1)).toContain('"error"');
    await proxy.settle();
    const after = await state(name);
    expect(after.reserved).toEqual({ tokens: 0, usd: 0 });
    expect(after.spent.tokens).toBe(estimateInputTokens({ ...hello({ stream: true }) }) + 2);
  });

  it('charges nothing for cache hits and degraded replies', async () => {
    const name = fresh('free');
    const { config, headers } = await keyed({ name, dailyTokens: 100_000, maxTokens: 64 });
    const proxy = proxyWith(config, { ...BINDINGS, CACHE: env.CACHE });
    const body = hello({ messages: [{ role: 'user', content: `budget cache ${name}` }] });
    await (await proxy.chat(body, { headers })).text();
    await proxy.settle();
    const once = await state(name);
    const hit = await proxy.chat(body, { headers });
    expect(hit.headers.get('x-proxy-cache')).toBe('HIT');
    await hit.text();
    await proxy.settle();
    expect(await state(name)).toEqual(once);

    const down = fresh('down');
    const broken = await keyed({ name: down, dailyTokens: 100_000, maxTokens: 64 }, [{ scenario: 'status=503' }], {
      retry: { maxRetries: 0 },
    });
    const degraded = proxyWith(broken.config, BINDINGS);
    const reply = await degraded.chat(hello(), { headers: broken.headers });
    expect(reply.headers.get('x-proxy-source')).toBe('degraded');
    await reply.text();
    await degraded.settle();
    expect(await state(down)).toEqual({ spent: { tokens: 0, usd: 0 }, reserved: { tokens: 0, usd: 0 } });
  });

  it('refuses a client whose day is spent again without asking its object', async () => {
    const name = fresh('spent');
    const { config, headers } = await keyed({ name, dailyTokens: 50, maxTokens: 64 });
    let calls = 0;
    const counting = {
      getByName: (id: string) => {
        calls += 1;
        return env.BUDGET.getByName(id);
      },
    };
    const proxy = proxyWith(config, { ...KEYS, BUDGET: counting });
    for (let i = 0; i < 4; i++) expect((await proxy.chat(hello(), { headers })).status).toBe(429);
    expect(calls).toBe(1);
  });
});

describe('a daily USD budget', () => {
  it('reserves the worst case at the first target pricing', async () => {
    const name = fresh('usd');
    const pricing = { input: 10_000, output: 10_000 };
    const { config, headers } = await keyed({ name, dailyUsd: 1, maxTokens: 64 }, [{ scenario: 'delay=100', extra: { pricing } }]);
    const proxy = proxyWith(config, BINDINGS);
    // ~86 tokens at $0.01 a token: $0.86 of a $1 day, so of two requests at once only one fits.
    const answers = await Promise.all([proxy.chat(hello(), { headers }), proxy.chat(hello(), { headers })]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 429]);
    const refused = answers.find((r) => r.status === 429) as Response;
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('daily budget of $1.00');
    expect(proxy.mock.calls()).toHaveLength(1);
  });
});

describe('tokens per minute', () => {
  it('holds concurrent requests within the minute and tells the refused to retry within it', async () => {
    const name = fresh('tpm');
    const { config, headers } = await keyed({ name, tpm: 200, maxTokens: 64 }, [{ scenario: 'delay=150' }]);
    const proxy = proxyWith(config, BINDINGS);
    const answers = await Promise.all(Array.from({ length: 6 }, () => proxy.chat(hello(), { headers })));
    const admitted = answers.filter((r) => r.status === 200).length;
    expect(admitted).toBeGreaterThanOrEqual(1);
    expect(admitted * worstOf(64)).toBeLessThanOrEqual(200);
    const refused = answers.filter((r) => r.status === 429);
    expect(refused.length).toBe(6 - admitted);
    for (const res of refused) {
      expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('tokens_per_minute_exceeded');
    }
    expect(proxy.mock.calls()).toHaveLength(admitted);
  });
});

describe('the output cap', () => {
  it.each([
    ['an OpenAI-compatible target, as max_tokens', { scenario: '' }, 'max_tokens'],
    ['an Anthropic target of an OpenAI caller, as max_tokens', { scenario: '', protocol: 'anthropic' as const }, 'max_tokens'],
  ])('reaches %s when the request names no limit', async (_name, target, field) => {
    const { config, headers } = await keyed({ name: fresh('cap'), maxTokens: 64 }, [target]);
    const proxy = proxyWith(config, BINDINGS);
    await (await proxy.chat(hello(), { headers })).text();
    expect(proxy.mock.calls()[0]?.body).toMatchObject({ [field]: 64 });
  });

  it('reaches an openai-preset target as max_completion_tokens', async () => {
    const { config, headers } = await keyed({ name: fresh('cap'), maxTokens: 64 });
    (config.providers as Record<string, Record<string, unknown>>).p1 = {
      preset: 'openai',
      baseUrl: 'http://mock.test/v1',
      apiKeyEnv: 'MOCK_A_KEY',
    };
    const proxy = proxyWith(config, BINDINGS);
    await (await proxy.chat(hello(), { headers })).text();
    expect(proxy.mock.calls()[0]?.body).toMatchObject({ max_completion_tokens: 64 });
  });
});

describe('a rescued stream', () => {
  it('is priced per target that produced its tokens', async () => {
    const lines = captureLog();
    const free = { input: 0, output: 0 };
    const dear = { input: 1_000_000, output: 1_000_000 };
    const config = configFor([
      { scenario: 'cut-after=2', extra: { pricing: free, retry: { maxRetries: 0 } } },
      { scenario: '', extra: { pricing: dear, prefill: true } },
    ]);
    const proxy = proxyWith(config, BINDINGS);
    const res = await proxy.chat(hello({ stream: true }));
    await sseData(res);
    await proxy.settle();
    const line = lines.find((l) => l.msg === 'request' && l.requestId === res.headers.get('x-request-id')) as {
      cost: number;
      usage: { total_tokens: number };
      rescues: unknown[];
    };
    expect(line.rescues).toHaveLength(1);
    // The broken part cost nothing, the rescuer's part a dollar a token: more than zero (first target's pricing for all),
    // less than the whole answer at the rescuer's pricing.
    expect(line.cost).toBeGreaterThan(0);
    expect(line.cost).toBeLessThan(line.usage.total_tokens);
  });
});

describe('GET /admin/budgets', () => {
  const ADMIN = 'admin-token-for-budgets-0123456789';
  it("shows the admin each client's day and minute: spent, reserved, left and when it resets", async () => {
    const name = fresh('admin');
    const { config, headers } = await keyed({ name, dailyTokens: 10_000, tpm: 5000, maxTokens: 64 });
    const proxy = proxyWith(config, { ...BINDINGS, PROXY_ADMIN_TOKEN: ADMIN });
    await (await proxy.chat(hello(), { headers })).text();
    await proxy.settle();
    const auth = { headers: { authorization: `Bearer ${ADMIN}` } };
    interface Period {
      limits: unknown;
      spent: { tokens: number };
      reserved: unknown;
      left: unknown;
      resetsAt: number;
    }
    const one = (await (await proxy.request(`/admin/budgets/${name}`, auth)).json()) as { day: Period; minute?: Period };
    expect(one.day).toMatchObject({ limits: { tokens: 10_000 }, reserved: { tokens: 0, usd: 0 } });
    const spent = one.day.spent.tokens;
    expect(spent).toBeGreaterThan(0);
    expect(one.day.left).toEqual({ tokens: 10_000 - spent });
    expect(one.minute).toMatchObject({ limits: { tokens: 5000 } });
    expect(one.day.resetsAt).toBe(Math.floor(Date.now() / 86_400_000) * 86_400_000 + 86_400_000);
    const all = (await (await proxy.request('/admin/budgets', auth)).json()) as { clients: { client: string }[] };
    expect(all.clients.map((c) => c.client)).toEqual([name]);
    expect((await proxy.request('/admin/budgets/nobody', auth)).status).toBe(404);
    expect((await proxy.request(`/admin/budgets/${name}`)).status).toBe(401);
  });
});
