// Chat Completions requests translated for Anthropic targets: what each part becomes.
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANTHROPIC_MAX_TOKENS } from '../../src/protocols/anthropic/from-model.ts';
import { messagesRequestSchema } from '../../src/protocols/anthropic/schema.ts';
import type { Json } from '../../src/protocols/json.ts';
import { targetCall } from '../../src/protocols/registry.ts';
import { parseChat, targetOn } from './helpers/config.ts';

const PNG = 'iVBORw0KGgo=';
const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
const ask = [{ role: 'user', content: 'x' }];

/** The Messages body an Anthropic target (with `maxTokens` when given) gets for a chat request. */
function toClaude(body: Record<string, unknown>, maxTokens?: number): Json {
  const target = targetOn('claude', { model: 'claude-sonnet-4-5', ...(maxTokens === undefined ? {} : { maxTokens }) });
  const call = targetCall(parseChat({ model: 'chat', ...body }), target, 'sk-ant');
  expect(call.mode).toBe('translate');
  expect(messagesRequestSchema.safeParse(call.body).success).toBe(true);
  return call.body;
}

describe('Chat Completions request -> Anthropic Messages body', () => {
  it('calls /messages with x-api-key and the default API version, and no caller header', () => {
    const request = parseChat({ model: 'chat', messages: ask, stream: true, stream_options: { include_usage: true } });
    const call = targetCall(request, targetOn('claude'), 'sk-ant');
    expect(call.url).toBe('https://claude.test/v1/messages');
    expect(call.headers).toEqual({ 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-ant' });
    expect(call.body).toEqual({
      model: 'upstream-model',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }],
      max_tokens: DEFAULT_ANTHROPIC_MAX_TOKENS,
      stream: true,
    });
  });

  it('joins system and developer messages into system, keeping cache marks, and merges same-role neighbours', () => {
    const out = toClaude({
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }] },
        { role: 'user', content: 'One' },
        { role: 'developer', content: 'Answer in French.' },
        { role: 'user', content: 'Two' },
      ],
    });
    expect(out.system).toEqual([
      { type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } },
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
    const out = toClaude({
      tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: schema } }],
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
    });
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
    expect(out.tools).toEqual([{ name: 'get_weather', description: 'Weather', input_schema: schema }]);
    expect(out.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
  });

  it.each<[string, Record<string, unknown>, unknown]>([
    ['auto', { tool_choice: 'auto' }, { type: 'auto' }],
    ['a named function', { tool_choice: { type: 'function', function: { name: 'f' } } }, { type: 'tool', name: 'f' }],
    ['no choice but no parallel calls', { parallel_tool_calls: false }, { type: 'auto', disable_parallel_tool_use: true }],
    ['no choice', {}, undefined],
  ])('maps tool choice %s', (_name, extra, expected) => {
    const out = toClaude({ messages: ask, tools: [{ type: 'function', function: { name: 'f' } }], ...extra });
    expect(out.tool_choice).toEqual(expected);
    expect(out.tools).toEqual([{ name: 'f', input_schema: { type: 'object', properties: {} } }]);
  });

  it('offers no tools when the caller chose none', () => {
    const out = toClaude({ messages: ask, tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'none' });
    expect(out).not.toHaveProperty('tools');
    expect(out).not.toHaveProperty('tool_choice');
  });

  it('sends data-URL images as base64 sources, other URLs as url sources, and inline PDFs as documents', () => {
    const out = toClaude({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg', detail: 'low' } },
            { type: 'file', file: { file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'r.pdf' } },
          ],
        },
      ],
    });
    expect(out.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } },
        ],
      },
    ]);
  });

  it('takes max_tokens from the request (max_completion_tokens first), else the target, else the default', () => {
    expect(toClaude({ messages: ask, max_completion_tokens: 77, max_tokens: 66 }, 500).max_tokens).toBe(77);
    expect(toClaude({ messages: ask, max_tokens: 66 }, 500).max_tokens).toBe(66);
    expect(toClaude({ messages: ask }, 500).max_tokens).toBe(500);
    expect(toClaude({ messages: ask }).max_tokens).toBe(DEFAULT_ANTHROPIC_MAX_TOKENS);
  });

  it('clamps temperature to 1, maps stop, user, top_p and top_k, and keeps a trailing assistant prefill', () => {
    const out = toClaude({
      messages: [
        { role: 'user', content: 'Count' },
        { role: 'assistant', content: 'One, two,' },
      ],
      temperature: 1.6,
      stop: 'END',
      user: 'u-9',
      top_p: 0.5,
      top_k: 5,
    });
    expect(out).toMatchObject({ temperature: 1, stop_sequences: ['END'], metadata: { user_id: 'u-9' }, top_p: 0.5, top_k: 5 });
    expect(out.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Count' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'One, two,' }] },
    ]);
  });

  it('leaves out reasoning another vendor wrote: it has no signature Anthropic would accept', () => {
    const out = toClaude({
      messages: [...ask, { role: 'assistant', content: 'Four.', reasoning_content: '2 + 2 = 4' }, { role: 'user', content: 'Sure?' }],
    });
    expect(out.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'x' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Four.' }] },
      { role: 'user', content: [{ type: 'text', text: 'Sure?' }] },
    ]);
  });

  it('reads an assistant refusal part as its text, and drops empty turns', () => {
    const out = toClaude({
      messages: [
        { role: 'user', content: 'Do it' },
        { role: 'assistant', content: [{ type: 'refusal', refusal: 'I cannot.' }] },
        { role: 'assistant', content: '' },
        { role: 'user', content: 'Please' },
      ],
    });
    expect(out.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Do it' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'I cannot.' }] },
      { role: 'user', content: [{ type: 'text', text: 'Please' }] },
    ]);
  });

  it('does not turn a reasoning effort into a thinking budget', () => {
    expect(toClaude({ messages: ask, reasoning_effort: 'high' })).not.toHaveProperty('thinking');
  });
});
