// Tests the Anthropic wire's pure parts: request checks and their wording, the mapping to ChatRequest, the error table and answers.

import { describe, expect, it } from 'vitest';
import { anthropicAnswer } from './anthropic-answer.ts';
import { anthropicErrorBody } from './anthropic-errors.ts';
import type { AnthropicRequest } from './anthropic-request.ts';
import { readAnthropicRequest } from './anthropic-request.ts';

const base = { model: 'claude-mock', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] };
const user = (content: unknown) => ({ ...base, messages: [{ role: 'user', content }] });

function read(body: unknown): AnthropicRequest {
  const request = readAnthropicRequest(body);
  if (typeof request === 'string') throw new Error(request);
  return request;
}

describe('readAnthropicRequest', () => {
  it.each([
    ['a body that is not an object', [], 'The request body must be a JSON object.'],
    ['no model', { ...base, model: undefined }, 'model: Field required'],
    ['no max_tokens', { ...base, max_tokens: undefined }, 'max_tokens: Field required'],
    ['a fractional max_tokens', { ...base, max_tokens: 1.5 }, 'max_tokens: Input should be a valid integer'],
    ['max_tokens 0', { ...base, max_tokens: 0 }, 'max_tokens: Input should be greater than or equal to 1'],
    ['no messages', { ...base, messages: undefined }, 'messages: Field required'],
    ['empty messages', { ...base, messages: [] }, 'messages: at least one message is required'],
    [
      'a system role message',
      { ...base, messages: [{ role: 'system', content: 'x' }] },
      "messages.0.role: Input should be 'user' or 'assistant'",
    ],
    ['a message without content', { ...base, messages: [{ role: 'user' }] }, 'messages.0.content: Field required'],
    [
      'an empty user message',
      user(''),
      'messages.0: all messages must have non-empty content except for the optional final assistant message',
    ],
    ['an unknown block type', user([{ type: 'video' }]), "messages.0.content.0: Input tag 'video' found using 'type'"],
    ['a text block without text', user([{ type: 'text' }]), 'messages.0.content.0.text.text: Field required'],
    ['an empty text block', user([{ type: 'text', text: '' }]), 'messages: text content blocks must be non-empty'],
    ['an image without source', user([{ type: 'image' }]), 'messages.0.content.0.image.source: Field required'],
    [
      'a tool_use with string input',
      user([{ type: 'tool_use', id: 't', name: 'n', input: '{}' }]),
      'tool_use.input: Input should be a valid dictionary',
    ],
    ['a tool_result without tool_use_id', user([{ type: 'tool_result', content: 'x' }]), 'tool_result.tool_use_id: Field required'],
    ['a non-boolean stream', { ...base, stream: 'yes' }, 'stream: Input should be a valid boolean'],
    ['a temperature above 1', { ...base, temperature: 1.5 }, 'temperature: Input should be less than or equal to 1'],
    ['stop_sequences that are not strings', { ...base, stop_sequences: [1] }, 'stop_sequences: Input should be a valid list of strings'],
    ['a system that is a number', { ...base, system: 3 }, 'system: Input should be a valid string or a list of text blocks'],
    ['a tool without input_schema', { ...base, tools: [{ name: 'search' }] }, 'tools.0.custom.input_schema: Field required'],
    ['a tool without a name', { ...base, tools: [{ input_schema: {} }] }, 'tools.0.name: Field required'],
    ['an unknown tool_choice', { ...base, tool_choice: { type: 'some' } }, "tool_choice: Input should be an object whose 'type'"],
    ['a forced tool without a name', { ...base, tool_choice: { type: 'tool' } }, 'tool_choice.tool.name: Field required'],
    ['a thinking budget under 1024', { ...base, thinking: { type: 'enabled', budget_tokens: 10 } }, 'greater than or equal to 1024'],
    [
      'a thinking budget over max_tokens',
      { ...base, thinking: { type: 'enabled', budget_tokens: 2048 } },
      '`max_tokens` must be greater than',
    ],
    [
      'a prefill ending in a newline',
      { ...base, messages: [...base.messages, { role: 'assistant', content: 'So\n' }] },
      'trailing whitespace',
    ],
  ])('refuses %s', (_, body, message) => {
    const result = readAnthropicRequest(body);
    expect(typeof result).toBe('string');
    expect(result).toContain(message);
  });

  it('accepts every block type, server tools, metadata and an empty final assistant message', () => {
    const request = read({
      ...base,
      metadata: { user_id: 'u-1' },
      tools: [{ type: 'web_search_20250305', name: 'web_search' }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AA==' } },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'doc' } },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hm', signature: 's' },
            { type: 'tool_use', id: 't1', name: 'web_search', input: {} },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'found' }] },
        { role: 'assistant', content: '' },
      ],
    });
    expect(request.chat.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
    expect(request.chat.toolName).toBe('web_search');
  });

  it('maps system to a leading system message and tool_result blocks to a tool message', () => {
    const request = read({
      ...base,
      system: 'Be brief',
      stop_sequences: ['END'],
      messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'rain' }] }] }],
    });
    expect(request).toEqual({
      chat: {
        model: 'claude-mock',
        messages: [
          { role: 'system', content: 'Be brief' },
          { role: 'tool', content: 'rain' },
        ],
        stream: false,
        includeUsage: false,
        toolName: undefined,
      },
      maxTokens: 64,
      stopSequences: ['END'],
    });
  });
});

