// Same protocol is lossless, requests (SPEC section 2): the vendor gets the caller's body with only `model` replaced, plus the proxy's documented additions.
import { describe, expect, it } from 'vitest';
import type { CallerRequest } from '../../src/protocols/adapter.ts';
import { isObject, type Json } from '../../src/protocols/json.ts';
import { embeddingsCaller } from '../../src/protocols/openai-chat/embeddings.ts';
import { targetCall } from '../../src/protocols/registry.ts';
import textMessage from '../fixtures/anthropic/message-text.json?raw';
import thinkingMessage from '../fixtures/anthropic/message-thinking.json?raw';
import toolMessage from '../fixtures/anthropic/message-tool-use.json?raw';
import { CLAUDE_CODE_MESSAGES } from './helpers/claude-code.ts';
import { httpWith, parseChat, parseMessages, targetOn } from './helpers/config.ts';
import { chatBody, messagesBody } from './helpers/requests.ts';
import { pick, reorder, seeded, unknownFields } from './helpers/seeded.ts';

const SEEDS = Array.from({ length: 60 }, (_, i) => i + 1);
const BETAS = ['', 'context-1m-2025-08-07', 'claude-code-20250219,interleaved-thinking-2025-05-14'];

/** What a target of the caller's protocol gets, as the bytes sent upstream, checking the caller's body was not touched. */
function sent(request: CallerRequest, provider: Parameters<typeof targetOn>[0], extra: Record<string, unknown> = {}) {
  const before = JSON.stringify(request.body);
  const target = targetOn(provider, { model: 'vendor-model', ...extra });
  const call = targetCall(request, target, 'key-1');
  expect(call.mode).toBe('passthrough');
  expect(JSON.stringify(request.body)).toBe(before);
  return { call, text: JSON.stringify(call.body), target };
}

describe('an Anthropic caller and an Anthropic target', () => {
  it.each(CLAUDE_CODE_MESSAGES.map((r) => [r.name, r] as const))(
    'gives the vendor Claude Code’s %s request as sent but the model, with its betas, version and query',
    (_name, recorded) => {
      const { call, text } = sent(parseMessages(recorded.body, httpWith(recorded.headers, recorded.query)), 'claude');
      expect(text).toBe(JSON.stringify({ ...recorded.body, model: 'vendor-model' }));
      expect(call.url).toBe(`https://claude.test/v1/messages${recorded.query}`);
      expect(call.headers).toEqual({
        'anthropic-version': recorded.headers['anthropic-version'],
        'anthropic-beta': recorded.headers['anthropic-beta'],
        'x-api-key': 'key-1',
      });
    },
  );

  it.each(CLAUDE_CODE_MESSAGES.map((r) => [r.name, r] as const))(
    'keeps Claude Code’s %s request whole when its fields come in any order with fields and blocks the proxy does not know',
    (_name, recorded) => {
      for (const seed of SEEDS.slice(0, 10)) {
        const random = seeded(seed);
        const messages = (recorded.body.messages as Json[]).map((m) => reorder(random, m));
        const body = reorder(random, { ...recorded.body, messages, ...unknownFields(random) });
        expect(sent(parseMessages(body), 'claude').text).toBe(JSON.stringify({ ...body, model: 'vendor-model' }));
      }
    },
  );

  it.each(SEEDS)('gives the vendor a generated Messages request (seed %i) as sent but the model', (seed) => {
    const random = seeded(seed);
    const body = messagesBody(random);
    const beta = pick(random, BETAS);
    const request = parseMessages(body, httpWith(beta === '' ? {} : { 'anthropic-beta': beta }, pick(random, ['', '?beta=true'])));
    const { call, text } = sent(request, 'claude');
    expect(text).toBe(JSON.stringify({ ...body, model: 'vendor-model' }));
    expect(call.headers['anthropic-beta']).toBe(beta === '' ? undefined : beta);
  });

  it.each([
    ['text', textMessage],
    ['thinking', thinkingMessage],
    ['tool-use', toolMessage],
  ])('carries the recorded %s answer back as sent, signature included, in the next request', (_name, raw) => {
    const answer = JSON.parse(raw) as Json;
    const body = {
      model: 'chat',
      max_tokens: 1024,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: answer.content },
        { role: 'user', content: [{ type: 'text', text: 'Thanks', cache_control: { type: 'ephemeral' } }] },
      ],
    };
    expect(sent(parseMessages(body), 'claude').text).toBe(JSON.stringify({ ...body, model: 'vendor-model' }));
  });

  it('generates every block kind, mid-conversation system turns, server tools and unknown fields across the seeds', () => {
    const text = SEEDS.map((seed) => JSON.stringify(messagesBody(seeded(seed)))).join('\n');
    const kinds = [
      'thinking',
      'redacted_thinking',
      'server_tool_use',
      'web_search_tool_result',
      'mcp_tool_use',
      'future_block_kind',
      'search_result',
      'tool_result',
      'document',
      'image',
    ];
    for (const kind of kinds) expect(text).toContain(`"type":"${kind}"`);
    for (const marker of [
      '"role":"system"',
      '"cache_control"',
      '"signature"',
      '"defer_loading"',
      '"web_search_20250305"',
      '"x_vendor_',
      '"citations"',
    ])
      expect(text).toContain(marker);
  });

  it('sends the version the caller named, else the default one', () => {
    const body = { model: 'chat', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] };
    expect(sent(parseMessages(body, httpWith({ 'anthropic-version': '2024-01-01' })), 'claude').call.headers['anthropic-version']).toBe(
      '2024-01-01',
    );
    expect(sent(parseMessages(body), 'claude').call.headers['anthropic-version']).toBe('2023-06-01');
  });
});

