import { env } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forgetLocalBreakers } from '../../src/breaker/client.ts';
import { proxyConfigSchema } from '../../src/config/schema.ts';
import { forgetKeyPools } from '../../src/routing/keys.ts';
import { forgetPins } from '../../src/routing/pins.ts';
import { captureLines, requestLine } from './event-lines.ts';
import { FAST_RETRY, hello, proxyWith } from './harness.ts';

const POOL = { POOL_1: 'sk-pool-one-0123456789abcdef', POOL_2: 'sk-pool-two-0123456789abcdef', POOL_3: 'sk-pool-three-0123456789abcdef' };
const NO_RETRY = { ...FAST_RETRY, maxRetries: 0 };
const BREAKER_DEFAULTS = proxyConfigSchema.parse({ providers: {}, models: {} }).breaker;
let n = 0;
const unique = (name: string) => `${name}-${++n}-${Date.now()}`;

/** A provider on the mock with a scenario and a key pool (or one key). */
const provider = (scenario: string, apiKeyEnv: string | string[] = 'POOL_1') => ({
  protocol: 'openai',
  baseUrl: scenario === '' ? 'http://mock.test/v1' : `http://mock.test/${scenario}/v1`,
  apiKeyEnv,
});

beforeEach(() => {
  forgetKeyPools();
  forgetPins();
  forgetLocalBreakers();
});
afterEach(() => {
  forgetKeyPools();
  forgetPins();
});

/** The bearer keys of the calls the mock got, by pool position name. */
function keysUsed(calls: readonly { authorization: string | null }[]): string[] {
  const byValue = new Map(Object.entries(POOL).map(([name, value]) => [`Bearer ${value}`, name]));
  return calls.map((c) => byValue.get(c.authorization ?? '') ?? 'other');
}

