// Token counting: the request checked, the vendor call, the vendor's count read, and the proxy's own estimate.
import { describe, expect, it } from 'vitest';
import { ProxyError } from '../../src/errors.ts';
import {
  CHARS_PER_TOKEN,
  countTokensCall,
  estimateInputTokens,
  parseCountTokens,
  readCount,
  TOKENS_PER_ATTACHMENT,
} from '../../src/protocols/anthropic/count-tokens.ts';
import type { Json } from '../../src/protocols/json.ts';
import { CLAUDE_CODE_COUNTS, CLAUDE_CODE_MESSAGES } from './helpers/claude-code.ts';
import { httpWith, targetOn } from './helpers/config.ts';

const estimate = (body: Json) => estimateInputTokens(parseCountTokens(body, httpWith()).parsed);
const tokens = (chars: number) => Math.ceil(chars / CHARS_PER_TOKEN);

/** The status of the ProxyError `run` throws, or undefined when it throws none. */
function statusOf(run: () => unknown): number | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    if (err instanceof ProxyError) return err.status;
    throw err;
  }
}

describe('estimateInputTokens', () => {
  it('counts a quarter token per character of the system prompt and the turns, rounded up', () => {
    expect(estimate({ model: 'm', system: 'abcd', messages: [{ role: 'user', content: 'hello' }] })).toBe(tokens(4 + 5));
    expect(estimate({ model: 'm', messages: [{ role: 'user', content: 'foo' }] })).toBe(1);
  });

  it('counts system blocks, text, thinking, tool calls, tool results and tool definitions', () => {
    const tool = { name: 'get_weather', input_schema: { type: 'object' } };
    const body = {
      model: 'm',
      system: [{ type: 'text', text: 'Be brief.' }],
      tools: [tool],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Use it.', signature: 'sig' },
            { type: 'tool_use', id: 't', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 't', content: '18°C' },
            { type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'ok' }] },
          ],
        },
      ],
    };
    const chars =
      'Be brief.'.length +
      'Weather?'.length +
      'Use it.'.length +
      `get_weather${JSON.stringify({ city: 'Paris' })}`.length +
      '18°C'.length +
      JSON.stringify([{ type: 'text', text: 'ok' }]).length +
      JSON.stringify(tool).length;
    expect(estimate(body)).toBe(tokens(chars));
  });

  it('counts 1,600 tokens per image or document, whatever its size', () => {
    const image = { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'A'.repeat(100_000) } };
    const pdf = { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } };
    expect(estimate({ model: 'm', messages: [{ role: 'user', content: [image, pdf] }] })).toBe(2 * TOKENS_PER_ATTACHMENT);
  });

  it('counts a block or a server tool it does not know as its JSON', () => {
    const block = { type: 'search_result', content: 'abc' };
    const tool = { type: 'web_search_20250305', name: 'web_search' };
    expect(estimate({ model: 'm', tools: [tool], messages: [{ role: 'user', content: [block] }] })).toBe(
      tokens(JSON.stringify(block).length + JSON.stringify(tool).length),
    );
  });

  it.each(CLAUDE_CODE_COUNTS.map((r) => [r.name, r] as const))(
    'estimates Claude Code’s %s request from its text and tools',
    (_name, recorded) => {
      const body = recorded.body as { messages: { content: string }[]; tools: unknown[] };
      const chars =
        body.messages.reduce((n, m) => n + m.content.length, 0) + body.tools.reduce<number>((n, t) => n + JSON.stringify(t).length, 0);
      expect(estimate(recorded.body)).toBe(tokens(chars));
    },
  );

  it('grows with the conversation: each Claude Code turn estimates more than the one before', () => {
    const [first, second] = CLAUDE_CODE_MESSAGES.filter((r) => r.name.startsWith('two-steps-redacted')).map((r) => estimate(r.body));
    expect(second).toBeGreaterThan(first ?? Number.POSITIVE_INFINITY);
  });
});

describe('parseCountTokens', () => {
  it.each<[string, unknown]>([
    ['a body without messages', { model: 'm' }],
    ['an empty message list', { model: 'm', messages: [] }],
    ['a body without a model', { messages: [{ role: 'user', content: 'x' }] }],
    ['a turn of no known role', { model: 'm', messages: [{ role: 'robot', content: 'x' }] }],
    ['a body that is no object', 'count me'],
  ])('refuses %s with a 400', (_name, body) => {
    expect(statusOf(() => parseCountTokens(body, httpWith()))).toBe(400);
  });

  it('needs no max_tokens, and keeps the body and the forwarded betas and query', () => {
    const body = { model: 'm', messages: [{ role: 'user', content: 'x' }], x_future: 1 };
    const call = parseCountTokens(body, httpWith({ 'anthropic-beta': 'token-counting-2024-11-01' }, '?beta=true'));
    expect(call.body).toBe(body);
    expect(call.forward).toEqual({ headers: { 'anthropic-beta': 'token-counting-2024-11-01' }, query: '?beta=true' });
  });
});

describe('the vendor call and its count', () => {
  it('sends the body as written, with the target’s model, to /messages/count_tokens with the query, key and betas', () => {
    const body = { model: 'chat', messages: [{ role: 'user', content: 'x' }], tools: [] };
    const request = parseCountTokens(body, httpWith({ 'anthropic-beta': 'b1' }, '?beta=true'));
    expect(countTokensCall(request, targetOn('claude'), 'sk-ant')).toEqual({
      url: 'https://claude.test/v1/messages/count_tokens?beta=true',
      headers: { 'anthropic-version': '2023-06-01', 'anthropic-beta': 'b1', 'x-api-key': 'sk-ant' },
      body: { ...body, model: 'upstream-model' },
      mode: 'passthrough',
    });
  });

  it.each<[unknown, number | undefined]>([
    [{ input_tokens: 42 }, 42],
    [{ input_tokens: '42' }, undefined],
    [{ type: 'error' }, undefined],
    [null, undefined],
  ])('reads %j as the count %s', (value, count) => {
    expect(readCount(value)).toBe(count);
  });
});
