// Stream rescue in workerd: a stream broken after its commit point is finished by a later `prefill` target.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { forgetLocalBreakers } from '../../src/breaker/client.ts';
import type { MockCall } from '../mock-provider/handler.ts';
import {
  anthropicEvents,
  anthropicText,
  configFor,
  hello,
  helloMessages,
  KEYS,
  proxyWith,
  sseData,
  streamedText,
  type TargetSpec,
} from './harness.ts';

const REPLY = 'Hello from the mock provider.';
const prefill = { prefill: true };
const rescuer = (extra: Partial<TargetSpec> = {}): TargetSpec => ({ scenario: '', extra: prefill, ...extra });
const streamed = (extra: Record<string, unknown> = {}) => hello({ stream: true, stream_options: { include_usage: true }, ...extra });

/** The last message the vendor got in call `n`. */
const lastMessage = (calls: MockCall[], n: number) =>
  (calls[n]?.body as { messages?: { role: string; content: unknown }[] } | undefined)?.messages?.at(-1);

describe('stream rescue', () => {
  it.each([
    ['a cut connection', 'cut-after=2'],
    ['an upstream error event', 'error-event-after=2'],
    ['an idle stall', 'stall-after=2'],
  ])('finishes an OpenAI stream broken by %s on the next prefill target, text exactly once', async (_name, scenario) => {
    const proxy = proxyWith(configFor([{ scenario }, rescuer()]));
    const datas = await sseData(await proxy.chat(streamed()));
    expect(datas.at(-1)).toBe('[DONE]');
    expect(datas.some((d) => d.includes('"error"'))).toBe(false);
    expect(streamedText(datas)).toBe(REPLY);
    const calls = proxy.mock.calls();
    expect(calls).toHaveLength(2);
    expect(lastMessage(calls, 1)).toEqual({ role: 'assistant', content: 'Hello from' });
    const chunks = datas.slice(0, -1).map((d) => JSON.parse(d) as { id: string; model: string; usage?: { completion_tokens: number } });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.at(-1)?.model).toBe('model-p2');
    expect(chunks.at(-1)?.usage?.completion_tokens).toBeGreaterThan(2);
  });

  it('finishes an Anthropic caller’s stream the same way', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'cut-after=3' }, rescuer()]));
    const events = await anthropicEvents(await proxy.messages(helloMessages({ stream: true })));
    expect(anthropicText(events)).toBe(REPLY);
    expect(events.at(-1)?.event).toBe('message_stop');
    expect(events.some((e) => e.event === 'error')).toBe(false);
  });

  it.each([
    [
      'an OpenAI caller from an OpenAI vendor by an Anthropic one',
      'chat',
      { scenario: 'cut-after=2' },
      rescuer({ protocol: 'anthropic', extra: {} }),
    ],
    [
      'an Anthropic caller from an Anthropic vendor by an OpenAI one',
      'messages',
      { scenario: 'error-event-after=2', protocol: 'anthropic' as const },
      rescuer(),
    ],
  ])('rescues %s', async (_name, route, broken, continuing) => {
    const proxy = proxyWith(configFor([broken, continuing]));
    const text =
      route === 'chat'
        ? streamedText(await sseData(await proxy.chat(streamed())))
        : anthropicText(await anthropicEvents(await proxy.messages(helloMessages({ stream: true }))));
    expect(text).toBe(REPLY);
    const calls = proxy.mock.calls();
    expect(calls.map((c) => c.path)).toEqual(
      route === 'chat' ? ['/v1/chat/completions', '/v1/messages'] : ['/v1/messages', '/v1/chat/completions'],
    );
  });

  it('asks only targets marked prefill', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'cut-after=2' }, { scenario: '' }, rescuer()]));
    expect(streamedText(await sseData(await proxy.chat(streamed())))).toBe(REPLY);
    expect(proxy.mock.calls().map((c) => c.model)).toEqual(['model-p1', 'model-p3']);
  });

  it('ends with the original in-band error when no later target has prefill', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'cut-after=2' }, { scenario: '' }]));
    const datas = await sseData(await proxy.chat(streamed()));
    expect(JSON.parse(datas.at(-1) ?? '{}')).toMatchObject({ error: { code: 'stream_interrupted' } });
    expect(proxy.mock.calls()).toHaveLength(1);
  });

  it.each([
    ['rejects the continuation', 'status=400'],
    ['is overloaded', 'status=529'],
    ['breaks before its first token', 'cut-after=0'],
  ])('gives the original error when the prefill target %s', async (_name, scenario) => {
    const proxy = proxyWith(configFor([{ scenario: 'cut-after=2' }, rescuer({ scenario })]));
    const datas = await sseData(await proxy.chat(streamed()));
    expect(streamedText(datas)).toBe('Hello from');
    const error = JSON.parse(datas.at(-1) ?? '{}') as { error: { code: string; message: string } };
    expect(error.error.code).toBe('stream_interrupted');
    expect(error.error.message).not.toMatch(/400|529|rejected/);
    expect(proxy.mock.calls()).toHaveLength(2);
  });

  it('continues a continuation that breaks too, on the next prefill target', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'cut-after=2' }, rescuer({ scenario: 'cut-after=1' }), rescuer()]));
    const datas = await sseData(await proxy.chat(streamed()));
    expect(streamedText(datas)).toBe(REPLY);
    const calls = proxy.mock.calls();
    expect(lastMessage(calls, 2)).toEqual({ role: 'assistant', content: 'Hello from the' });
  });

  it('is off with retry.streamRecovery "error"', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'cut-after=2' }, rescuer()], { retry: { streamRecovery: 'error' } }));
    const datas = await sseData(await proxy.chat(streamed()));
    expect(JSON.parse(datas.at(-1) ?? '{}')).toMatchObject({ error: { code: 'stream_interrupted' } });
    expect(proxy.mock.calls()).toHaveLength(1);
  });

  it('never continues a stream that was emitting tool calls', async () => {
    const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }];
    const proxy = proxyWith(configFor([{ scenario: 'cut-after=2' }, rescuer()]));
    const datas = await sseData(await proxy.chat(streamed({ tools })));
    expect(JSON.parse(datas.at(-1) ?? '{}')).toMatchObject({ error: { code: 'stream_interrupted' } });
    expect(proxy.mock.calls()).toHaveLength(1);
  });

  it('never caches a rescued answer', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'cut-after=2' }, rescuer()]), { ...KEYS, CACHE: env.CACHE });
    const body = streamed({ messages: [{ role: 'user', content: `rescue me ${Date.now()}` }] });
    expect(streamedText(await sseData(await proxy.chat(body)))).toBe(REPLY);
    await proxy.settle();
    const again = await proxy.chat(body);
    expect(again.headers.get('x-proxy-cache')).toBe('MISS');
    await again.text();
  });

  it('asks a DeepSeek-style target with prefix: true', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'cut-after=2' }, rescuer({ id: 'ds' })]));
    const config = JSON.parse(proxy.env.PROXY_CONFIG as string) as { providers: Record<string, Record<string, unknown>> };
    const ds = config.providers.ds as Record<string, unknown>;
    config.providers.ds = { preset: 'deepseek', baseUrl: ds.baseUrl, apiKeyEnv: 'MOCK_A_KEY' };
    const deepseek = proxyWith(config);
    expect(streamedText(await sseData(await deepseek.chat(streamed())))).toBe(REPLY);
    expect(lastMessage(deepseek.mock.calls(), 1)).toEqual({ role: 'assistant', content: 'Hello from', prefix: true });
  });

  it('counts the break against the broken provider’s breaker, not the rescuer’s', async () => {
    const broken = `rescue-broken-${Date.now()}`;
    const rescuing = `rescue-ok-${Date.now()}`;
    const config = configFor([{ id: broken, scenario: 'cut-after=2' }, rescuer({ id: rescuing })], {
      breaker: { consecutiveFailures: 3, minCalls: 50, openMs: 60_000 },
    });
    const proxy = proxyWith(config, { ...KEYS, BREAKER: env.BREAKER });
    for (let i = 0; i < 3; i++) expect(streamedText(await sseData(await proxy.chat(streamed())))).toBe(REPLY);
    await proxy.settle();
    forgetLocalBreakers();
    expect((await env.BREAKER.getByName(broken).snapshot()).state).toBe('open');
    expect((await env.BREAKER.getByName(rescuing).snapshot()).state).toBe('closed');
    const after = await proxy.chat(streamed());
    expect(after.headers.get('x-proxy-provider')).toBe(rescuing);
    await after.text();
  });
});
