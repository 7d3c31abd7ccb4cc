import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { configFor, KEYS, proxyWith } from './harness.ts';

const embed = (proxy: ReturnType<typeof proxyWith>, body: unknown, headers: Record<string, string> = {}) =>
  proxy.request('/v1/embeddings', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
let n = 0;
const input = () => `text to embed ${++n}`;

describe('POST /v1/embeddings', () => {
  it('answers in the OpenAI list shape from the first healthy target', async () => {
    const proxy = proxyWith(configFor([{ scenario: '' }]));
    const res = await embed(proxy, { model: 'chat', input: input() });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { object: string; data: { embedding: number[] }[]; model: string };
    expect(body.object).toBe('list');
    expect(body.data[0]?.embedding.length).toBeGreaterThan(0);
    expect(body.model).toBe('model-p1');
    expect(res.headers.get('x-proxy-provider')).toBe('p1');
    expect(proxy.mock.calls()[0]?.path).toBe('/v1/embeddings');
  });

  it('falls back to the next target when the first fails', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'status=503' }, { scenario: '' }]));
    const res = await embed(proxy, { model: 'chat', input: [input(), input()] });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-proxy-provider')).toBe('p2');
    expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(2);
  });

  it('caches embeddings: a repeat is a HIT and calls no vendor', async () => {
    const proxy = proxyWith(configFor([{ scenario: '' }]), { ...KEYS, CACHE: env.CACHE });
    const body = { model: 'chat', input: input(), encoding_format: 'float' };
    const first = await embed(proxy, body);
    const text = await first.text();
    await proxy.settle();
    const second = await embed(proxy, body);
    expect(second.headers.get('x-proxy-cache')).toBe('HIT');
    expect(await second.text()).toBe(text);
    expect(proxy.mock.calls()).toHaveLength(1);
  });

  it('answers 503 when every target failed (no degraded reply for embeddings)', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'status=500' }]));
    const res = await embed(proxy, { model: 'chat', input: input() });
    expect(res.status).toBe(503);
  });

  it.each([
    ['no input', { model: 'chat' }, 400],
    ['an empty input list', { model: 'chat', input: [] }, 400],
    ['a wrong type', { model: 'chat', input: { text: 'x' } }, 400],
    ['an unknown alias', { model: 'nope', input: 'x' }, 404],
  ])('refuses %s without calling a vendor', async (_name, body, status) => {
    const proxy = proxyWith(configFor([{ scenario: '' }]));
    expect((await embed(proxy, body)).status).toBe(status);
    expect(proxy.mock.calls()).toHaveLength(0);
  });
});
