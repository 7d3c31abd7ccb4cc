// The KV response cache through wrangler dev's local KV and the openai SDK: hits, request controls, stale entries.
import { AuthenticationError } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { cacheSdk, callsTo, proxyHeadersOf, sleep, uniquePrompt, untilHit } from './cache-client.ts';
import { CACHED, FLAKY, TENANT_KEYS } from './cache-config.ts';
import { REPLY } from './config.ts';
import { logLineFor, resetMock } from './observers.ts';
import { ask, collect } from './proxy-client.ts';

const client = cacheSdk();
const NO_CACHE = { headers: { 'cache-control': 'no-cache' } };
const NO_STORE = { headers: { 'cache-control': 'no-store' } };

/** One non-streaming answer, with its response. */
const plain = (body: ChatCompletionCreateParamsNonStreaming, options = {}) => client.chat.completions.create(body, options).withResponse();

/** One streamed answer read to its end by the SDK, with its response. */
async function streamed(body: ChatCompletionCreateParamsNonStreaming, options = {}, includeUsage = false) {
  const request = { ...body, stream: true as const, ...(includeUsage ? { stream_options: { include_usage: true } } : {}) };
  const { data, response } = await client.chat.completions.create(request, options).withResponse();
  return { response, got: await collect(data) };
}

beforeEach(resetMock);

