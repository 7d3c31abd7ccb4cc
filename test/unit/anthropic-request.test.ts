// Anthropic Messages callers: what the inbound check refuses, what it lets through as sent, and what it reads.
import { describe, expect, it } from 'vitest';
import { ProxyError } from '../../src/errors.ts';
import { anthropicErrorBody, messagesCaller } from '../../src/protocols/anthropic/caller.ts';
import overloaded from '../fixtures/anthropic/error-overloaded.json?raw';
import textMessage from '../fixtures/anthropic/message-text.json?raw';
import { httpWith, parseMessages } from './helpers/config.ts';

const ask = [{ role: 'user', content: 'x' }];
const body = (extra: Record<string, unknown>) => ({ model: 'chat', max_tokens: 5, messages: ask, ...extra });

/** The 400 a body gets, or undefined when it is accepted. */
function refusal(value: unknown): ProxyError | undefined {
  try {
    parseMessages(value);
    return undefined;
  } catch (err) {
    if (err instanceof ProxyError) return err;
    throw err;
  }
}

describe('messagesCaller.parse refuses what the proxy reads and finds wrong', () => {
  // A bad block is reported at its turn's content (the content is a string or a list of blocks).
  it.each<[string, string, unknown]>([
    ['no max_tokens', 'max_tokens', { model: 'chat', messages: ask }],
    ['no messages', 'messages', body({ messages: [] })],
    ['an empty model', 'model', body({ model: '' })],
    ['temperature above 1', 'temperature', body({ temperature: 1.5 })],
    ['a role that is no turn', 'messages.0.role', body({ messages: [{ role: 'tool', content: 'x' }] })],
    ['a text block without text', 'messages.0.content', body({ messages: [{ role: 'user', content: [{ type: 'text' }] }] })],
    [
      'an image without data',
      'messages.0.content',
      body({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: '' } }] }] }),
    ],
    [
      'a tool_use block without an id',
      'messages.0.content',
      body({ messages: [{ role: 'assistant', content: [{ type: 'tool_use', name: 'f', input: {} }] }] }),
    ],
    ['a custom tool named with spaces', 'tools.0.name', body({ tools: [{ name: 'get weather', input_schema: { type: 'object' } }] })],
    ['a thinking budget below 1024', 'thinking.budget_tokens', body({ thinking: { type: 'enabled', budget_tokens: 100 } })],
    ['a tool choice naming no tool', 'tool_choice.name', body({ tool_choice: { type: 'tool' } })],
  ])('refuses %s with a 400 at %s', (_name, path, value) => {
    const err = refusal(value);
    expect(err?.status).toBe(400);
    expect(err?.param?.startsWith(path)).toBe(true);
    expect(err?.message).toContain(`${path}`);
  });
});

describe('messagesCaller.parse lets through what a vendor may know, as sent', () => {
  it.each<[string, Record<string, unknown>]>([
    ['a mid-conversation system message', body({ messages: [...ask, { role: 'system', content: 'Env: linux' }] })],
    ['a server tool', body({ tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 3 }] })],
    ['a custom tool with defer_loading', body({ tools: [{ name: 'Later', input_schema: { type: 'object' }, defer_loading: true }] })],
    ['an unknown top-level field', body({ context_management: { edits: [{ type: 'clear_thinking_20251015' }] } })],
    ['an unknown block', body({ messages: [{ role: 'user', content: [{ type: 'video', url: 'x' }] }] })],
    ['adaptive thinking with display omitted', body({ thinking: { type: 'adaptive', display: 'omitted' } })],
    ['a thinking type newer than the proxy', body({ thinking: { type: 'auto' } })],
    ['output_config', body({ output_config: { effort: 'medium' } })],
    ['a tool choice newer than the proxy', body({ tool_choice: { type: 'some_future_choice' } })],
    [
      'cache_control on a thinking block',
      body({
        messages: [
          { role: 'assistant', content: [{ type: 'thinking', thinking: '', signature: 's', cache_control: { type: 'ephemeral' } }] },
        ],
      }),
    ],
    ['a frequency_penalty (not Anthropic’s: the vendor judges it)', body({ frequency_penalty: 1 })],
  ])('accepts %s and keeps the body untouched', (_name, value) => {
    const copy = structuredClone(value);
    const request = parseMessages(value);
    expect(request.body).toBe(value);
    expect(value).toEqual(copy);
  });
});

describe('what a Messages request says about itself', () => {
  const http = httpWith(
    { 'anthropic-beta': 'context-1m-2025-08-07', 'anthropic-version': '2023-06-01', 'x-api-key': 'caller-key', 'user-agent': 'cli' },
    '?beta=true',
  );
  const request = parseMessages(body({ stream: true, max_tokens: 300, messages: [...ask, { role: 'assistant', content: 'ok' }] }), http);

  it('reads model, stream, limit and turns; one choice, and usage always shown', () => {
    expect(request).toMatchObject({ model: 'chat', stream: true, maxTokens: 300, messageCount: 2, choices: 1, wantsUsage: true });
    expect(request.caller).toBe(messagesCaller);
  });

  it('forwards anthropic-beta, anthropic-version and the query, and no other header', () => {
    expect(request.forward).toEqual({
      headers: { 'anthropic-beta': 'context-1m-2025-08-07', 'anthropic-version': '2023-06-01' },
      query: '?beta=true',
    });
  });

  it('forwards no empty header', () => {
    expect(parseMessages(body({}), httpWith({ 'anthropic-beta': '' })).forward.headers).toEqual({});
  });
});

describe('Anthropic errors and answers', () => {
  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [402, 'billing_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [413, 'request_too_large'],
    [422, 'invalid_request_error'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [503, 'api_error'],
    [504, 'timeout_error'],
    [529, 'overloaded_error'],
  ])('renders a %i proxy error as Anthropic %s', (status, type) => {
    const error = new ProxyError(status, 'some_code', 'What went wrong.');
    expect(anthropicErrorBody(error)).toEqual({ type: 'error', error: { type, message: 'What went wrong.', code: 'some_code' } });
    expect(messagesCaller.errorBody(error)).toEqual(anthropicErrorBody(error));
  });

  it('lists the attempts on the all-failed error', () => {
    const attempts = [{ provider: 'claude', model: 'm', status: 529, ms: 3, retryable: true }];
    const body = anthropicErrorBody(new ProxyError(503, 'all_targets_failed', 'Every provider failed.', { attempts }));
    expect(body.error).toMatchObject({ type: 'api_error', attempts });
  });

  it('reads a message’s model and usage (cache reads and writes are prompt tokens), and caches it', () => {
    expect(messagesCaller.readAnswer(JSON.parse(textMessage))).toEqual({
      model: 'claude-sonnet-4-5-20250929',
      usage: { prompt_tokens: 12, completion_tokens: 11, total_tokens: 23 },
      cacheable: true,
    });
  });

  it('serves a refusal but never caches it', () => {
    const refusal = { ...JSON.parse(textMessage), stop_reason: 'refusal' };
    expect(messagesCaller.readAnswer(refusal)?.cacheable).toBe(false);
  });

  it.each([
    ['an error body', JSON.parse(overloaded)],
    ['a message without content', { type: 'message' }],
    ['text', 'message'],
  ])('reads %s as no answer', (_name, value) => {
    expect(messagesCaller.readAnswer(value)).toBeUndefined();
  });
});