describe('readAnthropicRequest with what Claude Code sends', () => {
  it('accepts a mid-conversation system message, counted as input but not as user text', () => {
    const request = read({
      ...base,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
        { role: 'system', content: [{ type: 'text', text: '# Environment', cache_control: { type: 'ephemeral' } }] },
      ],
    });
    expect(request.chat.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      { role: 'system', content: [{ type: 'text', text: '# Environment', cache_control: { type: 'ephemeral' } }] },
    ]);
    expect(
      readAnthropicRequest({ ...base, messages: [...base.messages, { role: 'system', content: [{ type: 'image', source: {} }] }] }),
    ).toBe('messages.1.content.0: a system message may only hold text blocks');
    expect(readAnthropicRequest({ ...base, messages: [...base.messages, { role: 'tool', content: 'x' }] })).toBe(
      "messages.1.role: Input should be 'user', 'assistant' or 'system'",
    );
  });

  it('accepts output_config, context_management, metadata, cache_control, defer_loading and server blocks', () => {
    const request = read({
      ...base,
      max_tokens: 128000,
      system: [
        { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.332' },
        { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
      ],
      tools: [
        { name: 'Write', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } },
        { name: 'DeferredToolPlaceholder', input_schema: { type: 'object', properties: {} }, defer_loading: true },
      ],
      metadata: { user_id: '{"device_id":"d","session_id":"s"}' },
      thinking: { type: 'adaptive', display: 'omitted' },
      context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
      output_config: { effort: 'medium' },
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Hi', cache_control: { type: 'ephemeral' } }] },
        { role: 'assistant', content: [{ type: 'server_tool_use', id: 's1', name: 'web_search', input: {} }] },
        { role: 'user', content: [{ type: 'web_search_tool_result', tool_use_id: 's1', content: [] }] },
      ],
    });
    expect(request.thinking).toEqual({ type: 'adaptive', display: 'omitted' });
    expect(request.chat.toolNames).toEqual(['Write', 'DeferredToolPlaceholder']);
  });

  it.each([
    [
      { type: 'enabled', budget_tokens: 4000, display: 'omitted' },
      { type: 'enabled', display: 'omitted' },
    ],
    [{ type: 'adaptive' }, { type: 'adaptive', display: 'summarized' }],
    [
      { type: 'adaptive', display: null },
      { type: 'adaptive', display: 'summarized' },
    ],
    [{ type: 'disabled' }, undefined],
    [{ type: 'between_tools' }, undefined],
  ])('reads thinking %j as %j', (thinking, mode) => {
    expect(read({ ...base, max_tokens: 8000, thinking }).thinking).toEqual(mode);
  });

  it('refuses an unknown thinking display, and needs no max_tokens to count tokens', () => {
    expect(readAnthropicRequest({ ...base, thinking: { type: 'adaptive', display: 'full' } })).toBe(
      "thinking.adaptive.display: Input should be 'summarized' or 'omitted'",
    );
    const count = readAnthropicRequest(
      { model: 'm', messages: base.messages, thinking: { type: 'enabled', budget_tokens: 2048 } },
      'count',
    );
    expect(typeof count === 'string' ? count : count.thinking).toEqual({ type: 'enabled', display: 'summarized' });
    expect(readAnthropicRequest({ model: 'm', messages: base.messages })).toBe('max_tokens: Field required');
  });
});

describe('anthropicErrorBody', () => {
  it('falls back to invalid_request_error for other 4xx and api_error for other 5xx', () => {
    expect(anthropicErrorBody(451, 'req_1').error.type).toBe('invalid_request_error');
    expect(anthropicErrorBody(599, 'req_1').error.type).toBe('api_error');
  });

  it('maps code=insufficient_quota to a billing_error and ignores unknown codes', () => {
    expect(anthropicErrorBody(429, 'req_1', { code: 'insufficient_quota' }).error).toMatchObject({ type: 'billing_error' });
    expect(anthropicErrorBody(429, 'req_1', { code: 'rate_limit_exceeded' }).error.type).toBe('rate_limit_error');
  });
});

describe('anthropicAnswer', () => {
  it('counts a stop sequence cut before max_tokens as stop_sequence', () => {
    const answer = anthropicAnswer({ ...read(base), maxTokens: 3, stopSequences: ['from'] }, 1);
    expect(answer).toMatchObject({ content: [{ type: 'text', text: 'Hello ' }], stopReason: 'stop_sequence', stopSequence: 'from' });
    expect(answer.usage.output_tokens).toBe(2);
  });

  it('keeps the tool_use input whole however small max_tokens is', () => {
    const answer = anthropicAnswer({ ...read({ ...base, tools: [{ name: 'f', input_schema: {} }] }), maxTokens: 1 }, 7);
    expect(answer.content).toEqual([{ type: 'tool_use', id: 'toolu_mock_7', name: 'f', input: { query: 'Hi' } }]);
    expect(answer.stopReason).toBe('tool_use');
  });
});