/** The caller's body with the target's model and the documented additions of a chat passthrough. */
function expectedChat(body: Json, target: ReturnType<typeof targetOn>): Json {
  const out: Json = { ...body, model: target.model };
  if (!target.provider.streamOptions) delete out.stream_options;
  else if (body.stream === true)
    out.stream_options = { ...(isObject(body.stream_options) ? body.stream_options : {}), include_usage: true };
  if (target.maxTokens !== undefined && body.max_tokens == null && body.max_completion_tokens == null) {
    out[target.provider.outputLimitField] = target.maxTokens;
  }
  return out;
}

describe('an OpenAI caller and an OpenAI-compatible target', () => {
  it.each(SEEDS)('gives the vendor a generated chat request (seed %i) as sent but the model, stream usage and a missing limit', (seed) => {
    const random = seeded(seed);
    const body = chatBody(random);
    const provider = pick(random, ['oai', 'plain', 'deepseek', 'ollama', 'mistral'] as const);
    const extra = random() < 0.5 ? { maxTokens: 777 } : {};
    const { call, text, target } = sent(parseChat(body), provider, extra);
    expect(text).toBe(JSON.stringify(expectedChat(body, target)));
    expect(call.url).toBe(`${target.provider.baseUrl}/chat/completions`);
    expect(call.headers).toEqual({ authorization: 'Bearer key-1' });
  });

  it('generates unknown roles and parts, vendor extensions and streams across the seeds', () => {
    const text = SEEDS.map((seed) => JSON.stringify(chatBody(seeded(seed)))).join('\n');
    for (const marker of [
      '"role":"critic"',
      '"input_video"',
      '"enable_thinking"',
      '"provider"',
      '"stream":true',
      '"stream_options"',
      '"reasoning_content"',
      '"x_vendor_',
    ])
      expect(text).toContain(marker);
  });

  it.each<[string, Json, Json]>([
    ['adds usage to a stream', { stream: true }, { stream: true, stream_options: { include_usage: true } }],
    [
      'turns a usage refusal into a request',
      { stream: true, stream_options: { include_usage: false } },
      { stream: true, stream_options: { include_usage: true } },
    ],
    [
      'keeps other stream options',
      { stream: true, stream_options: { continuous_usage_stats: true } },
      { stream: true, stream_options: { continuous_usage_stats: true, include_usage: true } },
    ],
    ['asks no usage of a plain answer', { stream: false }, { stream: false }],
  ])('%s', (_name, extra, expected) => {
    const body = { model: 'chat', messages: [{ role: 'user', content: 'x' }], ...extra };
    expect(sent(parseChat(body), 'oai').call.body).toEqual({ ...body, ...expected, model: 'vendor-model' });
  });

  it('leaves stream_options out for a vendor that refuses it (Mistral)', () => {
    const body = { model: 'chat', messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: true } };
    expect(sent(parseChat(body), 'mistral').call.body).toEqual({ model: 'vendor-model', messages: body.messages, stream: true });
  });

  it('adds the target’s maxTokens only when the caller set no limit of either name, in the field the vendor takes', () => {
    const body = { model: 'chat', messages: [{ role: 'user', content: 'x' }] };
    expect(sent(parseChat(body), 'plain', { maxTokens: 50 }).call.body.max_tokens).toBe(50);
    expect(sent(parseChat(body), 'oai', { maxTokens: 50 }).call.body).toMatchObject({ max_completion_tokens: 50 });
    expect(sent(parseChat({ ...body, max_tokens: 9 }), 'oai', { maxTokens: 50 }).call.body).toEqual({
      ...body,
      model: 'vendor-model',
      max_tokens: 9,
    });
    expect(sent(parseChat({ ...body, max_completion_tokens: 9 }), 'oai', { maxTokens: 50 }).call.body).not.toHaveProperty('max_tokens');
  });

  it('sends the client’s cap as the output limit of a request that names none, within the target’s own maxTokens', () => {
    const request = parseChat({ model: 'chat', messages: [{ role: 'user', content: 'x' }] });
    expect(targetCall(request, targetOn('plain'), 'k', 64).body.max_tokens).toBe(64);
    expect(targetCall(request, targetOn('plain', { maxTokens: 32 }), 'k', 64).body.max_tokens).toBe(32);
    expect(targetCall(request, targetOn('plain', { maxTokens: 500 }), 'k', 64).body.max_tokens).toBe(64);
    expect(targetCall(request, targetOn('oai'), 'k', 64).body).toMatchObject({ max_completion_tokens: 64 });
    expect(targetCall(parseChat({ ...request.body, max_tokens: 10 }), targetOn('plain'), 'k', 64).body.max_tokens).toBe(10);
  });
});

describe('an embeddings caller and an OpenAI-compatible target', () => {
  it.each(SEEDS.slice(0, 20))('gives the vendor a generated embeddings request (seed %i) as sent but the model', (seed) => {
    const random = seeded(seed);
    const body = reorder(random, {
      model: 'embed',
      input: pick(random, ['hello', ['a', 'b'], [1, 2, 3]]),
      dimensions: 256,
      ...unknownFields(random),
    });
    const request = embeddingsCaller.parse(body, httpWith());
    const { call, text } = sent(request, pick(random, ['oai', 'mistral'] as const), { maxTokens: 5 });
    expect(text).toBe(JSON.stringify({ ...body, model: 'vendor-model' }));
    expect(call.url).toMatch(/\/embeddings$/);
  });
});
