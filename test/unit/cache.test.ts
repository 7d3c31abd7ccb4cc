import { describe, expect, it } from 'vitest';
import { CHAT_KEY_FIELDS, cacheKey, canonicalJson, pickFields } from '../../src/cache/key.ts';
import { type CacheEntry, cacheControls, freshness } from '../../src/cache/store.ts';
import { parseConfig } from '../../src/config/load.ts';

const chatKey = (body: Record<string, unknown>, client = 'public', version = 'v0') =>
  cacheKey('chat', client, version, canonicalJson(pickFields(body, CHAT_KEY_FIELDS)));
const base = { model: 'chat', messages: [{ role: 'user', content: 'hi' }], temperature: 0.2 };

describe('canonicalJson', () => {
  it('sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'z' } })).toBe('{"a":{"c":"z","d":[1,{"x":1,"y":2}]},"b":1}');
  });
  it('drops undefined fields but keeps array positions', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
  });
});

describe('cache keys', () => {
  it('does not depend on field order', async () => {
    const reordered = { temperature: 0.2, messages: [{ content: 'hi', role: 'user' }], model: 'chat' };
    expect(await chatKey(reordered)).toBe(await chatKey(base));
  });

  it.each([
    ['stream', true],
    ['stream_options', { include_usage: true }],
    ['user', 'u-1'],
    ['metadata', { a: 'b' }],
    ['store', true],
  ])('ignores %s', async (field, value) => {
    expect(await chatKey({ ...base, [field]: value })).toBe(await chatKey(base));
  });

  it.each([
    ['temperature', 0.3],
    ['max_tokens', 10],
    ['tools', [{ type: 'function', function: { name: 'f' } }]],
    ['seed', 1],
    ['model', 'other'],
  ])('changes with %s', async (field, value) => {
    expect(await chatKey({ ...base, [field]: value })).not.toBe(await chatKey(base));
  });

  it('changes with the message text', async () => {
    expect(await chatKey({ ...base, messages: [{ role: 'user', content: 'hi!' }] })).not.toBe(await chatKey(base));
  });

  it('keeps tenants and config versions apart', async () => {
    const key = await chatKey(base);
    expect(key).toMatch(/^v1:public:v0:chat:[0-9a-f]{64}$/);
    expect(await chatKey(base, 'web')).not.toBe(key);
    expect(await chatKey(base, 'public', 'v1')).not.toBe(key);
  });

  it('treats null like an absent field', async () => {
    expect(await chatKey({ ...base, seed: null })).toBe(await chatKey(base));
  });
});

describe('cacheControls', () => {
  const result = parseConfig({ providers: {}, models: {} });
  if (!result.ok) throw new Error('invalid');
  const config = result.config.raw.cache;

  it.each([
    [undefined, undefined, { lookup: true, store: true, ttlSeconds: 3600 }],
    ['no-cache', undefined, { lookup: false, store: true, ttlSeconds: 3600 }],
    ['no-store', undefined, { lookup: false, store: false, ttlSeconds: 3600 }],
    ['max-age=0, No-Store', undefined, { lookup: false, store: false, ttlSeconds: 3600 }],
    [undefined, '120', { lookup: true, store: true, ttlSeconds: 120 }],
    [undefined, '5', { lookup: true, store: true, ttlSeconds: 60 }],
    [undefined, '99999999', { lookup: true, store: true, ttlSeconds: 604800 }],
    [undefined, 'soon', { lookup: true, store: true, ttlSeconds: 3600 }],
  ])('reads Cache-Control %s and x-proxy-cache-ttl %s', (cc, ttl, expected) => {
    expect(cacheControls(cc, ttl, config)).toEqual(expected);
  });

  it('turns everything off when the cache is disabled', () => {
    expect(cacheControls(undefined, undefined, { ...config, enabled: false })).toMatchObject({ lookup: false, store: false });
  });
});

describe('freshness', () => {
  const entry: CacheEntry = { v: 1, storedAt: 1_000_000, ttl: 60, body: '{}', provider: 'p', model: 'm' };
  it.each([
    [1_000_000, 'fresh', 0],
    [1_059_999, 'fresh', 59],
    [1_060_000, 'stale', 60],
    [1_000_000 + 60_000 + 99_999, 'stale', 159],
    [1_000_000 + 60_000 + 100_000, 'miss', undefined],
  ])('at %i the entry is %s', (now, state, age) => {
    const lookup = freshness(entry, now, 100);
    expect(lookup.state).toBe(state);
    if (lookup.state !== 'miss') expect(lookup.ageSeconds).toBe(age);
  });
});