describe('key pools', () => {
  it('uses the keys in turn', async () => {
    const id = unique('turns');
    captureLines();
    const proxy = proxyWith(
      {
        providers: { [id]: provider('', ['POOL_1', 'POOL_2', 'POOL_3']) },
        models: { chat: { targets: [{ provider: id, model: 'm' }] } },
        retry: NO_RETRY,
      },
      POOL,
    );
    for (let i = 0; i < 6; i++) expect((await proxy.chat(hello())).status).toBe(200);
    expect(keysUsed(proxy.mock.calls())).toEqual(['POOL_1', 'POOL_2', 'POOL_3', 'POOL_1', 'POOL_2', 'POOL_3']);
  });

  it('moves to the next key at once when the vendor rejects one, without failing the breaker, and sets it aside', async () => {
    const id = unique('rejected');
    const lines = captureLines();
    const proxy = proxyWith(
      {
        providers: { [id]: provider(`key=${POOL.POOL_2}+${POOL.POOL_3}`, ['POOL_1', 'POOL_2', 'POOL_3']) },
        models: { chat: { targets: [{ provider: id, model: 'm' }] } },
        retry: NO_RETRY,
        status: { public: true },
      },
      { ...POOL, BREAKER: env.BREAKER },
    );
    const first = await proxy.chat(hello(), { headers: { 'x-request-id': 'pool-first' } });
    expect(first.status).toBe(200);
    expect(first.headers.get('x-proxy-attempts')).toBe('2');
    await proxy.settle();
    const attempts = requestLine(lines, 'pool-first')?.attempts as { key?: string; outcome?: string; error?: string }[];
    expect(attempts.map((a) => a.key)).toEqual(['#1 of 3', '#2 of 3']);
    for (let i = 0; i < 8; i++) expect((await proxy.chat(hello())).status).toBe(200);
    await proxy.settle();
    expect(keysUsed(proxy.mock.calls())).toEqual([
      'POOL_1',
      'POOL_2',
      'POOL_3',
      'POOL_2',
      'POOL_3',
      'POOL_2',
      'POOL_3',
      'POOL_2',
      'POOL_3',
      'POOL_2',
    ]);
    const breaker = await env.BREAKER.getByName(id).snapshot();
    expect(breaker.state).toBe('closed');
    expect(breaker.consecutiveFailures).toBe(0);
    expect(breaker.keysSetAside).toMatchObject([{ position: 1, pool: 3, status: 401 }]);
    type Shown = { provider: string; health: string; usable: boolean; key: { state: string; setAside: { position: number }[] } };
    const res = await proxy.request('/status.json');
    expect(res.status).toBe(200);
    const status = (await res.json()) as { providers: Shown[] };
    const shown = status.providers.find((p) => p.provider === id);
    expect(shown?.key.setAside.map((k) => k.position)).toEqual([1]);
    expect(shown?.key.state).toBe('present');
    // Successes reach the object in batches, so it may still call the provider idle; never key_rejected.
    expect(['healthy', 'idle']).toContain(shown?.health);
    expect(shown?.usable).toBe(true);
    const text = JSON.stringify(lines);
    for (const value of Object.values(POOL)) expect(text).not.toContain(value);
  });

  it('sets a rate-limited key aside for its Retry-After and serves from the others', async () => {
    const id = unique('limited');
    const proxy = proxyWith(
      {
        providers: { [id]: provider(`limit-key=${POOL.POOL_1},retry-after=120`, ['POOL_1', 'POOL_2']) },
        models: { chat: { targets: [{ provider: id, model: 'm' }] } },
        retry: NO_RETRY,
      },
      POOL,
    );
    for (let i = 0; i < 5; i++) expect((await proxy.chat(hello())).status).toBe(200);
    expect(keysUsed(proxy.mock.calls())).toEqual(['POOL_1', 'POOL_2', 'POOL_2', 'POOL_2', 'POOL_2', 'POOL_2']);
  });

  it('tries each key once per request, however short the Retry-After, then retries as usual', async () => {
    const id = unique('spin');
    const proxy = proxyWith(
      {
        providers: { [id]: provider(`limit-key=${POOL.POOL_1}+${POOL.POOL_2},retry-after=0`, ['POOL_1', 'POOL_2']) },
        models: { chat: { targets: [{ provider: id, model: 'm' }] } },
        retry: { ...FAST_RETRY, maxRetries: 1 },
      },
      POOL,
    );
    const res = await proxy.chat(hello());
    // Nothing answered: the caller gets the degraded reply (a 200 marked as such).
    expect(res.headers.get('x-proxy-source')).toBe('degraded');
    expect(res.headers.get('x-proxy-attempts')).toBe('3');
    // Key 1, then key 2 at once, then key 2's one retry: a Retry-After of 0 does not make the pool spin.
    expect(keysUsed(proxy.mock.calls())).toEqual(['POOL_1', 'POOL_2', 'POOL_2']);
  });

  it('skips a provider whose every key is set aside and falls back to the next target', async () => {
    const dead = unique('all-aside');
    const backup = unique('backup');
    const lines = captureLines();
    const proxy = proxyWith(
      {
        providers: { [dead]: provider('key=sk-nobody-has-this', ['POOL_1', 'POOL_2']), [backup]: provider('', 'POOL_3') },
        models: {
          chat: {
            targets: [
              { provider: dead, model: 'm' },
              { provider: backup, model: 'b' },
            ],
          },
        },
        retry: NO_RETRY,
      },
      POOL,
    );
    const first = await proxy.chat(hello());
    expect(first.status).toBe(200);
    expect(first.headers.get('x-proxy-provider')).toBe(backup);
    const second = await proxy.chat(hello(), { headers: { 'x-request-id': 'all-aside-second' } });
    expect(second.status).toBe(200);
    await proxy.settle();
    expect(keysUsed(proxy.mock.calls())).toEqual(['POOL_1', 'POOL_2', 'POOL_3', 'POOL_3']);
    const attempts = requestLine(lines, 'all-aside-second')?.attempts as { error?: string; status: number | null }[];
    expect(attempts[0]).toMatchObject({ error: 'keys_set_aside', status: null });
  });
});

describe('balance', () => {
  const twoTargets = (balance: string, scenarios: [string, string], extra: Record<string, unknown>[] = [{}, {}]) => {
    const a = unique('a');
    const b = unique('b');
    const config = {
      providers: { [a]: provider(scenarios[0]), [b]: provider(scenarios[1]) },
      models: {
        chat: {
          balance,
          targets: [
            { provider: a, model: 'm', ...extra[0] },
            { provider: b, model: 'm', ...extra[1] },
          ],
        },
      },
      retry: NO_RETRY,
    };
    return { a, b, config };
  };

  it('weighted: first attempts follow the weights', async () => {
    const { a, config } = twoTargets('weighted', ['', ''], [{ weight: 3 }, { weight: 1 }]);
    const proxy = proxyWith(config, POOL);
    let onA = 0;
    const total = 400;
    for (let i = 0; i < total; i++) {
      const res = await proxy.chat(hello());
      expect(res.headers.get('x-proxy-attempts')).toBe('1');
      if (res.headers.get('x-proxy-provider') === a) onA++;
      await res.text();
    }
    // 3:1 is a 75% share; over 400 draws the standard deviation is ~2.2 points.
    expect(onA / total).toBeGreaterThan(0.65);
    expect(onA / total).toBeLessThan(0.85);
  });

  it('weighted: a target whose breaker is open is not drawn', async () => {
    const { a, b, config } = twoTargets('weighted', ['', ''], [{ weight: 1 }, { weight: 1 }]);
    const proxy = proxyWith(config, { ...POOL, BREAKER: env.BREAKER });
    await env.BREAKER.getByName(a).apply({ type: 'force', action: 'open' }, BREAKER_DEFAULTS);
    // This isolate learns the breaker is open at its first admission of `a`.
    for (let i = 0; i < 5; i++) await (await proxy.chat(hello())).text();
    await proxy.settle();
    for (let i = 0; i < 30; i++) {
      const res = await proxy.chat(hello());
      expect(res.headers.get('x-proxy-provider')).toBe(b);
      expect(res.headers.get('x-proxy-attempts')).toBe('1');
      await res.text();
    }
    expect(proxy.mock.calls().filter((c) => c.model === 'm')).toHaveLength(35);
  });

  it('latency: most first attempts go to the faster target once both are measured', async () => {
    const { b, config } = twoTargets('latency', ['delay=40', ''], [{}, {}]);
    const proxy = proxyWith(config, { ...POOL, BREAKER: env.BREAKER });
    let onB = 0;
    const total = 60;
    for (let i = 0; i < total; i++) {
      const res = await proxy.chat(hello());
      if (res.headers.get('x-proxy-provider') === b) onB++;
      await res.text();
      await proxy.settle();
    }
    // The first two calls measure both; after that 95% go to the fastest (the rest explore).
    expect(onB).toBeGreaterThanOrEqual(total * 0.8);
  });
});