describe('KV cache: a repeated request', () => {
  it('is answered from the cache: HIT, Age, the same body, and no second vendor call', async () => {
    const body = ask(CACHED.alias, uniquePrompt('cache repeat plain'));
    const first = await plain(body);
    expect(proxyHeadersOf(first.response)).toMatchObject({
      'x-proxy-source': 'provider',
      'x-proxy-cache': 'MISS',
      'x-proxy-provider': CACHED.provider,
      'x-proxy-model': CACHED.model,
      age: null,
    });
    expect(first.data.choices[0]?.message.content).toBe(REPLY);

    const { hit, misses } = await untilHit(() => plain(body));
    expect(proxyHeadersOf(hit.response)).toMatchObject({
      'x-proxy-source': 'cache',
      'x-proxy-cache': 'HIT',
      'x-proxy-provider': CACHED.provider,
      'x-proxy-model': CACHED.model,
      'x-proxy-attempts': '0',
    });
    expect(hit.response.headers.get('age')).toMatch(/^\d+$/);
    expect(Number(hit.response.headers.get('age'))).toBeLessThan(60);
    expect(hit.data).toEqual(first.data);
    expect(await callsTo(CACHED.model)).toHaveLength(1 + misses);

    const again = await plain(body);
    expect(again.response.headers.get('x-proxy-cache')).toBe('HIT');
    expect(again.data).toEqual(first.data);
    expect(await callsTo(CACHED.model)).toHaveLength(1 + misses);
  });

  it('stores a streamed answer and replays it as a stream the SDK parses, to streaming and plain callers', async () => {
    const body = ask(CACHED.alias, uniquePrompt('cache repeat stream'));
    const first = await streamed(body);
    expect(first.got.error).toBeUndefined();
    expect(first.got.text).toBe(REPLY);
    expect(first.response.headers.get('x-proxy-cache')).toBe('MISS');

    const { hit, misses } = await untilHit(() => streamed(body));
    expect(hit.response.headers.get('content-type')).toContain('text/event-stream');
    expect(proxyHeadersOf(hit.response)).toMatchObject({ 'x-proxy-source': 'cache', 'x-proxy-provider': CACHED.provider });
    expect(hit.response.headers.get('age')).toMatch(/^\d+$/);
    expect(hit.got.error).toBeUndefined();
    expect(hit.got.text).toBe(first.got.text);
    expect(hit.got.chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    expect(hit.got.chunks.every((chunk) => chunk.model === CACHED.model)).toBe(true);

    const withUsage = await streamed(body, {}, true);
    expect(withUsage.response.headers.get('x-proxy-cache')).toBe('HIT');
    expect(withUsage.got.text).toBe(REPLY);
    expect(withUsage.got.chunks.at(-1)?.usage).toMatchObject({ completion_tokens: expect.any(Number), total_tokens: expect.any(Number) });

    const asJson = await plain(body);
    expect(asJson.response.headers.get('x-proxy-cache')).toBe('HIT');
    expect(asJson.data.choices[0]?.message.content).toBe(REPLY);
    expect(asJson.data.choices[0]?.finish_reason).toBe('stop');
    expect(await callsTo(CACHED.model)).toHaveLength(1 + misses);
  });
});

describe('KV cache: tenants', () => {
  it('never lets two client keys share an entry', async () => {
    const body = ask(CACHED.alias, uniquePrompt('cache tenants'));
    const alpha = cacheSdk(TENANT_KEYS.alpha);
    const beta = cacheSdk(TENANT_KEYS.beta);
    await alpha.chat.completions.create(body);
    const { misses } = await untilHit(() => alpha.chat.completions.create(body).withResponse());
    const other = await beta.chat.completions.create(body).withResponse();
    expect(other.response.headers.get('x-proxy-cache')).toBe('MISS');
    expect(other.response.headers.get('x-proxy-source')).toBe('provider');
    expect(await callsTo(CACHED.model)).toHaveLength(2 + misses);
  });

  it('refuses a request without a valid client key before any vendor call', async () => {
    const error = await cacheSdk('not-a-client-key')
      .chat.completions.create(ask(CACHED.alias, uniquePrompt('cache bad key')))
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(await callsTo(CACHED.model)).toHaveLength(0);
  });
});

describe('KV cache: request controls', () => {
  it('with Cache-Control: no-store never reads an entry that is there', async () => {
    const body = ask(CACHED.alias, uniquePrompt('cache no-store read'));
    await plain(body);
    const { misses } = await untilHit(() => plain(body));
    const noStore = await plain(body, NO_STORE);
    expect(proxyHeadersOf(noStore.response)).toMatchObject({ 'x-proxy-source': 'provider', 'x-proxy-cache': 'BYPASS', age: null });
    expect(noStore.data.choices[0]?.message.content).toBe(REPLY);
    expect(await callsTo(CACHED.model)).toHaveLength(2 + misses);
  });

  it('with Cache-Control: no-store never stores the answer', async () => {
    const body = ask(CACHED.alias, uniquePrompt('cache no-store write'));
    for (let i = 0; i < 2; i++) {
      const noStore = await plain(body, NO_STORE);
      expect(proxyHeadersOf(noStore.response)).toMatchObject({ 'x-proxy-source': 'provider', 'x-proxy-cache': 'BYPASS' });
    }
    const streamedNoStore = await streamed(body, NO_STORE);
    expect(streamedNoStore.response.headers.get('x-proxy-cache')).toBe('BYPASS');
    expect(streamedNoStore.got.text).toBe(REPLY);
    // Long enough for a background KV write to land, had there been one.
    await sleep(300);
    const after = await plain(body);
    expect(proxyHeadersOf(after.response)).toMatchObject({ 'x-proxy-source': 'provider', 'x-proxy-cache': 'MISS' });
    expect(await callsTo(CACHED.model)).toHaveLength(4);
  });

  it('with Cache-Control: no-cache skips the lookup and asks the vendor although an entry is there', async () => {
    const body = ask(CACHED.alias, uniquePrompt('cache no-cache read'));
    await plain(body);
    const { misses } = await untilHit(() => plain(body));
    const noCache = await plain(body, NO_CACHE);
    expect(proxyHeadersOf(noCache.response)).toMatchObject({ 'x-proxy-source': 'provider', 'x-proxy-cache': 'BYPASS', age: null });
    expect(await callsTo(CACHED.model)).toHaveLength(2 + misses);
  });

  it('with Cache-Control: no-cache still stores the answer', async () => {
    // FLAKY answers only its first call: a later miss gets a degraded reply, which is never
    // stored, so the HIT below can only come from what the no-cache request stored.
    const body = ask(FLAKY.alias, uniquePrompt('cache no-cache write'));
    const noCache = await plain(body, NO_CACHE);
    expect(proxyHeadersOf(noCache.response)).toMatchObject({ 'x-proxy-source': 'provider', 'x-proxy-cache': 'BYPASS' });
    const { hit } = await untilHit(() => plain(body));
    expect(hit.response.headers.get('x-proxy-source')).toBe('cache');
    expect(hit.data).toEqual(noCache.data);
  });
});

describe('KV cache: stale entries', () => {
  it.each([false, true])('serves the stored answer as stale-cache when every target fails (streaming: %s)', async (stream) => {
    const body = ask(FLAKY.alias, uniquePrompt(`cache stale ${stream}`));
    const first = await plain(body);
    expect(first.response.headers.get('x-proxy-source')).toBe('provider');
    const { misses } = await untilHit(() => plain(body));
    // no-cache skips the fresh entry, the vendor now fails every call, and the proxy falls
    // back to the stored answer: the only way to reach the stale path within a 60 s TTL.
    const headers = { 'x-request-id': `e2e-stale-${stream}` };
    const stale = stream
      ? await streamed(body, { headers: { ...NO_CACHE.headers, ...headers } })
      : await plain(body, { headers: { ...NO_CACHE.headers, ...headers } });
    expect(stale.response.status).toBe(200);
    expect(proxyHeadersOf(stale.response)).toMatchObject({
      'x-proxy-source': 'stale-cache',
      'x-proxy-cache': 'STALE',
      'x-proxy-provider': FLAKY.provider,
      'x-proxy-model': FLAKY.model,
      'x-proxy-attempts': '2',
    });
    expect(stale.response.headers.get('age')).toMatch(/^\d+$/);
    if ('got' in stale) {
      expect(stale.response.headers.get('content-type')).toContain('text/event-stream');
      expect(stale.got.error).toBeUndefined();
      expect(stale.got.text).toBe(first.data.choices[0]?.message.content);
    } else {
      expect(stale.data).toEqual(first.data);
    }
    // One answer, then two failing attempts (one retry) for each miss and for the stale request.
    expect(await callsTo(FLAKY.model)).toHaveLength(1 + 2 * misses + 2);
    const line = await logLineFor(headers['x-request-id'], 5000, inject('cacheWranglerLog'));
    expect(line).toMatchObject({ status: 200, source: 'stale-cache', cache: 'STALE', model: FLAKY.alias });
  });
});
