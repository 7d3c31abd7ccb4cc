// Stream rescue's pure parts: the continuation request per protocol, the seam between two vendors' chunks, usage.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { rescuerFor } from '../../src/continuation.ts';
import { chatToAnthropic } from '../../src/protocols/chat-to-anthropic.ts';
import { continuationRequest, deepseekPrefixBaseUrl } from '../../src/protocols/continuation.ts';
import { type ChatRequest, chatRequestSchema } from '../../src/protocols/openai-schema.ts';
import { addUsage, estimatedBrokenUsage, Seam } from '../../src/stream-rescue.ts';

const request = (messages: unknown[]): ChatRequest => chatRequestSchema.parse({ model: 'chat', messages, stream: true });
const ask = request([{ role: 'user', content: 'Count to five' }]);

describe('continuationRequest', () => {
  it('adds a trailing assistant message holding exactly the text sent (OpenAI-compatible vendors)', () => {
    const { body, trimmed } = continuationRequest(ask, 'One, two, ', 'trailing');
    expect(body.messages.at(-1)).toEqual({ role: 'assistant', content: 'One, two, ' });
    expect(body.stream).toBe(true);
    expect(trimmed).toBe(false);
    expect(chatRequestSchema.safeParse(body).success).toBe(true);
  });

  it('marks the prefix for DeepSeek', () => {
    expect(continuationRequest(ask, 'One,', 'deepseek').body.messages.at(-1)).toEqual({ role: 'assistant', content: 'One,', prefix: true });
  });

  it('cuts trailing whitespace for Anthropic, which refuses it, and says so', () => {
    const { body, trimmed } = continuationRequest(ask, 'One, two, ', 'anthropic');
    expect(body.messages.at(-1)).toEqual({ role: 'assistant', content: 'One, two,' });
    expect(trimmed).toBe(true);
    const messages = chatToAnthropic(body, { model: 'claude', maxTokens: 100, stream: true }).messages as {
      role: string;
      content: unknown;
    }[];
    expect(messages.at(-1)).toEqual({ role: 'assistant', content: [{ type: 'text', text: 'One, two,' }] });
  });

  it('extends the caller’s own assistant prefill instead of adding a second one', () => {
    const withPrefill = request([
      { role: 'user', content: 'Count' },
      { role: 'assistant', content: 'Sure: ' },
    ]);
    const { body } = continuationRequest(withPrefill, 'one, two', 'trailing');
    expect(body.messages).toEqual([
      { role: 'user', content: 'Count' },
      { role: 'assistant', content: 'Sure: one, two' },
    ]);
  });

  it('sends the plain request when nothing was said yet', () => {
    expect(continuationRequest(ask, '', 'trailing').body.messages).toEqual(ask.messages);
  });

  it.each([
    ['https://api.deepseek.com', 'https://api.deepseek.com/beta'],
    ['https://api.deepseek.com/v1', 'https://api.deepseek.com/beta'],
    ['http://127.0.0.1:9000/v1', undefined],
  ])('uses DeepSeek’s beta URL for %s: %s', (base, expected) => {
    expect(deepseekPrefixBaseUrl(base)).toBe(expected);
  });
});

