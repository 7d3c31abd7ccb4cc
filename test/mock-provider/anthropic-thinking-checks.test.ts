// Tests Anthropic's checks on thinking sent back to the mock: the tool-loop rule, forged signatures and redacted data (runs in workerd).

import { describe, expect, it } from 'vitest';
import { errorOf, hello, message, messages, tampered } from './anthropic-test-client.ts';
import type { ContentBlock } from './anthropic-wire.ts';
import { createMockProvider } from './handler.ts';
import { signThinking } from './thinking-signature.ts';

const adaptive = { thinking: { type: 'adaptive' } };
const enabled = { thinking: { type: 'enabled', budget_tokens: 2048 }, max_tokens: 4096 };
const tools = [{ name: 'search', input_schema: { type: 'object' } }];
const toolUse = { type: 'tool_use', id: 'toolu_1', name: 'search', input: { query: 'x' } };
const result = { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' }] };

/** A conversation that ends in a tool loop whose assistant turn holds `assistant`. */
const loop = (assistant: unknown) => [...hello, { role: 'assistant', content: assistant }, result];

const rule =
  'When `thinking` is enabled, a final `assistant` message must start with a thinking block (preceeding the lastmost set of ' +
  '`tool_use` and `tool_result` blocks). We recommend you include thinking blocks from previous turns. To avoid this ' +
  'requirement, disable `thinking`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking';

describe('the tool-loop rule with thinking on', () => {
  it('accepts the loop when the assistant turn sent back the thinking the mock answered', async () => {
    const provider = createMockProvider();
    for (const scenario of ['', 'redacted-thinking']) {
      const call = await message(await messages(provider, scenario, { ...adaptive, tools }));
      const after = await message(await messages(provider, scenario, { ...adaptive, tools, messages: loop(call.content) }));
      expect(after.content.at(-1)).toEqual({ type: 'text', text: 'Tool said: sunny' });
    }
  });

  it.each([
    ['a text block', [{ type: 'text', text: 'Let me look.' }, toolUse], 'text'],
    ['a bare tool_use', [toolUse], 'tool_use'],
  ])('refuses the loop when the assistant turn starts with %s, in Anthropic wording', async (_, assistant, found) => {
    for (const body of [adaptive, enabled]) {
      const error = await errorOf(await messages(createMockProvider(), '', { ...body, tools, messages: loop(assistant) }));
      expect(error).toEqual({
        status: 400,
        type: 'invalid_request_error',
        message: `messages.1.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${found}\`. ${rule}`,
      });
    }
  });

  it('names the assistant message that holds the last tool_use, and merges trailing user turns', async () => {
    const old = [{ type: 'text', text: 'Hi' }];
    const conversation = [
      ...hello,
      { role: 'assistant', content: old },
      { role: 'user', content: 'Search.' },
      { role: 'assistant', content: [toolUse] },
    ];
    const withText = [...conversation, result, { role: 'user', content: 'and be quick' }];
    const error = await errorOf(await messages(createMockProvider(), '', { ...adaptive, tools, messages: withText }));
    expect(error.message).toMatch(/^messages\.3\.content\.0\.type: Expected/);
  });

  it('does not apply without thinking, nor when the conversation does not end in a tool loop', async () => {
    const provider = createMockProvider();
    const bare = loop([toolUse]);
    expect((await messages(provider, '', { tools, messages: bare })).status).toBe(200);
    expect((await messages(provider, '', { thinking: { type: 'disabled' }, tools, messages: bare })).status).toBe(200);
    const answered = [...bare, { role: 'assistant', content: 'Sunny.' }, { role: 'user', content: 'Thanks' }];
    expect((await messages(provider, '', { ...adaptive, tools, messages: answered })).status).toBe(200);
  });
});

describe('thinking blocks the mock did not issue', () => {
  const signed = (text: string): ContentBlock => ({ type: 'thinking', thinking: text, signature: signThinking(text) });

  it.each([
    ['a made-up signature', { type: 'thinking', thinking: 'Hmm.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3h' }],
    ['an edited thinking text', { ...signed('I will search.'), thinking: 'I will not search.' }],
    ['a tampered signature', { ...signed('I will search.'), signature: tampered(signThinking('I will search.')) }],
    ['an empty text with a summarized signature', { ...signed('I will search.'), thinking: '' }],
  ])('refuses %s, with or without thinking on', async (_, block) => {
    for (const body of [adaptive, {}]) {
      const error = await errorOf(await messages(createMockProvider(), '', { ...body, tools, messages: loop([block, toolUse]) }));
      expect(error).toEqual({
        status: 400,
        type: 'invalid_request_error',
        message: 'messages.1.content.0: Invalid `signature` in `thinking` block',
      });
    }
  });

  it('refuses redacted_thinking data the mock did not issue, and points at the block', async () => {
    const provider = createMockProvider();
    const issued = (await message(await messages(provider, 'redacted-thinking', adaptive))).content;
    const redacted = issued[0];
    if (redacted?.type !== 'redacted_thinking') throw new Error('no redacted block');
    const forged = [{ ...redacted, data: tampered(redacted.data) }, ...issued.slice(1)];
    const conversation = [
      ...hello,
      { role: 'assistant', content: issued },
      { role: 'user', content: 'Again' },
      { role: 'assistant', content: forged },
    ];
    const error = await errorOf(await messages(provider, '', { messages: [...conversation, { role: 'user', content: 'Go on' }] }));
    expect(error.message).toBe('messages.3.content.0: Invalid `data` in `redacted_thinking` block');
    const made = [{ type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' }, toolUse];
    expect((await errorOf(await messages(provider, '', { ...adaptive, tools, messages: loop(made) }))).message).toBe(
      'messages.1.content.0: Invalid `data` in `redacted_thinking` block',
    );
  });

  it('accepts thinking signed by another mock instance for the same text', async () => {
    const assistant = [signed('Looking it up.'), toolUse];
    expect((await messages(createMockProvider({ name: 'b' }), '', { ...adaptive, tools, messages: loop(assistant) })).status).toBe(200);
  });
});
