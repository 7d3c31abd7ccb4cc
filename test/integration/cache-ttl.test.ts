// Cache TTLs of any positive length: freshness comes from the entry, KV's 60-second floor only bounds physical expiry.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { configFor, hello, KEYS, proxyWith } from './harness.ts';

let n = 0;
const unique = () => hello({ messages: [{ role: 'user', content: `short-lived ${++n} ${Date.now()}` }] });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The test KV namespace, recording the expirationTtl of every write. */
function recordingKv(): { kv: KVNamespace; ttls: number[] } {
  const ttls: number[] = [];
  const kv = {
    get: (key: string, type: 'json') => env.CACHE.get(key, type),
    put: (key: string, value: string, options?: KVNamespacePutOptions) => {
      ttls.push(options?.expirationTtl ?? -1);
      return env.CACHE.put(key, value, options);
    },
  } as unknown as KVNamespace;
  return { kv, ttls };
}

describe('short cache TTLs', () => {
  it('serves a 1-second entry as fresh, then asks the vendor again', async () => {
    const { kv, ttls } = recordingKv();
    const proxy = proxyWith(configFor([{ scenario: '' }], { cache: { ttlSeconds: 1, staleIfErrorSeconds: 0 } }), { ...KEYS, CACHE: kv });
    const body = unique();
    expect((await proxy.chat(body)).headers.get('x-proxy-cache')).toBe('MISS');
    await proxy.settle();
    expect((await proxy.chat(body)).headers.get('x-proxy-cache')).toBe('HIT');
    await sleep(1100);
    const later = await proxy.chat(body);
    expect(later.headers.get('x-proxy-cache')).toBe('MISS');
    expect(later.headers.get('x-proxy-source')).toBe('provider');
    await proxy.settle();
    expect(proxy.mock.calls()).toHaveLength(2);
    // KV refuses expirationTtl below 60: the floor applies to the physical expiry only.
    expect(ttls).toEqual([60, 60]);
  });

  it('keeps a short-lived entry for its stale window and serves it when every target fails', async () => {
    const { kv, ttls } = recordingKv();
    const config = configFor([{ scenario: 'status=503,after=1', extra: { retry: { maxRetries: 0 } } }], {
      cache: { ttlSeconds: 1, staleIfErrorSeconds: 300 },
      degraded: { enabled: false },
    });
    const proxy = proxyWith(config, { ...KEYS, CACHE: kv });
    const body = unique();
    expect((await proxy.chat(body)).headers.get('x-proxy-source')).toBe('provider');
    await proxy.settle();
    await sleep(1100);
    const stale = await proxy.chat(body);
    expect(stale.status).toBe(200);
    expect(stale.headers.get('x-proxy-source')).toBe('stale-cache');
    expect(stale.headers.get('x-proxy-cache')).toBe('STALE');
    expect(ttls).toEqual([301]);
  });

  it('lets a caller ask for a short TTL when minTtlSeconds allows it', async () => {
    const { kv, ttls } = recordingKv();
    const proxy = proxyWith(configFor([{ scenario: '' }], { cache: { minTtlSeconds: 1, staleIfErrorSeconds: 0 } }), { ...KEYS, CACHE: kv });
    const body = unique();
    await (await proxy.chat(body, { headers: { 'x-proxy-cache-ttl': '1' } })).text();
    await proxy.settle();
    await sleep(1100);
    expect((await proxy.chat(body)).headers.get('x-proxy-cache')).toBe('MISS');
    expect(ttls[0]).toBe(60);
  });
});
