// Anthropic Messages requests translated for OpenAI-compatible targets: what each part becomes, what is dropped, what is refused.
import { describe, expect, it } from 'vitest';
import type { Json } from '../../src/protocols/json.ts';
import { chatRequestSchema } from '../../src/protocols/openai-chat/schema.ts';
import { targetCall } from '../../src/protocols/registry.ts';
import { parseMessages, targetOn } from './helpers/config.ts';

const PNG = 'iVBORw0KGgo=';
const weatherTool = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};
const ask = [{ role: 'user', content: 'x' }];
const oai = targetOn('oai', { model: 'gpt-4o' });

const request = (body: Record<string, unknown>) => parseMessages({ model: 'chat', max_tokens: 256, ...body });
/** The chat body an OpenAI-compatible target gets for an Anthropic request. */
const toChat = (body: Record<string, unknown>): Json => {
  const call = targetCall(request(body), oai, 'k');
  expect(call.mode).toBe('translate');
  expect(chatRequestSchema.safeParse(call.body).success).toBe(true);
  return call.body;
};
const user = (content: unknown) => toChat({ messages: [{ role: 'user', content }] }).messages;

describe('Anthropic request -> Chat Completions body', () => {
  it('calls the target’s chat endpoint with its model, its key and the caller’s max_tokens in the field the preset takes', () => {
    const call = targetCall(request({ system: 'Be brief.', messages: [{ role: 'user', content: 'Hi' }] }), oai, 'sk-1');
    expect(call.url).toBe('https://oai.test/v1/chat/completions');
    expect(call.headers).toEqual({ authorization: 'Bearer sk-1' });
    expect(call.body).toEqual({
      model: 'gpt-4o',
      max_completion_tokens: 256,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
    });
  });

  it('joins system blocks into one system message (OpenAI has no cache marks)', () => {
    const system = [
      { type: 'text', text: 'Long policy', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'Second part' },
    ];
    expect(toChat({ system, messages: ask }).messages).toEqual([
      { role: 'system', content: 'Long policy\n\nSecond part' },
      { role: 'user', content: 'x' },
    ]);
  });

  it('moves a mid-conversation system message into the system text, after the system prompt', () => {
    const messages = [
      { role: 'user', content: 'Hi' },
      { role: 'system', content: [{ type: 'text', text: 'Env: linux', cache_control: { type: 'ephemeral' } }] },
      { role: 'assistant', content: 'Hello' },
      { role: 'system', content: 'Today is Monday' },
    ];
    expect(toChat({ system: 'Be brief.', messages }).messages).toEqual([
      { role: 'system', content: 'Be brief.\n\nEnv: linux\n\nToday is Monday' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello' },
    ]);
  });

  it('maps images (base64 and URL), PDFs and text documents to image_url, file and text parts', () => {
    expect(
      user([
        { type: 'text', text: 'What is in these?' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
        { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
        { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' }, title: 'report' },
        { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } },
        { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'Plain notes' } },
      ]),
    ).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in these?' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
          { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'report.pdf' } },
          { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'document.pdf' } },
          { type: 'text', text: 'Plain notes' },
        ],
      },
    ]);
  });

  it('turns tool_use into tool_calls, thinking into reasoning_content, and tool_result into tool messages before the user text', () => {
    const body = toChat({
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
    });
    expect(body.messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: 'Checking.',
        reasoning_content: 'Use the tool.',
        tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', tool_call_id: 'toolu_1', content: '18°C' },
      { role: 'user', content: 'And tomorrow?' },
    ]);
    expect(body.tools).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: weatherTool.input_schema } },
    ]);
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });
    expect(body.parallel_tool_calls).toBe(false);
  });

  it('marks a failed tool result as an error in its text, and shows an image it returned to the user turn', () => {
    expect(
      user([
        { type: 'tool_result', tool_use_id: 't1', content: 'no such city', is_error: true },
        {
          type: 'tool_result',
          tool_use_id: 't2',
          content: [
            { type: 'text', text: 'chart' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          ],
        },
      ]),
    ).toEqual([
      { role: 'tool', tool_call_id: 't1', content: 'Error: no such city' },
      { role: 'tool', tool_call_id: 't2', content: 'chart' },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } }] },
    ]);
  });

  it('carries thinking without a signature too, and leaves redacted thinking out: only Anthropic can read it', () => {
    const assistant = [
      { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix' },
      { type: 'thinking', thinking: 'Plain reasoning.' },
      { type: 'text', text: 'Done.' },
    ];
    const body = toChat({ messages: [...ask, { role: 'assistant', content: assistant }] });
    expect(body.messages).toEqual([
      { role: 'user', content: 'x' },
      { role: 'assistant', content: 'Done.', reasoning_content: 'Plain reasoning.' },
    ]);
    expect(JSON.stringify(body)).not.toContain('EmwKAhgBEgy3va3pzix');
  });

  it('renders server tool blocks of the history as text the other vendor can read, and drops server tools', () => {
    const search = { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'weather paris' } };
    const results = { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: [{ type: 'web_search_result', title: 'Météo' }] };
    const body = toChat({
      tools: [{ type: 'web_search_20250305', name: 'web_search' }, weatherTool],
      messages: [...ask, { role: 'assistant', content: [search, results, { type: 'text', text: 'Sunny.' }] }],
    });
    expect(body.messages).toEqual([
      { role: 'user', content: 'x' },
      {
        role: 'assistant',
        content: `[called web_search with {"query":"weather paris"}][web_search_tool_result: ${JSON.stringify(results.content)}]Sunny.`,
      },
    ]);
    expect(body.tools).toEqual([expect.objectContaining({ function: expect.objectContaining({ name: 'get_weather' }) })]);
    expect(request({ tools: [{ type: 'web_search_20250305', name: 'web_search' }], messages: ask }).toModel().dropped).toEqual([
      'tools.0 (web_search_20250305)',
    ]);
  });

  it('shortens a long server tool block to 2,000 characters', () => {
    const fetched = { type: 'web_fetch_tool_result', tool_use_id: 's', content: { text: 'y'.repeat(5000) } };
    const [, assistant] = toChat({ messages: [...ask, { role: 'assistant', content: [fetched] }] }).messages as Json[];
    const text = String(assistant?.content);
    expect(text.startsWith('[web_fetch_tool_result: {"text":"yyy')).toBe(true);
    expect(text.endsWith('…]')).toBe(true);
    expect(text.length).toBe('[web_fetch_tool_result: '.length + 2000 + '…]'.length);
  });

  it.each([
    [{ type: 'auto' }, 'auto'],
    [{ type: 'any' }, 'required'],
    [{ type: 'none' }, 'none'],
  ])('maps tool_choice %j to %j', (choice, expected) => {
    expect(toChat({ tools: [weatherTool], tool_choice: choice, messages: ask }).tool_choice).toBe(expected);
  });

  it('maps sampling, stop sequences, metadata.user_id and streaming, and leaves top_k and thinking out', () => {
    const body = toChat({
      messages: ask,
      stop_sequences: ['END'],
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      metadata: { user_id: 'u-1' },
      thinking: { type: 'enabled', budget_tokens: 2048 },
      stream: true,
    });
    expect(body).toEqual({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'x' }],
      max_completion_tokens: 256,
      stream: true,
      stream_options: { include_usage: true },
      stop: ['END'],
      temperature: 0.2,
      top_p: 0.9,
      user: 'u-1',
    });
  });

  it('asks no stream usage of a vendor that refuses stream_options', () => {
    const call = targetCall(request({ messages: ask, stream: true }), targetOn('mistral'), 'k');
    expect(call.body).not.toHaveProperty('stream_options');
  });

  it('turns output_config.format into a JSON-schema response_format, and sends no effort (vendors read reasoning settings differently)', () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } } };
    const body = toChat({ messages: ask, output_config: { effort: 'low', format: { type: 'json_schema', schema } } });
    expect(body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'output', schema } });
    expect(body).not.toHaveProperty('reasoning_effort');
    expect(request({ messages: ask, output_config: { effort: 'low' } }).toModel().reasoning).toEqual({ effort: 'low' });
  });
});
