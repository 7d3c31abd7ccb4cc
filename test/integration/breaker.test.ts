import { env, evictDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { forgetLocalBreakers } from '../../src/breaker/client.ts';
import { proxyConfigSchema } from '../../src/config/schema.ts';
import { configFor, hello, KEYS, proxyWith } from './harness.ts';

const options = proxyConfigSchema.parse({ providers: {}, models: {} }).breaker;
let n = 0;
const unique = (name: string) => `${name}-${++n}-${Date.now()}`;
const BREAKER_OPTIONS = { consecutiveFailures: 3, minCalls: 50, openMs: 60_000, halfOpenProbes: 1 };
const withBreakers = (config: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  proxyWith({ ...config, breaker: BREAKER_OPTIONS }, { ...KEYS, BREAKER: env.BREAKER, ...extra });

describe('the breaker Durable Object', () => {
  it('applies the policy and keeps its state across an eviction', async () => {
    const id = unique('object');
    const stub = env.BREAKER.getByName(id);
    for (let i = 0; i < options.consecutiveFailures; i++) await stub.apply({ type: 'failure', ms: 5, kind: 'http:503' }, options);
    expect((await stub.snapshot()).state).toBe('open');
    await evictDurableObject(stub);
    const again = env.BREAKER.getByName(id);
    expect((await again.snapshot()).state).toBe('open');
    expect((await again.apply({ type: 'probe' }, options)).granted).toBe(false);
    expect((await again.apply({ type: 'force', action: 'reset' }, options)).state.state).toBe('closed');
  });

  it('grants one probe at a time when half-open', async () => {
    const stub = env.BREAKER.getByName(unique('probe'));
    const fast = { ...options, openMs: 1 };
    await stub.apply({ type: 'force', action: 'open' }, fast);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const grants = await Promise.all(Array.from({ length: 10 }, () => stub.apply({ type: 'probe' }, fast)));
    expect(grants.filter((g) => g.granted)).toHaveLength(1);
  });
});

describe('fallback with breakers', () => {
  it('stops calling a dead provider once its breaker opens', async () => {
    const dead = unique('dead');
    const proxy = withBreakers(
      configFor([
        { id: dead, scenario: 'status=503', extra: { retry: { maxRetries: 0 } } },
        { id: unique('ok'), scenario: '' },
      ]),
    );
    const skipped: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await proxy.chat(hello());
      expect(res.status).toBe(200);
      const body = await res.text();
      if (res.headers.get('x-proxy-attempts') === '1') skipped.push(body);
      await proxy.settle();
    }
    const deadCalls = proxy.mock.calls().filter((c) => c.model === `model-${dead}`);
    expect(deadCalls).toHaveLength(BREAKER_OPTIONS.consecutiveFailures);
    expect(skipped).toHaveLength(20 - BREAKER_OPTIONS.consecutiveFailures);
    expect((await env.BREAKER.getByName(dead).snapshot()).state).toBe('open');
  });

  it('stops retrying a target whose breaker opened during the request', async () => {
    const dead = unique('retry');
    const proxy = withBreakers(
      configFor([
        { id: dead, scenario: 'status=503', extra: { retry: { maxRetries: 10 } } },
        { id: unique('ok'), scenario: '' },
      ]),
    );
    const res = await proxy.chat(hello());
    expect(res.status).toBe(200);
    expect(proxy.mock.calls().filter((c) => c.model === `model-${dead}`)).toHaveLength(BREAKER_OPTIONS.consecutiveFailures);
  });

  it('goes straight to the degraded reply, calling no vendor, when every breaker is open', async () => {
    const a = unique('open-a');
    const b = unique('open-b');
    for (const id of [a, b]) await env.BREAKER.getByName(id).apply({ type: 'force', action: 'open' }, options);
    const proxy = withBreakers(
      configFor([
        { id: a, scenario: '' },
        { id: b, scenario: '' },
      ]),
    );
    // This isolate has never seen a or b: it asks their objects first, so not even one call leaks.
    const res = await proxy.chat(hello());
    expect(res.headers.get('x-proxy-source')).toBe('degraded');
    expect(res.headers.get('x-proxy-attempts')).toBe('0');
    expect(proxy.mock.calls()).toHaveLength(0);
  });

  it('never counts a client error against the provider', async () => {
    const id = unique('client-error');
    const proxy = withBreakers(configFor([{ id, scenario: 'status=400' }]));
    for (let i = 0; i < 5; i++) {
      expect((await proxy.chat(hello())).status).toBe(400);
      await proxy.settle();
    }
    expect((await env.BREAKER.getByName(id).snapshot()).state).toBe('closed');
  });

  it('counts a stream cut after the commit point as a failure', async () => {
    const id = unique('cut');
    const proxy = withBreakers(configFor([{ id, scenario: 'cut-after=1' }]));
    await (await proxy.chat(hello({ stream: true }))).text();
    await proxy.settle();
    expect((await env.BREAKER.getByName(id).snapshot()).lastError?.kind).toBe('stream:stream_interrupted');
  });

  it('sends successes to the object in batches, not one call per request', async () => {
    const id = unique('batched');
    let applies = 0;
    const counting = {
      getByName: (name: string) => {
        const stub = env.BREAKER.getByName(name);
        return {
          snapshot: () => stub.snapshot(),
          apply: (...args: Parameters<typeof stub.apply>) => {
            applies++;
            return stub.apply(...args);
          },
        };
      },
    };
    const proxy = proxyWith({ ...configFor([{ id, scenario: '' }]), breaker: BREAKER_OPTIONS }, { ...KEYS, BREAKER: counting });
    for (let i = 0; i < 10; i++) {
      await (await proxy.chat(hello())).text();
      await proxy.settle();
    }
    expect(applies).toBeLessThanOrEqual(2);
  });

  it('still serves requests when the breaker object fails', async () => {
    forgetLocalBreakers();
    const broken = {
      getByName: () => ({
        apply: () => Promise.reject(new Error('object down')),
        snapshot: () => Promise.reject(new Error('object down')),
      }),
    };
    const proxy = proxyWith(
      { ...configFor([{ id: unique('broken'), scenario: '' }]), breaker: BREAKER_OPTIONS },
      { ...KEYS, BREAKER: broken },
    );
    for (let i = 0; i < 3; i++) {
      const res = await proxy.chat(hello());
      expect(res.status).toBe(200);
      expect(res.headers.get('x-proxy-source')).toBe('provider');
      await proxy.settle();
    }
  });

  it('still serves requests when the breaker object never answers', async () => {
    const hanging = { getByName: () => ({ apply: () => new Promise(() => {}), snapshot: () => new Promise(() => {}) }) };
    const id = unique('hanging');
    const proxy = proxyWith({ ...configFor([{ id, scenario: '' }]), breaker: BREAKER_OPTIONS }, { ...KEYS, BREAKER: hanging });
    const res = await proxy.chat(hello());
    expect(res.status).toBe(200);
    await proxy.settle();
  });
});
