// Regressions the fuzz suite (test/fuzz) found: each test is named after what broke.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { configFor, helloMessages, KEYS, proxyWith } from './harness.ts';

/** JSON text of `depth` nested arrays around 1. */
const nested = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

describe('requests nested deeper than a cache key can be built for', () => {
  const proxy = () => proxyWith(configFor([{ scenario: '' }]), { ...KEYS, CACHE: env.CACHE });

  it.each([
    ['tool parameters', (d: number) => `"tools":[{"type":"function","function":{"name":"f","parameters":{"a":${nested(d)}}}}]`],
    ['a json_schema response format', (d: number) => `"response_format":{"type":"json_schema","json_schema":{"a":${nested(d)}}}`],
  ])('are answered uncached instead of failing with a 500 (%s nested 20,000 deep)', async (_name, field) => {
    const p = proxy();
    const res = await p.chat(`{"model":"chat","messages":[{"role":"user","content":"deep"}],${field(20_000)}}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-proxy-cache')).toBe('BYPASS');
    expect(res.headers.get('x-proxy-source')).toBe('provider');
    await p.settle();
  });

  it('are answered uncached on /v1/messages too (an input_schema nested 20,000 deep)', async () => {
    const p = proxy();
    const body = JSON.stringify(helloMessages()).replace(
      /}$/,
      `,"tools":[{"name":"f","input_schema":{"type":"object","a":${nested(20_000)}}}]}`,
    );
    const res = await p.messages(body);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-proxy-cache')).toBe('BYPASS');
    await p.settle();
  });
});

describe('bodies that are not valid UTF-8', () => {
  const withByte = (text: string, marker: string, byte: number): Uint8Array => {
    const at = text.indexOf(marker);
    const encoder = new TextEncoder();
    return new Uint8Array([...encoder.encode(text.slice(0, at)), byte, ...encoder.encode(text.slice(at))]);
  };

  it('are refused with a 400 instead of reaching the vendor with the bytes replaced', async () => {
    const p = proxyWith(configFor([{ scenario: '' }]));
    const body = withByte(JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'a-bc' }] }), '-bc', 0xff);
    const res = await p.request('/v1/chat/completions', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
    expect(p.mock.calls()).toEqual([]);
  });

  it("are refused on /v1/messages in Anthropic's error shape", async () => {
    const p = proxyWith(configFor([{ scenario: '' }]));
    const body = withByte(JSON.stringify(helloMessages({ messages: [{ role: 'user', content: 'a-bc' }] })), '-bc', 0xc3);
    const res = await p.request('/v1/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(p.mock.calls()).toEqual([]);
  });

  it('still accepts UTF-8 text of every plane, and a byte order mark', async () => {
    const p = proxyWith(configFor([{ scenario: '' }]));
    const text = JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'Grüße, 价格, 😀' }] });
    const res = await p.request('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]),
    });
    expect(res.status).toBe(200);
    const sent = p.mock.calls()[0]?.body as { messages: { content: string }[] } | undefined;
    expect(sent?.messages[0]?.content).toBe('Grüße, 价格, 😀');
    await p.settle();
  });
});

describe('a request body that breaks off while it is read', () => {
  it('is a 400 invalid_body, not an unhandled 500, and reaches no vendor', async () => {
    const proxy = proxyWith(configFor([{ scenario: '' }]));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"model":"chat","messages":[{"role":"user","con'));
        controller.error(new Error('Network connection lost.'));
      },
    });
    const res = await proxy.request('/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_body' } });
    expect(proxy.mock.calls()).toHaveLength(0);
  });
});
