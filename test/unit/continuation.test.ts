// Continuation requests (stream rescue): the same call asking a vendor to continue the text the caller already has.
import { describe, expect, it } from 'vitest';
import { deepseekPrefixBaseUrl } from '../../src/protocols/openai-chat/continuation.ts';
import { chatRequestSchema } from '../../src/protocols/openai-chat/schema.ts';
import { TARGETS, targetCall } from '../../src/protocols/registry.ts';
import { type ProviderId, parseChat, parseMessages, targetOn } from './helpers/config.ts';

const ask = [{ role: 'user', content: 'Count to five' }];

/** The continuation of `text` for a chat request with `messages`, on a target of `provider`. */
function continueChat(provider: ProviderId, text: string, messages: unknown[] = ask) {
  const target = targetOn(provider);
  const call = targetCall(parseChat({ model: 'chat', messages, stream: true }), target, 'k');
  return TARGETS[target.provider.protocol].continuation(call, text, target);
}

describe('continuation on OpenAI-compatible targets', () => {
  it('adds a trailing assistant message holding exactly the text sent', () => {
    const call = continueChat('ollama', 'One, two, ');
    expect(call.body.messages).toEqual([...ask, { role: 'assistant', content: 'One, two, ' }]);
    expect(call.body.stream).toBe(true);
    expect(call.trimmed).toBe(false);
    expect(call.url).toBe('http://127.0.0.1:11434/v1/chat/completions');
    expect(chatRequestSchema.safeParse(call.body).success).toBe(true);
  });

  it('marks the prefix for DeepSeek and sends it to DeepSeek’s beta API', () => {
    const call = continueChat('deepseek', 'One,');
    expect(call.body.messages).toEqual([...ask, { role: 'assistant', content: 'One,', prefix: true }]);
    expect(call.url).toBe('https://api.deepseek.com/beta/chat/completions');
  });

  it('extends the caller’s own assistant prefill instead of adding a second one', () => {
    const prefill = [...ask, { role: 'assistant', content: 'Sure: ' }];
    expect(continueChat('ollama', 'one, two', prefill).body.messages).toEqual([...ask, { role: 'assistant', content: 'Sure: one, two' }]);
  });

  it('extends a prefill written as content parts too', () => {
    const prefill = [...ask, { role: 'assistant', content: [{ type: 'text', text: 'Sure: ' }] }];
    expect(continueChat('ollama', 'one, two', prefill).body.messages).toEqual([...ask, { role: 'assistant', content: 'Sure: one, two' }]);
  });

  it('leaves an assistant turn with tool calls alone and adds the prefix after it', () => {
    const calls = {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
    };
    const messages = [...ask, calls];
    expect(continueChat('ollama', 'x', messages).body.messages).toEqual([...messages, { role: 'assistant', content: 'x' }]);
  });

  it('sends the plain request, streamed, when nothing was said yet', () => {
    expect(continueChat('ollama', '').body.messages).toEqual(ask);
  });

  it.each([
    ['https://api.deepseek.com', 'https://api.deepseek.com/beta'],
    ['https://api.deepseek.com/v1', 'https://api.deepseek.com/beta'],
    ['http://127.0.0.1:9000/v1', undefined],
  ])('uses DeepSeek’s beta URL for %s: %s', (base, expected) => {
    expect(deepseekPrefixBaseUrl(base)).toBe(expected);
  });
});

describe('continuation on Anthropic targets', () => {
  const claude = targetOn('claude');
  const continueFrom = (body: Record<string, unknown>, text: string) =>
    TARGETS.anthropic.continuation(targetCall(parseMessages({ model: 'chat', max_tokens: 100, ...body }), claude, 'k'), text, claude);

  it('adds a prefill without its trailing whitespace, which Anthropic refuses, and says so', () => {
    const call = continueFrom({ messages: ask }, 'One, two, ');
    expect(call.body.messages).toEqual([...ask, { role: 'assistant', content: 'One, two,' }]);
    expect(call.trimmed).toBe(true);
    expect(call.body.stream).toBe(true);
  });

  it('continues a chat request translated for Anthropic the same way', () => {
    const call = TARGETS.anthropic.continuation(
      targetCall(parseChat({ model: 'chat', messages: ask, stream: true }), claude, 'k'),
      'One, two, ',
      claude,
    );
    expect(call.body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Count to five' }] },
      { role: 'assistant', content: 'One, two,' },
    ]);
    expect(call.trimmed).toBe(true);
  });

  it('is not trimmed when the text ends without whitespace', () => {
    expect(continueFrom({ messages: ask }, 'One, two').trimmed).toBe(false);
  });

  it('extends the caller’s string prefill', () => {
    const call = continueFrom({ messages: [...ask, { role: 'assistant', content: 'Sure: ' }] }, 'one');
    expect(call.body.messages).toEqual([...ask, { role: 'assistant', content: 'Sure: one' }]);
  });

  it('appends a text block to the caller’s block prefill, keeping its blocks', () => {
    const thinking = { type: 'thinking', thinking: '', signature: 'sig' };
    const call = continueFrom({ messages: [...ask, { role: 'assistant', content: [thinking] }] }, 'one ');
    expect(call.body.messages).toEqual([...ask, { role: 'assistant', content: [thinking, { type: 'text', text: 'one' }] }]);
  });

  it('leaves an assistant turn ending in tool_use alone', () => {
    const toolUse = { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] };
    const call = continueFrom({ messages: [...ask, toolUse] }, 'x');
    expect(call.body.messages).toEqual([...ask, toolUse, { role: 'assistant', content: 'x' }]);
  });

  it('keeps the caller’s query and headers on the rescued call', () => {
    const target = targetOn('claude');
    const request = parseMessages({ model: 'chat', max_tokens: 5, messages: ask }, { header: () => undefined, query: '?beta=true' });
    const call = TARGETS.anthropic.continuation(targetCall(request, target, 'k'), 'x', target);
    expect(call.url).toBe('https://claude.test/v1/messages?beta=true');
  });
});
