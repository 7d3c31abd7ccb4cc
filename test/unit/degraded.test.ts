// Degraded replies: the rule chosen for the last user message, which each caller protocol reads out of its own request.
import { describe, expect, it } from 'vitest';
import { proxyConfigSchema } from '../../src/config/schema.ts';
import { degradedReply } from '../../src/pipeline/degraded.ts';
import { embeddingsCaller } from '../../src/protocols/openai-chat/embeddings.ts';
import { httpWith, parseChat, parseMessages } from './helpers/config.ts';

const degraded = proxyConfigSchema.parse({
  providers: {},
  models: {},
  degraded: {
    notice: '(automatic reply)',
    defaultReply: 'We are busy.',
    rules: [
      { match: ['price', '价格'], reply: 'Plans start at $10.' },
      { match: ['^refund\\b', 'money back'], regex: true, reply: 'Refunds take 5 days.' },
    ],
  },
}).degraded;

describe('degradedReply', () => {
  it.each([
    ['What is the PRICE?', 'Plans start at $10.'],
    ['这个价格是多少', 'Plans start at $10.'],
    ['Refund please', 'Refunds take 5 days.'],
    ['I want my MONEY BACK', 'Refunds take 5 days.'],
    ['a refund please', 'We are busy.'],
    ['hello', 'We are busy.'],
    ['', 'We are busy.'],
  ])('answers %j with %j and the notice', (text, reply) => {
    expect(degradedReply(degraded, text)).toBe(`${reply}\n\n(automatic reply)`);
  });

  it('uses the first matching rule', () => {
    expect(degradedReply(degraded, 'price of a refund')).toMatch(/^Plans start/);
  });

  it('omits an empty notice', () => {
    expect(degradedReply({ ...degraded, notice: '' }, 'hello')).toBe('We are busy.');
  });

  it('refuses an invalid regex in the config', () => {
    const result = proxyConfigSchema.safeParse({
      providers: {},
      models: {},
      degraded: { rules: [{ match: ['(['], regex: true, reply: 'x' }] },
    });
    expect(result.success).toBe(false);
  });
});

describe('lastUserText of a chat request', () => {
  const last = (messages: unknown[]) => parseChat({ model: 'chat', messages }).lastUserText();

  it('reads the last user message, joining its text parts and skipping images and later tool messages', () => {
    expect(
      last([
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'ok' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'a' },
            { type: 'image_url', image_url: { url: 'https://x/y.png' } },
            { type: 'text', text: 'b' },
          ],
        },
        { role: 'tool', content: 'r', tool_call_id: 'c' },
      ]),
    ).toBe('a\nb');
  });

  it('is empty without a user message', () => {
    expect(last([{ role: 'system', content: 's' }])).toBe('');
  });

  it('passes over messages of roles it does not know', () => {
    expect(
      last([
        { role: 'user', content: 'question' },
        { role: 'critic', content: 'x' },
      ]),
    ).toBe('question');
  });
});

describe('lastUserText of a Messages request', () => {
  const last = (messages: unknown[]) => parseMessages({ model: 'chat', max_tokens: 10, messages }).lastUserText();

  it('reads a string turn as it is', () => {
    expect(last([{ role: 'user', content: 'How much is it?' }])).toBe('How much is it?');
  });

  it('joins the text blocks of the last user turn that has text, past turns holding only tool results', () => {
    expect(
      last([
        {
          role: 'user',
          content: [
            { type: 'text', text: 'refund' },
            { type: 'text', text: 'please' },
          ],
        },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'done' }] },
      ]),
    ).toBe('refund\nplease');
  });

  it('is empty without user text', () => {
    expect(last([{ role: 'assistant', content: 'hi' }])).toBe('');
  });
});

describe('lastUserText of an embeddings request', () => {
  it('is undefined: embeddings get no degraded reply', () => {
    expect(embeddingsCaller.parse({ model: 'e', input: 'hello' }, httpWith()).lastUserText()).toBeUndefined();
  });
});
