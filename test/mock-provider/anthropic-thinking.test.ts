// Tests the mock's signed thinking on /v1/messages: blocks, signatures, omitted display, redacted thinking, streaming and usage (runs in workerd).

import { describe, expect, it } from 'vitest';
import { data, message, messages, streamedText, tampered } from './anthropic-test-client.ts';
import type { ContentBlock } from './anthropic-wire.ts';
import { splitPieces } from './chat-reply.ts';
import { createMockProvider } from './handler.ts';
import { sseEvents } from './sse-reader.ts';
import { verifyRedacted, verifyThinking } from './thinking-signature.ts';

const enabled = { thinking: { type: 'enabled', budget_tokens: 1024 }, max_tokens: 2048 };
const adaptive = { thinking: { type: 'adaptive' } };
const omitted = { thinking: { type: 'adaptive', display: 'omitted' } };
const tools = [{ name: 'search', input_schema: { type: 'object' } }];
const reply = { type: 'text', text: 'Hello from the mock provider.' };

function thinkingOf(block: ContentBlock | undefined): { thinking: string; signature: string } {
  if (block?.type !== 'thinking') throw new Error(`expected a thinking block, got ${JSON.stringify(block)}`);
  return block;
}

describe('thinking on /v1/messages', () => {
  it.each([
    ['enabled', enabled],
    ['adaptive', adaptive],
  ])('starts a %s answer with a thinking block the mock signed for exactly its text', async (_, body) => {
    const answer = await message(await messages(createMockProvider(), '', body));
    expect(answer.content).toHaveLength(2);
    const { thinking, signature } = thinkingOf(answer.content[0]);
    expect(thinking).toBe('No tool is needed here. I will reply: "Hello from the mock provider.".');
    expect(signature).toMatch(/^mocksig_[0-9a-f]{64}$/);
    expect(verifyThinking(thinking, signature)).toBe(true);
    expect(verifyThinking(`${thinking} `, signature)).toBe(false);
    expect(answer.content[1]).toEqual(reply);
    expect(answer.usage.output_tokens).toBe(splitPieces(thinking).length + 5);
  });

  it('signs the same thinking the same way on every mock instance', async () => {
    const [a, b] = await Promise.all([createMockProvider(), createMockProvider({ name: 'other' })].map((p) => messages(p, '', adaptive)));
    const first = thinkingOf((await message(a as Response)).content[0]);
    const second = thinkingOf((await message(b as Response)).content[0]);
    expect(second).toEqual(first);
  });

  it('thinks before a tool call, and the thinking names the call', async () => {
    const answer = await message(await messages(createMockProvider(), '', { ...adaptive, tools }));
    expect(answer.content.map((block) => block.type)).toEqual(['thinking', 'tool_use']);
    expect(thinkingOf(answer.content[0]).thinking).toBe('The user wants the search tool, so I will call it with {"query":"Say hello"}.');
    expect(answer.stop_reason).toBe('tool_use');
  });

  it('shows no thinking text for display "omitted" but still signs and bills the hidden reasoning', async () => {
    const provider = createMockProvider();
    const shown = thinkingOf((await message(await messages(provider, '', adaptive))).content[0]);
    const answer = await message(await messages(provider, '', omitted));
    const hidden = thinkingOf(answer.content[0]);
    expect(hidden.thinking).toBe('');
    expect(hidden.signature).toMatch(/^mocksig_omitted_/);
    expect(verifyThinking('', hidden.signature)).toBe(true);
    expect(verifyThinking(shown.thinking, hidden.signature)).toBe(false);
    expect(answer.usage.output_tokens).toBe(splitPieces(shown.thinking).length + 5);
    const tool = thinkingOf((await message(await messages(provider, '', { ...omitted, tools }))).content[0]);
    expect(tool.signature).not.toBe(hidden.signature);
  });

  it.each([
    ['no thinking field', {}],
    ['thinking disabled', { thinking: { type: 'disabled' } }],
  ])('answers as before with %s, even with redacted-thinking', async (_, body) => {
    const answer = await message(await messages(createMockProvider(), 'redacted-thinking', body));
    expect(answer.content).toEqual([reply]);
    expect(answer.usage.output_tokens).toBe(5);
  });

  it('puts a verifiable redacted_thinking block before the thinking block for redacted-thinking', async () => {
    const answer = await message(await messages(createMockProvider(), 'redacted-thinking', adaptive));
    expect(answer.content.map((block) => block.type)).toEqual(['redacted_thinking', 'thinking', 'text']);
    const redacted = answer.content[0];
    if (redacted?.type !== 'redacted_thinking') throw new Error('no redacted block');
    expect(redacted.data).toMatch(/^mockredacted_/);
    expect(verifyRedacted(redacted.data)).toBe(true);
    expect(verifyRedacted(tampered(redacted.data))).toBe(false);
    const plain = await message(await messages(createMockProvider(), '', adaptive));
    expect(answer.usage.output_tokens).toBeGreaterThan(plain.usage.output_tokens);
  });
});

