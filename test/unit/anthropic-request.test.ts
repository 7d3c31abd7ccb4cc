// Requests translated both ways: an Anthropic caller's Messages request in, the internal request out to Anthropic targets.
import { describe, expect, it } from 'vitest';
import { messagesRequestSchema } from '../../src/protocols/anthropic-schema.ts';
import { anthropicToChat } from '../../src/protocols/anthropic-to-chat.ts';
import { chatToAnthropic, DEFAULT_ANTHROPIC_MAX_TOKENS, UnsupportedRequest } from '../../src/protocols/chat-to-anthropic.ts';
import { type ChatRequest, chatRequestSchema } from '../../src/protocols/openai-schema.ts';

const PNG = 'iVBORw0KGgo=';
const weatherTool = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

const messages = (body: Record<string, unknown>) => messagesRequestSchema.parse({ model: 'chat', max_tokens: 256, ...body });
const chat = (body: Record<string, unknown>): ChatRequest => chatRequestSchema.parse({ model: 'chat', ...body });
const toClaude = (body: ChatRequest, maxTokens?: number) => chatToAnthropic(body, { model: 'claude-sonnet-4-5', maxTokens, stream: false });

describe('anthropicToChat', () => {
  it('turns the system prompt into a leading system message and keeps max_tokens', () => {
    const { body } = anthropicToChat(messages({ system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] }));
    expect(body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ]);
    expect(body.max_tokens).toBe(256);
    expect(chatRequestSchema.safeParse(body).success).toBe(true);
  });

  it('keeps system text blocks and their cache_control marks', () => {
    const system = [{ type: 'text', text: 'Long policy', cache_control: { type: 'ephemeral' } }];
    const { body } = anthropicToChat(messages({ system, messages: [{ role: 'user', content: 'Hi' }] }));
    expect(body.messages[0]).toEqual({
      role: 'system',
      content: [{ type: 'text', text: 'Long policy', cache_control: { type: 'ephemeral' } }],
    });
  });

  it('maps images (base64 and URL) and PDFs to image_url and file parts', () => {
    const content = [
      { type: 'text', text: 'What is in these?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' }, title: 'report' },
    ];
    const { body } = anthropicToChat(messages({ messages: [{ role: 'user', content }] }));
    expect(body.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'What is in these?' },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
        { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'report.pdf' } },
      ],
    });
    expect(chatRequestSchema.safeParse(body).success).toBe(true);
  });

  it('turns tool_use into tool_calls and tool_result into tool messages before the user text', () => {
    const { body } = anthropicToChat(
      messages({
        tools: [weatherTool],
        tool_choice: { type: 'tool', name: 'get_weather', disable_parallel_tool_use: true },
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'Use the tool.', signature: 'sig' },
              { type: 'text', text: 'Checking.' },
              { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '18°C' }] },
              { type: 'text', text: 'And tomorrow?' },
            ],
          },
        ],
      }),
    );
    expect(body.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: 'Checking.',
        reasoning_content: 'Use the tool.',
        tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: '18°C' },
      { role: 'user', content: [{ type: 'text', text: 'And tomorrow?' }] },
    ]);
    expect(body.tools).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: weatherTool.input_schema } },
    ]);
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
    expect(body.parallel_tool_calls).toBe(false);
    expect(chatRequestSchema.safeParse(body).success).toBe(true);
  });

  it('marks a failed tool result as an error in the text', () => {
    const content = [{ type: 'tool_result', tool_use_id: 't', content: 'no such city', is_error: true }];
    const { body } = anthropicToChat(messages({ messages: [{ role: 'user', content }] }));
    expect(body.messages).toEqual([{ role: 'tool', tool_call_id: 't', content: 'Error: no such city' }]);
  });

  it.each([
    [{ type: 'auto' }, 'auto'],
    [{ type: 'any' }, 'required'],
    [{ type: 'none' }, 'none'],
  ])('maps tool_choice %j to %j', (choice, expected) => {
    const { body } = anthropicToChat(messages({ tools: [weatherTool], tool_choice: choice, messages: [{ role: 'user', content: 'x' }] }));
    expect(body.tool_choice).toBe(expected);
  });

  it('maps sampling and metadata, and keeps Anthropic-only parameters apart', () => {
    const { body, extras } = anthropicToChat(
      messages({
        messages: [{ role: 'user', content: 'x' }],
        stop_sequences: ['END'],
        temperature: 0.2,
        top_p: 0.9,
        top_k: 40,
        metadata: { user_id: 'u-1' },
        thinking: { type: 'enabled', budget_tokens: 2048 },
        stream: true,
      }),
    );
    expect(body).toMatchObject({ stop: ['END'], temperature: 0.2, top_p: 0.9, user: 'u-1', stream: true });
    expect(body).not.toHaveProperty('top_k');
    expect(body).not.toHaveProperty('thinking');
    expect(extras).toEqual({ top_k: 40, thinking: { type: 'enabled', budget_tokens: 2048 } });
  });
});

