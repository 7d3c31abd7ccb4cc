import { describe, expect, it } from 'vitest';
import { proxyConfigSchema } from '../../src/config/schema.ts';
import { degradedReply, lastUserText } from '../../src/pipeline/degraded.ts';

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

describe('lastUserText', () => {
  it('reads the last user message, joining text parts', () => {
    expect(
      lastUserText([
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
    expect(lastUserText([{ role: 'system', content: 's' }])).toBe('');
  });
});