describe('sticky sessions', () => {
  const stickyConfig = (first: string, second: string, balance = 'ordered') => {
    const a = unique('sa');
    const b = unique('sb');
    const config = {
      providers: { [a]: provider(first), [b]: provider(second) },
      models: {
        chat: {
          balance,
          sticky: { ttlSeconds: 600 },
          targets: [
            { provider: a, model: 'm' },
            { provider: b, model: 'm' },
          ],
        },
      },
      retry: NO_RETRY,
    };
    return { a, b, config };
  };
  /** The conversation's turn `i`: the same system prompt and first message, a growing history. */
  const turn = (topic: string, i: number) => ({
    model: 'chat',
    messages: [
      { role: 'system', content: `You help with ${topic}.` },
      { role: 'user', content: `First question about ${topic}` },
      ...Array.from({ length: i }, (_, k) => [
        { role: 'assistant', content: `answer ${k}` },
        { role: 'user', content: `follow-up ${k}` },
      ]).flat(),
    ],
  });

  it('keeps a conversation on the target that answered it, moving once when that target fails', async () => {
    // The first target answers five calls, fails the sixth, then is healthy again.
    const { a, b, config } = stickyConfig(`status=503,after=5,times=1,id=${unique('sticky')}`, '');
    const proxy = proxyWith(config, { ...POOL, SESSIONS: env.SESSIONS });
    const served: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await proxy.chat(turn('gardening', i));
      expect(res.status).toBe(200);
      served.push(res.headers.get('x-proxy-provider') ?? '');
      await res.text();
      await proxy.settle();
    }
    // Turns 1-5 on a; turn 6 falls back to b, and the conversation stays there though a recovered.
    expect(served).toEqual([a, a, a, a, a, b, b, b, b, b, b, b]);
  });

  it('keeps the pin in its object: a fresh isolate reads it back', async () => {
    const { b, config } = stickyConfig(`status=503,times=1,id=${unique('pin-object')}`, '');
    const proxy = proxyWith(config, { ...POOL, SESSIONS: env.SESSIONS });
    const headers = { 'x-session-id': unique('conversation') };
    expect((await proxy.chat(hello(), { headers })).headers.get('x-proxy-provider')).toBe(b);
    await proxy.settle();
    forgetPins();
    const again = await proxy.chat(hello({ messages: [{ role: 'user', content: 'Something else entirely' }] }), { headers });
    expect(again.headers.get('x-proxy-provider')).toBe(b);
    expect(again.headers.get('x-proxy-attempts')).toBe('1');
  });

  it('spreads different conversations by the policy while each stays put', async () => {
    const { a, b, config } = stickyConfig('', '', 'weighted');
    const proxy = proxyWith(config, { ...POOL, SESSIONS: env.SESSIONS });
    const firstTargets = new Set<string>();
    for (let c = 0; c < 12; c++) {
      const seen = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const res = await proxy.chat(turn(`topic ${c}`, i));
        seen.add(res.headers.get('x-proxy-provider') ?? '');
        await res.text();
        await proxy.settle();
      }
      expect(seen.size).toBe(1);
      firstTargets.add([...seen][0] ?? '');
    }
    // Twelve conversations drawn 1:1 land on both targets (all on one: 2 in 4,096).
    expect(firstTargets).toEqual(new Set([a, b]));
  });
});
