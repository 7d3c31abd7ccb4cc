// POST /v1/messages and Anthropic-protocol targets: every pairing of caller and target protocol, in workerd.
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { anthropicEvents, anthropicText, configFor, hello, helloMessages, KEYS, proxyWith, sseData, streamedText } from './harness.ts';

const REPLY = 'Hello from the mock provider.';
const claude = (scenario = '', extra: Record<string, unknown> = {}) => ({ scenario, protocol: 'anthropic' as const, ...extra });
const tools = [
  { name: 'lookup', description: 'Looks things up', input_schema: { type: 'object', properties: { query: { type: 'string' } } } },
];

interface Message {
  id: string;
  type: string;
  model: string;
  content: Record<string, unknown>[];
  stop_reason: string;
  usage: { input_tokens: number; output_tokens: number };
}

describe('an Anthropic caller (POST /v1/messages)', () => {
  it('is answered by an OpenAI-protocol target in the Anthropic shape', async () => {
    const proxy = proxyWith(configFor([{ scenario: '' }]));
    const res = await proxy.messages(helloMessages({ system: 'Be brief.' }));
    expect(res.status).toBe(200);
    const message = (await res.json()) as Message;
    expect(message).toMatchObject({ type: 'message', role: 'assistant', model: 'model-p1', stop_reason: 'end_turn' });
    expect(message.id).toMatch(/^msg_/);
    expect(message.content).toEqual([{ type: 'text', text: REPLY }]);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    const [call] = proxy.mock.calls();
    expect(call?.path).toBe('/v1/chat/completions');
    expect(call?.authorization).toBe(`Bearer ${KEYS.MOCK_A_KEY}`);
    expect(call?.body).toMatchObject({
      model: 'model-p1',
      max_tokens: 256,
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user' }],
    });
  });

  it('is answered by an Anthropic-protocol target with x-api-key and anthropic-version, the body as sent but its model', async () => {
    const proxy = proxyWith(configFor([claude()]));
    const sent = helloMessages({ system: 'Be brief.', top_k: 5 });
    const res = await proxy.messages(sent);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-proxy-provider')).toBe('p1');
    const message = (await res.json()) as Message;
    expect(message.content).toEqual([{ type: 'text', text: REPLY }]);
    const [call] = proxy.mock.calls();
    expect(call).toMatchObject({ path: '/v1/messages', apiKey: KEYS.MOCK_A_KEY, anthropicVersion: '2023-06-01', authorization: null });
    expect(call?.body).toEqual({ ...sent, model: 'model-p1' });
  });

  it.each([
    ['an OpenAI-protocol', [{ scenario: '' }]],
    ['an Anthropic-protocol', [claude()]],
  ])('streams Anthropic events from %s target', async (_name, targets) => {
    const proxy = proxyWith(configFor(targets));
    const res = await proxy.messages(helloMessages({ stream: true }));
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const events = await anthropicEvents(res);
    expect(events[0]?.event).toBe('message_start');
    expect(events.slice(-2).map((e) => e.event)).toEqual(['message_delta', 'message_stop']);
    expect(anthropicText(events)).toBe(REPLY);
    expect(events.at(-2)?.data).toMatchObject({ delta: { stop_reason: 'end_turn' }, usage: { output_tokens: expect.any(Number) } });
    const usage = events.at(-2)?.data.usage as { output_tokens: number } | undefined;
    expect(usage?.output_tokens).toBeGreaterThan(0);
  });

  it.each([
    ['an OpenAI-protocol', { scenario: '' }],
    ['an Anthropic-protocol', claude()],
  ])('makes a tool round trip with %s target', async (_name, target) => {
    const proxy = proxyWith(configFor([target]));
    const first = (await (
      await proxy.messages(helloMessages({ tools, messages: [{ role: 'user', content: 'Find cats' }] }))
    ).json()) as Message;
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((b) => b.type === 'tool_use');
    expect(use).toMatchObject({ name: 'lookup', input: { query: 'Find cats' } });
    const second = await proxy.messages(
      helloMessages({
        tools,
        messages: [
          { role: 'user', content: 'Find cats' },
          { role: 'assistant', content: first.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: use?.id, content: '3 cats' }] },
        ],
      }),
    );
    const answer = (await second.json()) as Message;
    expect(answer.content).toEqual([{ type: 'text', text: 'Tool said: 3 cats' }]);
  });

  it('streams a tool call as a tool_use block with input_json_delta', async () => {
    const proxy = proxyWith(configFor([{ scenario: '' }]));
    const events = await anthropicEvents(await proxy.messages(helloMessages({ tools, stream: true })));
    const start = events.find((e) => e.event === 'content_block_start');
    expect(start?.data.content_block).toMatchObject({ type: 'tool_use', name: 'lookup', input: {} });
    const json = events
      .filter((e) => (e.data.delta as { type?: string } | undefined)?.type === 'input_json_delta')
      .map((e) => (e.data.delta as { partial_json: string }).partial_json)
      .join('');
    expect(JSON.parse(json)).toEqual({ query: 'Say hello' });
    expect(events.at(-2)?.data).toMatchObject({ delta: { stop_reason: 'tool_use' } });
  });
});

