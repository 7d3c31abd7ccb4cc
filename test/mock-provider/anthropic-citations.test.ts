// Tests scenario `citations` on /v1/messages: the char_location citation on the text block, whole and streamed (runs in workerd).

import { describe, expect, it } from 'vitest';
import { data, message, messages, streamedText } from './anthropic-test-client.ts';
import { createMockProvider } from './handler.ts';
import { sseEvents } from './sse-reader.ts';

const document = {
  type: 'document',
  title: 'Weather report',
  source: { type: 'text', media_type: 'text/plain', data: 'It is sunny in Paris. Rain is due tomorrow.' },
  citations: { enabled: true },
};
const withDocuments = {
  messages: [
    {
      role: 'user',
      content: [
        { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } },
        document,
        { type: 'text', text: 'What is the weather?' },
      ],
    },
  ],
};
const cited = {
  type: 'char_location',
  cited_text: 'It is sunny in Paris.',
  document_index: 1,
  document_title: 'Weather report',
  start_char_index: 0,
  end_char_index: 21,
  file_id: null,
};

describe('scenario citations', () => {
  it('cites the first sentence of the first plain-text document, numbered among all documents', async () => {
    const answer = await message(await messages(createMockProvider(), 'citations', withDocuments));
    expect(answer.content).toEqual([{ type: 'text', text: 'Hello from the mock provider.', citations: [cited] }]);
  });

  it('cites the last user text as document 0 when no plain-text document was sent', async () => {
    const answer = await message(await messages(createMockProvider(), 'citations,reply=Yes.'));
    expect(answer.content[0]).toEqual({
      type: 'text',
      text: 'Yes.',
      citations: [
        {
          type: 'char_location',
          cited_text: 'Say hello',
          document_index: 0,
          document_title: null,
          start_char_index: 0,
          end_char_index: 9,
          file_id: null,
        },
      ],
    });
  });

  it('streams a citations_delta inside the text block, before its text deltas', async () => {
    const events = sseEvents(await (await messages(createMockProvider(), 'citations', { ...withDocuments, stream: true })).text());
    const deltas = events.filter((event) => event.event === 'content_block_delta').map((event) => data(event));
    expect(deltas[0]).toEqual({ type: 'content_block_delta', index: 0, delta: { type: 'citations_delta', citation: cited } });
    expect(deltas.slice(1).map((delta) => (delta.delta as { type: string }).type)).toEqual(Array<string>(5).fill('text_delta'));
    expect(streamedText(events)).toBe('Hello from the mock provider.');
    expect(data(events.at(-2))).toMatchObject({ usage: { output_tokens: 5 } });
  });

  it('leaves text without citations when the flag is off, and tool calls alone when it is on', async () => {
    const provider = createMockProvider();
    expect((await message(await messages(provider, '', withDocuments))).content[0]).not.toHaveProperty('citations');
    const tools = [{ name: 'search', input_schema: { type: 'object' } }];
    expect((await message(await messages(provider, 'citations', { tools }))).content[0]).toMatchObject({ type: 'tool_use' });
  });

  it('cites after the thinking block when thinking is on', async () => {
    const answer = await message(await messages(createMockProvider(), 'citations', { ...withDocuments, thinking: { type: 'adaptive' } }));
    expect(answer.content.map((block) => block.type)).toEqual(['thinking', 'text']);
    expect(answer.content[1]).toMatchObject({ citations: [cited] });
  });
});
