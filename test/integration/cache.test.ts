import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { cacheKey, canonicalJson } from '../../src/cache/key.ts';
import { parseConfig } from '../../src/config/load.ts';
import { modelToCompletion } from '../../src/protocols/openai-chat/answer.ts';
import { chatCaller } from '../../src/protocols/openai-chat/caller.ts';
import { configFor, hello, KEYS, proxyWith, sseData, streamedText } from './harness.ts';

const REPLY = 'Hello from the mock provider.';
let n = 0;
/** A request no other test sends, so entries never leak between tests. */
const unique = (extra: Record<string, unknown> = {}) => hello({ messages: [{ role: 'user', content: `question ${++n}` }], ...extra });
const withCache = (config: Record<string, unknown>) => proxyWith(config, { ...KEYS, CACHE: env.CACHE });
/** The KV key the proxy uses for `body` under `config`. */
async function keyFor(config: Record<string, unknown>, body: Record<string, unknown>): Promise<string> {
  const parsed = parseConfig(config);
  if (!parsed.ok) throw new Error('invalid config');
  const request = chatCaller.parse(body, { header: () => undefined, query: '' });
  return cacheKey('openai-chat', 'public', parsed.config.version, canonicalJson(request.cacheIdentity()));
}
const content = async (res: Response) =>
  ((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content;

describe('KV response cache', () => {
  it('answers a repeated request from the cache, with Age, and calls no vendor', async () => {
    const proxy = withCache(configFor([{ scenario: '' }]));
    const body = unique();
    const first = await proxy.chat(body);
    expect(first.headers.get('x-proxy-cache')).toBe('MISS');
    const text = await first.text();
    await proxy.settle();
    const second = await proxy.chat(body);
    expect(second.headers.get('x-proxy-cache')).toBe('HIT');
    expect(second.headers.get('x-proxy-source')).toBe('cache');
    expect(second.headers.get('x-proxy-provider')).toBe('p1');
    expect(second.headers.get('x-proxy-model')).toBe('model-p1');
    expect(second.headers.get('x-proxy-attempts')).toBe('0');
    expect(Number(second.headers.get('age'))).toBeGreaterThanOrEqual(0);
    expect(await second.text()).toBe(text);
    expect(proxy.mock.calls()).toHaveLength(1);
  });

  it('shares an entry between a streamed and a plain request, and replays it as a valid stream', async () => {
    const proxy = withCache(configFor([{ scenario: '' }]));
    const body = unique();
    await (await proxy.chat({ ...body, stream: true })).text();
    await proxy.settle();
    const plain = await proxy.chat(body);
    expect(plain.headers.get('x-proxy-cache')).toBe('HIT');
    expect(await content(plain)).toBe(REPLY);
    const streamed = await proxy.chat({ ...body, stream: true, stream_options: { include_usage: true } });
    expect(streamed.headers.get('x-proxy-cache')).toBe('HIT');
    expect(streamed.headers.get('content-type')).toContain('text/event-stream');
    const datas = await sseData(streamed);
    expect(streamedText(datas)).toBe(REPLY);
    expect(datas.at(-1)).toBe('[DONE]');
    expect(datas.some((d) => d.includes('"total_tokens"'))).toBe(true);
    expect(proxy.mock.calls()).toHaveLength(1);
  });

  it('never stores a stream that was cut', async () => {
    const proxy = withCache(configFor([{ scenario: 'cut-after=2', extra: { retry: { maxRetries: 0 } } }]));
    const body = unique({ stream: true });
    await (await proxy.chat(body)).text();
    await proxy.settle();
    const again = await proxy.chat(body);
    expect(again.headers.get('x-proxy-cache')).toBe('MISS');
    await again.text();
    expect(proxy.mock.calls()).toHaveLength(2);
  });

  it('never stores an error', async () => {
    const proxy = withCache(configFor([{ scenario: 'status=400' }]));
    const body = unique();
    expect((await proxy.chat(body)).status).toBe(400);
    await proxy.settle();
    expect((await proxy.chat(body)).status).toBe(400);
    expect(proxy.mock.calls()).toHaveLength(2);
  });

  it('skips the lookup with Cache-Control: no-cache but still stores', async () => {
    const proxy = withCache(configFor([{ scenario: '' }]));
    const body = unique();
    await (await proxy.chat(body)).text();
    await proxy.settle();
    const bypass = await proxy.chat(body, { headers: { 'cache-control': 'no-cache' } });
    expect(bypass.headers.get('x-proxy-cache')).toBe('BYPASS');
    expect(bypass.headers.get('x-proxy-source')).toBe('provider');
    await bypass.text();
    expect(proxy.mock.calls()).toHaveLength(2);
  });

  it('neither reads nor stores with Cache-Control: no-store', async () => {
    const proxy = withCache(configFor([{ scenario: '' }]));
    const body = unique();
    for (let i = 0; i < 2; i++) {
      const res = await proxy.chat(body, { headers: { 'cache-control': 'no-store' } });
      expect(res.headers.get('x-proxy-cache')).toBe('BYPASS');
      await res.text();
      await proxy.settle();
    }
    expect((await proxy.chat(body)).headers.get('x-proxy-cache')).toBe('MISS');
  });

  it('keeps entries apart across config versions', async () => {
    const body = unique();
    const a = withCache(configFor([{ scenario: '' }]));
    await (await a.chat(body)).text();
    await a.settle();
    const b = withCache(configFor([{ scenario: '' }], { cache: { ttlSeconds: 120 } }));
    expect((await b.chat(body)).headers.get('x-proxy-cache')).toBe('MISS');
  });

  /** Stores an entry for `body` under `config`'s namespace, `ageSeconds` old, as an earlier answer would have. */
  async function storeAged(config: Record<string, unknown>, body: Record<string, unknown>, ageSeconds: number, ttl = 60) {
    const key = await keyFor(config, body);
    const parts = [{ type: 'text' as const, text: 'An earlier answer.' }];
    const completion = modelToCompletion({ id: 'chatcmpl-old', model: 'model-p1', created: 1, parts, finish: 'stop', cacheable: true });
    const entry = {
      v: 2,
      storedAt: Date.now() - ageSeconds * 1000,
      ttl,
      body: JSON.stringify(completion),
      provider: 'p1',
      model: 'model-p1',
    };
    await env.CACHE.put(key, JSON.stringify(entry));
  }

  it('answers from a stale entry when every target failed', async () => {
    const config = configFor([{ scenario: 'status=503' }]);
    const body = unique();
    await storeAged(config, body, 600);
    const res = await withCache(config).chat(body);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-proxy-source')).toBe('stale-cache');
    expect(res.headers.get('x-proxy-cache')).toBe('STALE');
    expect(res.headers.get('x-proxy-attempts')).toBe('2');
    expect(res.headers.get('age')).toBe('600');
    expect(await content(res)).toBe('An earlier answer.');
  });

  it('does not serve a stale entry while a target answers', async () => {
    const config = configFor([{ scenario: '' }]);
    const body = unique();
    await storeAged(config, body, 600);
    const res = await withCache(config).chat(body);
    expect(res.headers.get('x-proxy-source')).toBe('provider');
    expect(await content(res)).toBe(REPLY);
  });

  it('does not serve an entry past its stale-if-error window', async () => {
    const config = configFor([{ scenario: 'status=503' }], { cache: { staleIfErrorSeconds: 100 } });
    const body = unique();
    await storeAged(config, body, 200);
    expect((await withCache(config).chat(body)).headers.get('x-proxy-source')).toBe('degraded');
  });

  it('treats a failing KV as a miss, never as a failure', async () => {
    const broken = {
      get: () => Promise.reject(new Error('KV down')),
      put: () => Promise.reject(new Error('KV down')),
    };
    const proxy = proxyWith(configFor([{ scenario: '' }]), { ...KEYS, CACHE: broken });
    const res = await proxy.chat(unique());
    expect(res.status).toBe(200);
    expect(res.headers.get('x-proxy-cache')).toBe('MISS');
    await res.text();
    await proxy.settle();
  });

  it('serves a hot entry from isolate memory without a KV read', async () => {
    const config = configFor([{ scenario: '' }]);
    const body = unique();
    const first = withCache(config);
    await (await first.chat(body)).text();
    await first.settle();
    let reads = 0;
    const counting = {
      get: (key: string) => {
        reads++;
        return env.CACHE.get(key);
      },
      put: () => Promise.resolve(),
    };
    const second = proxyWith(config, { ...KEYS, CACHE: counting });
    const res = await second.chat(body);
    expect(res.headers.get('x-proxy-cache')).toBe('HIT');
    expect(reads).toBe(0);
    expect(second.mock.calls()).toHaveLength(0);
  });

  it('shares one upstream call between identical requests in flight', async () => {
    const proxy = withCache(configFor([{ scenario: 'delay=100' }]));
    const body = unique();
    const answers = await Promise.all([proxy.chat(body), proxy.chat(body), proxy.chat(body)]);
    const texts = await Promise.all(answers.map((r) => r.text()));
    expect(new Set(texts).size).toBe(1);
    expect(proxy.mock.calls()).toHaveLength(1);
    expect(answers.map((r) => r.headers.get('x-proxy-attempts')).sort()).toEqual(['0', '0', '1']);
  });
});

describe('degraded replies', () => {
  const rules = { rules: [{ match: ['price', '价格'], reply: 'Plans start at $10.' }], notice: '(automatic reply)', defaultReply: 'Busy.' };

  it.each([
    ['a matching rule', 'What is the PRICE?', 'Plans start at $10.'],
    ['a rule in another language', '价格是多少', 'Plans start at $10.'],
    ['the default reply', 'hello', 'Busy.'],
  ])('answers with %s when every target failed', async (_name, question, reply) => {
    const proxy = proxyWith(configFor([{ scenario: 'status=503' }], { degraded: rules }));
    const res = await proxy.chat(hello({ messages: [{ role: 'user', content: question }] }));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-proxy-source')).toBe('degraded');
    expect(res.headers.get('x-proxy-provider')).toBeNull();
    expect(res.headers.get('x-proxy-model')).toBeNull();
    expect(await content(res)).toBe(`${reply}\n\n(automatic reply)`);
  });

  it('streams a degraded reply as a valid stream', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'status=503' }], { degraded: rules }));
    const datas = await sseData(await proxy.chat(hello({ stream: true })));
    expect(streamedText(datas)).toBe('Busy.\n\n(automatic reply)');
    expect(datas.at(-1)).toBe('[DONE]');
  });

  it('never fabricates a tool call', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'status=503' }], { degraded: rules }));
    const tools = [{ type: 'function', function: { name: 'lookup' } }];
    const body = (await (await proxy.chat(hello({ tools }))).json()) as { choices: { message: object; finish_reason: string }[] };
    expect(body.choices[0]?.message).not.toHaveProperty('tool_calls');
    expect(body.choices[0]?.finish_reason).toBe('stop');
  });

  it('is never cached', async () => {
    const body = unique();
    const config = configFor([{ scenario: 'status=503' }]);
    const failing = withCache(config);
    expect((await failing.chat(body)).headers.get('x-proxy-source')).toBe('degraded');
    await failing.settle();
    expect(await env.CACHE.get(await keyFor(config, body))).toBeNull();
  });

  it('stores a provider answer under the key the tests compute', async () => {
    const body = unique();
    const config = configFor([{ scenario: '' }]);
    const proxy = withCache(config);
    await (await proxy.chat(body)).text();
    await proxy.settle();
    expect(await env.CACHE.get(await keyFor(config, body))).not.toBeNull();
  });

  it('is not given for a terminal error', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'status=400' }], { degraded: rules }));
    expect((await proxy.chat(hello())).status).toBe(400);
  });

  it('gives way to the 503 when disabled', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'status=503' }], { degraded: { enabled: false } }));
    expect((await proxy.chat(hello())).status).toBe(503);
  });
});