describe('thinking on a streamed /v1/messages', () => {
  const stream = { ...adaptive, stream: true };

  it('streams the thinking block first: start, thinking deltas, one signature_delta, stop; then the text at index 1', async () => {
    const provider = createMockProvider();
    const whole = await message(await messages(provider, '', adaptive));
    const expected = thinkingOf(whole.content[0]);
    const events = sseEvents(await (await messages(provider, '', stream)).text());
    const names = events.map((event) => event.event);
    const thinkingDeltas = events.filter((event) => event.event === 'content_block_delta' && data(event).index === 0);
    expect(names).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      ...thinkingDeltas.map(() => 'content_block_delta'),
      'content_block_stop',
      'content_block_start',
      ...Array<string>(5).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(data(events[1])).toEqual({
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'thinking', thinking: '', signature: '' },
    });
    const deltas = thinkingDeltas.map((event) => data(event).delta as { type: string; thinking?: string; signature?: string });
    expect(deltas.length).toBeGreaterThanOrEqual(2);
    expect(deltas.slice(0, -1).every((delta) => delta.type === 'thinking_delta')).toBe(true);
    expect(deltas.map((delta) => delta.thinking ?? '').join('')).toBe(expected.thinking);
    expect(deltas.at(-1)).toEqual({ type: 'signature_delta', signature: expected.signature });
    const stopAt = names.indexOf('content_block_stop');
    expect(data(events[stopAt])).toEqual({ type: 'content_block_stop', index: 0 });
    expect(data(events[stopAt + 1])).toEqual({ type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } });
    expect(data(events.at(-3))).toEqual({ type: 'content_block_stop', index: 1 });
    expect(streamedText(events)).toBe(reply.text);
    expect(data(events.at(-2))).toMatchObject({ usage: { output_tokens: whole.usage.output_tokens } });
  });

  it('streams only the signature for display "omitted", and a tool_use after the thinking', async () => {
    const events = sseEvents(await (await messages(createMockProvider(), '', { ...omitted, tools, stream: true })).text());
    const deltas = events.filter((event) => event.event === 'content_block_delta').map((event) => data(event));
    expect(deltas[0]).toMatchObject({ index: 0, delta: { type: 'signature_delta' } });
    expect(deltas.slice(1).every((delta) => delta.index === 1 && (delta.delta as { type: string }).type === 'input_json_delta')).toBe(true);
    const starts = events.filter((event) => event.event === 'content_block_start').map((event) => data(event).content_block);
    expect(starts).toEqual([
      { type: 'thinking', thinking: '', signature: '' },
      { type: 'tool_use', id: 'toolu_mock_1', name: 'search', input: {} },
    ]);
  });

  it('streams redacted_thinking as one whole block with no deltas, before the thinking block', async () => {
    const provider = createMockProvider();
    const whole = await message(await messages(provider, 'redacted-thinking', adaptive));
    const events = sseEvents(await (await messages(provider, 'redacted-thinking', stream)).text());
    expect(events.slice(0, 6).map((event) => event.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
    ]);
    expect(data(events[1])).toEqual({ type: 'content_block_start', index: 0, content_block: whole.content[0] });
    expect(data(events[3])).toEqual({ type: 'content_block_stop', index: 0 });
    expect(data(events[4])).toMatchObject({ index: 1, content_block: { type: 'thinking' } });
    expect(events.filter((event) => event.event === 'content_block_start').map((event) => data(event).index)).toEqual([0, 1, 2]);
  });

  it('counts thinking deltas as content events for stream faults', async () => {
    const text = await (await messages(createMockProvider(), 'error-event-after=1', stream)).text();
    const events = sseEvents(text);
    expect(events.map((event) => event.event)).toEqual(['message_start', 'content_block_start', 'ping', 'content_block_delta', 'error']);
    expect(data(events[3])).toMatchObject({ index: 0, delta: { type: 'thinking_delta' } });
  });
});