describe('Seam', () => {
  const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    id: 'chatcmpl-second',
    created: 99,
    model: 'second-model',
    choices: [{ index: 0, delta, finish_reason: null }],
    ...extra,
  });

  it('keeps the first id and time, the new model, and drops the second role and reasoning', () => {
    const seam = new Seam({ id: 'chatcmpl-first', created: 1 }, undefined, 2, false);
    const role = chunk({ role: 'assistant', content: '' });
    expect(seam.rewrite(role)).toBe(false);
    const text = chunk({ content: ' three', reasoning_content: 'hmm' });
    expect(seam.rewrite(text)).toBe(true);
    expect(text).toEqual({
      id: 'chatcmpl-first',
      created: 1,
      model: 'second-model',
      choices: [{ index: 0, delta: { content: ' three' }, finish_reason: null }],
    });
  });

  it('drops leading whitespace at the seam when the prefix lost its trailing whitespace', () => {
    const seam = new Seam({ id: 'a', created: 1 }, undefined, 0, true);
    const blank = chunk({ content: ' ' });
    expect(seam.rewrite(blank)).toBe(false);
    const word = chunk({ content: ' three' });
    seam.rewrite(word);
    expect(word.choices[0]?.delta).toEqual({ content: 'three' });
    const next = chunk({ content: ' four' });
    seam.rewrite(next);
    expect(next.choices[0]?.delta).toEqual({ content: ' four' });
  });

  it('adds the broken attempt’s usage when it reported one', () => {
    const seam = new Seam({ id: 'a', created: 1 }, { prompt_tokens: 10, completion_tokens: 3, total_tokens: 13 }, 3, false);
    const usage = { id: 'x', choices: [], usage: { prompt_tokens: 13, completion_tokens: 4, total_tokens: 17 } };
    expect(seam.rewrite(usage)).toBe(true);
    expect(usage.usage).toEqual({ prompt_tokens: 23, completion_tokens: 7, total_tokens: 30 });
  });

  it('estimates the broken attempt’s usage from its chunks when it reported none', () => {
    const seam = new Seam({ id: 'a', created: 1 }, undefined, 3, false);
    const usage = { id: 'x', choices: [], usage: { prompt_tokens: 13, completion_tokens: 4, total_tokens: 17 } };
    seam.rewrite(usage);
    expect(usage.usage).toEqual({ prompt_tokens: 23, completion_tokens: 7, total_tokens: 30 });
    expect(estimatedBrokenUsage({ prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 }, 5)).toEqual({
      prompt_tokens: 0,
      completion_tokens: 5,
      total_tokens: 5,
    });
    expect(
      addUsage({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }, { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }),
    ).toEqual({
      prompt_tokens: 2,
      completion_tokens: 3,
      total_tokens: 5,
    });
  });
});

describe('rescuerFor', () => {
  const targetsOf = (config: unknown) => {
    const parsed = parseConfig(config);
    if (!parsed.ok) throw new Error(parsed.issues.join('; '));
    return parsed.config.models.get('chat') ?? [];
  };
  const context = (targets: ReturnType<typeof targetsOf>) => ({
    targets,
    continueWith: () => {
      throw new Error('not called');
    },
    breakers: undefined,
    env: {},
    fetch,
    clientSignal: undefined,
    requestId: 'r',
    clientWantsUsage: false,
    secrets: [],
    attempts: [],
  });
  const providers = {
    a: { protocol: 'openai', baseUrl: 'http://a.test/v1' },
    b: { protocol: 'openai', baseUrl: 'http://b.test/v1' },
    claude: { preset: 'anthropic', baseUrl: 'http://c.test/v1' },
    ds: { preset: 'deepseek', baseUrl: 'http://d.test/v1' },
  };
  const chain = (targets: unknown[], retry: Record<string, unknown> = {}) => targetsOf({ providers, models: { chat: { targets } }, retry });

  it.each([
    ['no later target has prefill', ['a', 'b'], false],
    ['Claude (anthropic preset) comes later', ['a', 'claude'], true],
    ['DeepSeek (deepseek preset) comes later', ['a', 'ds'], true],
    ['a later target is marked prefill', ['a', 'b+prefill'], true],
    ['the prefill target comes first', ['claude', 'a'], false],
  ])('exists for the first target when %s: %s', (_name, names, exists) => {
    const targets = chain(
      names.map((n) => (n.endsWith('+prefill') ? { provider: n.slice(0, -8), model: 'm', prefill: true } : { provider: n, model: 'm' })),
    );
    expect(rescuerFor(context(targets), 0) !== undefined).toBe(exists);
  });

  it('is off when the broken target says streamRecovery "error"', () => {
    const targets = chain([
      { provider: 'a', model: 'm', retry: { streamRecovery: 'error' } },
      { provider: 'claude', model: 'm' },
    ]);
    expect(rescuerFor(context(targets), 0)).toBeUndefined();
  });

  it('never continues past a content-policy stop', async () => {
    const rescue = rescuerFor(
      context(
        chain([
          { provider: 'a', model: 'm' },
          { provider: 'claude', model: 'm' },
        ]),
      ),
      0,
    );
    await expect(rescue?.('partial', { kind: 'stream_error', code: 'content_filter', type: '', message: '' })).resolves.toBeUndefined();
  });
});