describe('an OpenAI caller served by an Anthropic-protocol target', () => {
  it('gets a chat completion', async () => {
    const proxy = proxyWith(configFor([claude()]));
    const res = await proxy.chat(hello());
    const body = (await res.json()) as {
      object: string;
      model: string;
      choices: { message: { content: string }; finish_reason: string }[];
      usage: unknown;
    };
    expect(body).toMatchObject({ object: 'chat.completion', model: 'model-p1' });
    expect(body.choices[0]).toMatchObject({ message: { content: REPLY }, finish_reason: 'stop' });
    expect(body.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
  });

  it('gets a chunk stream ending with usage and [DONE]', async () => {
    const proxy = proxyWith(configFor([claude()]));
    const datas = await sseData(await proxy.chat(hello({ stream: true, stream_options: { include_usage: true } })));
    expect(datas.at(-1)).toBe('[DONE]');
    expect(streamedText(datas)).toBe(REPLY);
    const usage = JSON.parse(datas.at(-2) ?? '{}') as { choices: unknown[]; usage?: { completion_tokens: number } };
    expect(usage.choices).toEqual([]);
    expect(usage.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('gets tool_calls from a tool_use answer', async () => {
    const proxy = proxyWith(configFor([claude()]));
    const openaiTools = [{ type: 'function', function: { name: 'lookup', parameters: tools[0]?.input_schema } }];
    const res = await proxy.chat(hello({ tools: openaiTools }));
    const body = (await res.json()) as {
      choices: { message: { tool_calls: { function: { name: string; arguments: string } }[] }; finish_reason: string }[];
    };
    expect(body.choices[0]?.finish_reason).toBe('tool_calls');
    expect(body.choices[0]?.message.tool_calls[0]?.function).toEqual({ name: 'lookup', arguments: '{"query":"Say hello"}' });
  });

  it('is refused with 400 when no target can serve the request, without a vendor call', async () => {
    const proxy = proxyWith(configFor([claude()]));
    const res = await proxy.chat(hello({ n: 2 }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('unsupported_request');
    expect(body.error.message).toMatch(/n > 1/);
    expect(proxy.mock.calls()).toHaveLength(0);
  });
});

describe('fallback across protocols', () => {
  it.each([
    ['an overloaded Anthropic target to an OpenAI one', [claude('status=529'), { scenario: '' }], 'p2'],
    ['a failing OpenAI target to an Anthropic one', [{ scenario: 'status=503' }, claude()], 'p2'],
    ['an Anthropic target whose prompt is too long', [claude('status=400&code=context_length_exceeded'), { scenario: '' }], 'p2'],
  ])('moves from %s', async (_name, targets, expected) => {
    const proxy = proxyWith(configFor(targets));
    for (const res of [await proxy.chat(hello()), await proxy.messages(helloMessages())]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('x-proxy-provider')).toBe(expected);
    }
  });

  it('returns an Anthropic invalid_request_error as terminal, in the caller’s shape', async () => {
    const proxy = proxyWith(configFor([claude('status=400&message=messages.0.content is bad'), { scenario: '' }]));
    const res = await proxy.messages(helloMessages());
    expect(res.status).toBe(400);
    const body = (await res.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/rejected the request/);
    expect(proxy.mock.calls()).toHaveLength(1);
  });

  it('falls over when an Anthropic stream sends an error event before the first token', async () => {
    const proxy = proxyWith(configFor([claude('error-event-after=0'), { scenario: '' }]));
    const events = await anthropicEvents(await proxy.messages(helloMessages({ stream: true })));
    expect(anthropicText(events)).toBe(REPLY);
    expect(events.at(-1)?.event).toBe('message_stop');
  });

  it('ends an Anthropic stream cut after the commit point with an in-band error in both protocols', async () => {
    const proxy = proxyWith(configFor([claude('cut-after=2'), { scenario: '' }], { retry: { streamRecovery: 'error' } }));
    const events = await anthropicEvents(await proxy.messages(helloMessages({ stream: true })));
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { type: 'error', error: { type: 'api_error' } } });
    expect(events.some((e) => e.event === 'message_stop')).toBe(false);
    const datas = await sseData(await proxy.chat(hello({ stream: true })));
    expect(datas).not.toContain('[DONE]');
    expect(JSON.parse(datas.at(-1) ?? '{}')).toMatchObject({ error: { code: 'stream_interrupted' } });
  });

  it('ends a stream with an Anthropic error event after the commit point as an in-band error', async () => {
    const proxy = proxyWith(configFor([claude('error-event-after=2')]));
    const datas = await sseData(await proxy.chat(hello({ stream: true })));
    expect(JSON.parse(datas.at(-1) ?? '{}')).toMatchObject({ error: { code: 'upstream_error' } });
  });
});

describe('errors, cache and degraded replies on /v1/messages', () => {
  it.each([
    ['a body that is not JSON', '{"model":', 400, 'invalid_request_error'],
    ['no max_tokens', { model: 'chat', messages: [{ role: 'user', content: 'x' }] }, 400, 'invalid_request_error'],
    ['an unknown model', helloMessages({ model: 'nope' }), 404, 'not_found_error'],
  ])('answers %s with an Anthropic error and no vendor call', async (_name, body, status, type) => {
    const proxy = proxyWith(configFor([claude()]));
    const res = await proxy.messages(body);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ type: 'error', error: { type } });
    expect(proxy.mock.calls()).toHaveLength(0);
  });

  it('answers 503 with the attempts when every target failed and degraded replies are off', async () => {
    const proxy = proxyWith(configFor([claude('status=529'), { scenario: 'status=503' }], { degraded: { enabled: false } }));
    const res = await proxy.messages(helloMessages());
    expect(res.status).toBe(503);
    expect(res.headers.get('x-should-retry')).toBe('false');
    const body = (await res.json()) as { error: { type: string; attempts: { provider: string; status: number }[] } };
    expect(body.error.type).toBe('api_error');
    expect(body.error.attempts.map((a) => a.status)).toContain(529);
  });

  it('answers with a degraded reply in the Anthropic shape, streaming too', async () => {
    const degraded = { enabled: true, notice: '(offline)', defaultReply: 'Try again soon.', rules: [] };
    const proxy = proxyWith(configFor([claude('status=529')], { degraded }));
    const res = await proxy.messages(helloMessages());
    expect(res.headers.get('x-proxy-source')).toBe('degraded');
    expect(((await res.json()) as Message).content).toEqual([{ type: 'text', text: 'Try again soon.\n\n(offline)' }]);
    const events = await anthropicEvents(await proxy.messages(helloMessages({ stream: true })));
    expect(anthropicText(events)).toBe('Try again soon.\n\n(offline)');
    expect(events.at(-1)?.event).toBe('message_stop');
  });

  it('serves a repeated request from the cache as a message and as an event stream', async () => {
    const proxy = proxyWith(configFor([claude()]), { ...KEYS, CACHE: env.CACHE });
    const body = helloMessages({ messages: [{ role: 'user', content: `cache me ${Date.now()}` }] });
    await (await proxy.messages(body)).text();
    await proxy.settle();
    const hit = await proxy.messages(body);
    expect(hit.headers.get('x-proxy-cache')).toBe('HIT');
    expect(((await hit.json()) as Message).content).toEqual([{ type: 'text', text: REPLY }]);
    const streamed = await proxy.messages({ ...body, stream: true });
    expect(streamed.headers.get('x-proxy-cache')).toBe('HIT');
    expect(anthropicText(await anthropicEvents(streamed))).toBe(REPLY);
    expect(proxy.mock.calls()).toHaveLength(1);
  });

  it('never shows the vendor key, even when the vendor echoes it', async () => {
    const proxy = proxyWith(configFor([claude(`status=401&message=bad key ${KEYS.MOCK_A_KEY}`)], { degraded: { enabled: false } }));
    const res = await proxy.messages(helloMessages());
    const text = `${JSON.stringify([...res.headers])}${await res.text()}`;
    expect(text).not.toContain(KEYS.MOCK_A_KEY);
  });
});
