// Cache keys (what identifies an answer, per caller protocol), request controls and entry freshness.
import { describe, expect, it } from 'vitest';
import { cacheKey, canonicalJson, canonicalOrUncacheable } from '../../src/cache/key.ts';
import { type CacheEntry, cacheControls, freshness } from '../../src/cache/store.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { CallerRequest } from '../../src/protocols/adapter.ts';
import { embeddingsCaller } from '../../src/protocols/openai-chat/embeddings.ts';
import { httpWith, parseChat, parseMessages } from './helpers/config.ts';

const keyOf = (request: CallerRequest, client = 'public', version = 'v0') =>
  cacheKey(request.caller.id, client, version, canonicalJson(request.cacheIdentity()));
const chatKey = (body: Record<string, unknown>, client?: string, version?: string) => keyOf(parseChat(body), client, version);
const base = { model: 'chat', messages: [{ role: 'user', content: 'hi' }], temperature: 0.2 };

describe('canonicalJson', () => {
  it('sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'z' } })).toBe('{"a":{"c":"z","d":[1,{"x":1,"y":2}]},"b":1}');
  });
  it('drops undefined fields but keeps array positions', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
  });
  it('gives no key for a body nested too deeply to canonicalise, so it is served uncached', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(canonicalOrUncacheable({ messages: deep })).toBeUndefined();
  });
});

describe('cache keys of chat requests', () => {
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
    ['service_tier', 'flex'],
    ['safety_identifier', 'h-1'],
    ['prompt_cache_key', 'k-1'],
  ])('ignores %s', async (field, value) => {
    expect(await chatKey({ ...base, [field]: value })).toBe(await chatKey(base));
  });

  it.each([
    ['temperature', 0.3],
    ['max_tokens', 10],
    ['tools', [{ type: 'function', function: { name: 'f' } }]],
    ['seed', 1],
    ['model', 'other'],
    ['enable_thinking', true],
    ['x_future_field', 1],
  ])('changes with %s', async (field, value) => {
    expect(await chatKey({ ...base, [field]: value })).not.toBe(await chatKey(base));
  });

  it('changes with the message text', async () => {
    expect(await chatKey({ ...base, messages: [{ role: 'user', content: 'hi!' }] })).not.toBe(await chatKey(base));
  });

  it('keeps tenants, config versions and caller protocols apart', async () => {
    const key = await chatKey(base);
    expect(key).toMatch(/^v2:public:v0:openai-chat:[0-9a-f]{64}$/);
    expect(await chatKey(base, 'web')).not.toBe(key);
    expect(await chatKey(base, 'public', 'v1')).not.toBe(key);
    const identity = canonicalJson(parseChat(base).cacheIdentity());
    expect(await cacheKey('anthropic-messages', 'public', 'v0', identity)).not.toBe(key);
  });

  it('treats null like an absent field', async () => {
    expect(await chatKey({ ...base, seed: null })).toBe(await chatKey(base));
  });

  it('is the body without its non-semantic fields, never changing the body itself', () => {
    const body = { ...base, stream: true, user: 'u' };
    const request = parseChat(body);
    expect(request.cacheIdentity()).toEqual(base);
    expect(request.body).toEqual({ ...base, stream: true, user: 'u' });
  });
});

describe('cache keys of Messages requests', () => {
  const messages = { model: 'chat', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };
  const key = (body: Record<string, unknown>, beta?: string) =>
    keyOf(parseMessages(body, httpWith(beta === undefined ? {} : { 'anthropic-beta': beta })));

  it.each([
    ['stream', true],
    ['metadata', { user_id: 'u-1' }],
    ['service_tier', 'auto'],
  ])('ignores %s', async (field, value) => {
    expect(await key({ ...messages, [field]: value })).toBe(await key(messages));
  });

  it.each([
    ['thinking', { type: 'adaptive' }],
    ['output_config', { effort: 'low' }],
    ['context_management', { edits: [] }],
    ['system', 'Be brief.'],
  ])('changes with %s', async (field, value) => {
    expect(await key({ ...messages, [field]: value })).not.toBe(await key(messages));
  });

  it('changes with the anthropic-beta header, which can change the answer', async () => {
    expect(await key(messages, 'context-1m-2025-08-07')).not.toBe(await key(messages));
  });

  it('is named for its caller protocol', async () => {
    expect(await key(messages)).toMatch(/^v2:public:v0:anthropic-messages:[0-9a-f]{64}$/);
  });
});

describe('cache keys of embeddings requests', () => {
  const embed = (body: Record<string, unknown>) => keyOf(embeddingsCaller.parse(body, httpWith()));

  it('ignores user and changes with the input', async () => {
    const body = { model: 'e', input: 'hello' };
    expect(await embed({ ...body, user: 'u' })).toBe(await embed(body));
    expect(await embed({ ...body, input: 'hello!' })).not.toBe(await embed(body));
    expect(await embed(body)).toMatch(/^v2:public:v0:openai-embeddings:/);
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
  const entry: CacheEntry = { v: 2, storedAt: 1_000_000, ttl: 60, body: '{}', provider: 'p', model: 'm' };
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
