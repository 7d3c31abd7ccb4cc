import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { createMockProvider } from '../mock-provider/handler.ts';
import { configFor, hello, KEYS, proxyWith, sseData, streamedText } from './harness.ts';

const REPLY = 'Hello from the mock provider.';
const streaming = (extra: Record<string, unknown> = {}) => hello({ stream: true, ...extra });
const errorOf = (data: string | undefined) => (JSON.parse(data ?? '{}') as { error?: { code: string; message: string } }).error;

describe('POST /v1/chat/completions, streaming', () => {
  it('streams the whole answer and ends with [DONE]', async () => {
    const proxy = proxyWith(configFor([{ scenario: '' }]));
    const res = await proxy.chat(streaming());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(res.headers.get('x-proxy-provider')).toBe('p1');
    expect(res.headers.get('x-proxy-model')).toBe('model-p1');
    const datas = await sseData(res);
    expect(datas.at(-1)).toBe('[DONE]');
    expect(streamedText(datas)).toBe(REPLY);
    expect(JSON.parse(datas[0] ?? '{}')).toMatchObject({ object: 'chat.completion.chunk', model: 'model-p1' });
  });

  it('asks the vendor for usage but forwards the usage chunk only when the caller asked', async () => {
    const proxy = proxyWith(configFor([{ scenario: '' }]));
    const plain = await sseData(await proxy.chat(streaming()));
    expect(plain.some((d) => d !== '[DONE]' && (JSON.parse(d) as { choices: unknown[] }).choices.length === 0)).toBe(false);
    expect(proxy.mock.calls()[0]?.body).toMatchObject({ stream_options: { include_usage: true } });
    const withUsage = await sseData(await proxy.chat(streaming({ stream_options: { include_usage: true } })));
    const usageChunk = withUsage.map((d) => (d === '[DONE]' ? {} : JSON.parse(d))).find((c) => c.usage);
    expect(usageChunk.usage).toMatchObject({ completion_tokens: expect.any(Number), total_tokens: expect.any(Number) });
  });

  it('falls over before the commit point when the first token is too slow', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'first-token-delay=2000' }, { scenario: 'reply=second target' }]));
    const res = await proxy.chat(streaming());
    expect(res.headers.get('x-proxy-provider')).toBe('p2');
    expect(res.headers.get('x-proxy-attempts')).toBe('2');
    expect(streamedText(await sseData(res))).toBe('second target');
  });

  it('falls over before the commit point on a 503 and on a cut before the first token', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'status=503' }, { scenario: 'cut-after=0' }, { scenario: '' }]));
    const res = await proxy.chat(streaming());
    expect(res.headers.get('x-proxy-provider')).toBe('p3');
    expect(streamedText(await sseData(res))).toBe(REPLY);
  });

  it('ends a stream cut after the commit point with an in-band error and no [DONE]', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'cut-after=2' }, { scenario: '' }]));
    const res = await proxy.chat(streaming());
    expect(res.status).toBe(200);
    const datas = await sseData(res);
    expect(datas).not.toContain('[DONE]');
    expect(errorOf(datas.at(-1))?.code).toBe('stream_interrupted');
    expect(streamedText(datas.slice(0, -1))).toBe('Hello from');
    expect(proxy.mock.calls()).toHaveLength(1);
  });

  it('ends a stalled stream at the idle timeout with an in-band error', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'stall-after=1' }]));
    const datas = await sseData(await proxy.chat(streaming()));
    expect(errorOf(datas.at(-1))?.code).toBe('idle_timeout');
    expect(datas).not.toContain('[DONE]');
  });

  it('passes on an upstream error event after the commit point as an in-band error', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'error-event-after=2' }]));
    const datas = await sseData(await proxy.chat(streaming()));
    expect(errorOf(datas.at(-1))?.code).toBe('upstream_error');
    expect(datas).not.toContain('[DONE]');
  });

  it('skips a malformed event and carries on', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'malformed-at=2' }]));
    const datas = await sseData(await proxy.chat(streaming()));
    expect(streamedText(datas)).toBe(REPLY);
    expect(datas.at(-1)).toBe('[DONE]');
    expect(datas.every((d) => d === '[DONE]' || JSON.parse(d))).toBe(true);
  });

  it('finalises at once when the vendor finishes but never sends [DONE]', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'no-done', extra: { retry: { idleTimeoutMs: 10_000 } } }]));
    const started = Date.now();
    const datas = await sseData(await proxy.chat(streaming({ stream_options: { include_usage: true } })));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(datas.at(-1)).toBe('[DONE]');
    expect(streamedText(datas)).toBe(REPLY);
    expect(datas.some((d) => d.includes('"total_tokens"'))).toBe(true);
  });

  it('streams tool calls through', async () => {
    const proxy = proxyWith(configFor([{ scenario: '' }]));
    const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }];
    const datas = await sseData(await proxy.chat(streaming({ tools })));
    const chunks = datas.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d));
    const args = chunks.map((c) => c.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? '').join('');
    expect(JSON.parse(args)).toEqual({ query: 'Say hello' });
    expect(chunks.some((c) => c.choices[0]?.finish_reason === 'tool_calls')).toBe(true);
  });

  it('reads the vendor body to its end after finishing on the usage chunk, so the connection can be reused', async () => {
    const mock = createMockProvider();
    const bodies: { ended: boolean; cancelled: boolean }[] = [];
    // The vendor's [DONE] comes a little after its usage chunk: the proxy has finished the answer by then.
    const late = (body: ReadableStream<Uint8Array>, seen: { ended: boolean; cancelled: boolean }) => {
      const reader = body.getReader();
      const text = new TextDecoder();
      return new ReadableStream<Uint8Array>({
        async pull(controller) {
          const { done, value } = await reader.read();
          if (done) {
            seen.ended = true;
            controller.close();
            return;
          }
          if (text.decode(value).includes('[DONE]')) await scheduler.wait(20);
          controller.enqueue(value);
        },
        cancel() {
          seen.cancelled = true;
          return reader.cancel();
        },
      });
    };
    const app = createApp({
      fetch: async (input, init) => {
        const res = await mock.fetch(input as string, init);
        const seen = { ended: false, cancelled: false };
        bodies.push(seen);
        return new Response(late(res.body as ReadableStream<Uint8Array>, seen), res);
      },
    });
    const ctx = createExecutionContext();
    const res = await app.request(
      '/v1/chat/completions',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(streaming()) },
      { ...KEYS, PROXY_CONFIG: JSON.stringify(configFor([{ scenario: '' }])) },
      ctx,
    );
    const datas = await sseData(res);
    expect(datas.at(-1)).toBe('[DONE]');
    expect(datas.some((d) => d.includes('"total_tokens"'))).toBe(false);
    await waitOnExecutionContext(ctx);
    expect(bodies).toEqual([{ ended: true, cancelled: false }]);
  });

  it('cancels the upstream call when the client goes away', async () => {
    const mock = createMockProvider();
    let upstreamSignal: AbortSignal | undefined;
    const app = createApp({
      fetch: (input, init) => {
        upstreamSignal = init?.signal ?? undefined;
        return mock.fetch(input as string, init);
      },
    });
    const config = configFor([
      { scenario: 'token-delay=50,repeat=20', extra: { retry: { idleTimeoutMs: 5000, attemptTimeoutMs: 20_000 } } },
    ]);
    const client = new AbortController();
    const res = await app.request(
      '/v1/chat/completions',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(streaming()), signal: client.signal },
      { ...KEYS, PROXY_CONFIG: JSON.stringify(config) },
    );
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    expect(upstreamSignal?.aborted).toBe(false);
    await reader.cancel();
    expect(upstreamSignal?.aborted).toBe(true);
  });
});