describe('messagesRequestSchema', () => {
  it.each([
    ['no max_tokens', { model: 'chat', messages: [{ role: 'user', content: 'x' }] }],
    ['no messages', { model: 'chat', max_tokens: 5, messages: [] }],
    ['a system role message', { model: 'chat', max_tokens: 5, messages: [{ role: 'system', content: 'x' }] }],
    [
      'a server tool',
      {
        model: 'chat',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'x' }],
        tools: [{ type: 'web_search_20250305', name: 'web_search' }],
      },
    ],
    ['an unknown field', { model: 'chat', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], frequency_penalty: 1 }],
    ['temperature above 1', { model: 'chat', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], temperature: 1.5 }],
    ['an unknown block', { model: 'chat', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'video', url: 'x' }] }] }],
  ])('refuses %s', (_name, body) => {
    expect(messagesRequestSchema.safeParse(body).success).toBe(false);
  });
});

describe('chatToAnthropic', () => {
  it('joins system and developer messages into system and merges same-role neighbours', () => {
    const out = toClaude(
      chat({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'One' },
          { role: 'developer', content: 'Answer in French.' },
          { role: 'user', content: 'Two' },
        ],
      }),
    );
    expect(out.system).toEqual([
      { type: 'text', text: 'Be brief.' },
      { type: 'text', text: 'Answer in French.' },
    ]);
    expect(out.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'One' },
          { type: 'text', text: 'Two' },
        ],
      },
    ]);
  });

  it('sends tool calls as tool_use and tool messages as tool_result blocks of one user turn', () => {
    const out = toClaude(
      chat({
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: weatherTool.input_schema } }],
        tool_choice: 'required',
        parallel_tool_calls: false,
        messages: [
          { role: 'user', content: 'Weather in Paris and Rome?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: 'c2', type: 'function', function: { name: 'get_weather', arguments: 'not json' } },
            ],
          },
          { role: 'tool', tool_call_id: 'c1', content: '18°C' },
          { role: 'tool', tool_call_id: 'c2', content: [{ type: 'text', text: '21°C' }] },
        ],
      }),
    );
    expect(out.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'c1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'c2', name: 'get_weather', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'c1', content: '18°C' },
          { type: 'tool_result', tool_use_id: 'c2', content: '21°C' },
        ],
      },
    ]);
    expect(out.tools).toEqual([{ name: 'get_weather', input_schema: weatherTool.input_schema }]);
    expect(out.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
  });

  it('sends data-URL images as base64 sources and other URLs as url sources', () => {
    const out = toClaude(
      chat({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'low' } },
            ],
          },
        ],
      }),
    );
    expect(out.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
        ],
      },
    ]);
  });

  it('takes max_tokens from the request, else the target, else the default', () => {
    const base = { messages: [{ role: 'user', content: 'x' }] };
    expect(toClaude(chat({ ...base, max_completion_tokens: 77 }), 500).max_tokens).toBe(77);
    expect(toClaude(chat({ ...base, max_tokens: 66 }), 500).max_tokens).toBe(66);
    expect(toClaude(chat(base), 500).max_tokens).toBe(500);
    expect(toClaude(chat(base)).max_tokens).toBe(DEFAULT_ANTHROPIC_MAX_TOKENS);
  });

  it('clamps temperature to 1, maps stop, user and top_k, and keeps a trailing assistant prefill', () => {
    const out = toClaude(
      chat({
        messages: [
          { role: 'user', content: 'Count' },
          { role: 'assistant', content: 'One, two,' },
        ],
        temperature: 1.6,
        stop: 'END',
        user: 'u-9',
        top_k: 5,
      }),
    );
    expect(out).toMatchObject({ temperature: 1, stop_sequences: ['END'], metadata: { user_id: 'u-9' }, top_k: 5 });
    expect(out.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Count' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'One, two,' }] },
    ]);
  });

  it('passes an Anthropic caller’s extras through', () => {
    const out = chatToAnthropic(chat({ messages: [{ role: 'user', content: 'x' }] }), {
      model: 'm',
      maxTokens: undefined,
      stream: true,
      extras: { top_k: 3, thinking: { type: 'enabled', budget_tokens: 1024 } },
    });
    expect(out).toMatchObject({ stream: true, top_k: 3, thinking: { type: 'enabled', budget_tokens: 1024 } });
  });

  it.each([
    ['n > 1', { n: 2 }],
    ['logprobs', { logprobs: true }],
    ['a JSON response format', { response_format: { type: 'json_object' } }],
    ['audio output', { modalities: ['text', 'audio'] }],
  ])('refuses %s as unsupported', (_name, extra) => {
    expect(() => toClaude(chat({ messages: [{ role: 'user', content: 'x' }], ...extra }))).toThrow(UnsupportedRequest);
  });

  it('refuses audio input as unsupported', () => {
    const content = [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }];
    expect(() => toClaude(chat({ messages: [{ role: 'user', content }] }))).toThrow(UnsupportedRequest);
  });
});
