// Whole Responses answers: internal answers written as Response objects, and Response objects read back.
import { describe, expect, it } from 'vitest';
import type { Json } from '../../src/protocols/json.ts';
import type { ModelAnswer, ModelPart } from '../../src/protocols/model.ts';
import { modelToResponse, type readResponse, responseToModel } from '../../src/protocols/openai-responses/answer.ts';
import { responsesCaller } from '../../src/protocols/openai-responses/caller.ts';
import functionCallResponse from '../fixtures/responses/response-function-call.json?raw';
import incompleteResponse from '../fixtures/responses/response-incomplete.json?raw';
import textResponse from '../fixtures/responses/response-text.json?raw';
import { httpWith } from './helpers/config.ts';

const fixture = (raw: string): Json => JSON.parse(raw) as Json;
const answer = (extra: Partial<ModelAnswer> = {}): ModelAnswer => ({
  id: 'chatcmpl-123',
  model: 'claude-sonnet-4-5',
  created: 1_756_000_000,
  parts: [{ type: 'text', text: 'Hello.' }],
  finish: 'stop',
  cacheable: true,
  ...extra,
});
const encode = (value: ModelAnswer, body: Json = { model: 'chat', input: 'Hi' }): Json =>
  responsesCaller.parse(body, httpWith()).encodeAnswer(value);
const ID = /^(resp|msg|fc|rs_proxy|ctc)_[0-9a-f]{48}$/;

describe('encodeAnswer: an internal answer as a Response object', () => {
  it('writes a completed Response with one assistant message, the model that answered and a resp_ id', () => {
    const response = encode(answer());
    expect(response).toMatchObject({
      object: 'response',
      created_at: 1_756_000_000,
      status: 'completed',
      error: null,
      incomplete_details: null,
      model: 'claude-sonnet-4-5',
      usage: null,
    });
    expect(response.id).toMatch(ID);
    expect(response.output).toEqual([
      {
        id: expect.stringMatching(ID),
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'Hello.', annotations: [], logprobs: [] }],
      },
    ]);
  });

  it.each<[string, Partial<ModelAnswer>, Json]>([
    [
      'a length finish as incomplete at max_output_tokens',
      { finish: 'length' },
      { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } },
    ],
    [
      'a content filter as incomplete at content_filter',
      { finish: 'content_filter' },
      { status: 'incomplete', incomplete_details: { reason: 'content_filter' } },
    ],
    ['a tool-call finish as completed', { finish: 'tool_calls' }, { status: 'completed', incomplete_details: null }],
    [
      'usage with cached and reasoning tokens',
      {
        usage: {
          prompt_tokens: 1500,
          completion_tokens: 300,
          total_tokens: 1800,
          cached_tokens: 1200,
          cache_write_tokens: 100,
          reasoning_tokens: 250,
        },
      },
      {
        usage: {
          input_tokens: 1500,
          input_tokens_details: { cached_tokens: 1200 },
          output_tokens: 300,
          output_tokens_details: { reasoning_tokens: 250 },
          total_tokens: 1800,
        },
      },
    ],
    ['a Responses id kept as it is', { id: 'resp_0123' }, { id: 'resp_0123' }],
  ])('writes %s', (_name, extra, expected) => {
    expect(encode(answer(extra))).toMatchObject(expected);
  });

  it('writes reasoning items, tagging Anthropic signatures and redacted thinking, then text, then function calls', () => {
    const parts: ModelPart[] = [
      { type: 'reasoning', text: 'Think.', signature: 'EqQBsig==' },
      { type: 'redacted-reasoning', data: 'EmwKredacted==' },
      { type: 'reasoning', text: 'Shown only.' },
      { type: 'text', text: 'Checking.' },
      { type: 'tool-call', id: 'toolu_01', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'tool-call', id: 'toolu_02', name: 'get_weather', arguments: '{"city":"Rome"}' },
    ];
    const output = encode(answer({ parts, finish: 'tool_calls' })).output as Json[];
    expect(output).toEqual([
      {
        id: expect.stringMatching(ID),
        type: 'reasoning',
        summary: [{ type: 'summary_text', text: 'Think.' }],
        encrypted_content: 'anthropic.thinking:EqQBsig==',
      },
      { id: expect.stringMatching(ID), type: 'reasoning', summary: [], encrypted_content: 'anthropic.redacted:EmwKredacted==' },
      { id: expect.stringMatching(ID), type: 'reasoning', summary: [{ type: 'summary_text', text: 'Shown only.' }] },
      expect.objectContaining({ type: 'message', content: [expect.objectContaining({ text: 'Checking.' })] }),
      {
        id: expect.stringMatching(ID),
        type: 'function_call',
        status: 'completed',
        arguments: '{"city":"Paris"}',
        call_id: 'toolu_01',
        name: 'get_weather',
      },
      {
        id: expect.stringMatching(ID),
        type: 'function_call',
        status: 'completed',
        arguments: '{"city":"Rome"}',
        call_id: 'toolu_02',
        name: 'get_weather',
      },
    ]);
  });

  it('names calls as the caller declared its tools: a namespace apart, a custom tool as a custom_tool_call with its input', () => {
    const body = {
      model: 'chat',
      input: 'Fix it',
      tools: [
        { type: 'custom', name: 'apply_patch' },
        { type: 'namespace', name: 'mcp__docs__', tools: [{ type: 'function', name: 'search' }] },
        { type: 'function', name: 'shell' },
      ],
    };
    const parts: ModelPart[] = [
      { type: 'tool-call', id: 'c1', name: 'mcp__docs__search', arguments: '{"query":"x"}' },
      { type: 'tool-call', id: 'c2', name: 'apply_patch', arguments: '{"input":"*** Begin Patch\\n*** End Patch\\n"}' },
      { type: 'tool-call', id: 'c3', name: 'shell', arguments: '{}' },
    ];
    const output = encode(answer({ parts, finish: 'tool_calls' }), body).output as Json[];
    expect(output).toEqual([
      {
        id: expect.stringMatching(/^fc_/),
        type: 'function_call',
        status: 'completed',
        arguments: '{"query":"x"}',
        call_id: 'c1',
        name: 'search',
        namespace: 'mcp__docs__',
      },
      {
        id: expect.stringMatching(/^ctc_/),
        type: 'custom_tool_call',
        status: 'completed',
        call_id: 'c2',
        name: 'apply_patch',
        input: '*** Begin Patch\n*** End Patch\n',
      },
      { id: expect.stringMatching(/^fc_/), type: 'function_call', status: 'completed', arguments: '{}', call_id: 'c3', name: 'shell' },
    ]);
  });

  it('echoes the request’s settings as OpenAI does, with its defaults for the rest', () => {
    const settings = {
      instructions: 'Be brief.',
      max_output_tokens: 200,
      store: false,
      metadata: { run: '7' },
      reasoning: { effort: 'low' },
      tools: [{ type: 'function', name: 'f' }],
    };
    expect(encode(answer(), { model: 'chat', input: 'Hi', ...settings })).toMatchObject({
      ...settings,
      tool_choice: 'auto',
      parallel_tool_calls: true,
      text: { format: { type: 'text' } },
      previous_response_id: null,
    });
  });
});

describe('readAnswer: what a Response object says about itself', () => {
  it.each<[string, unknown, ReturnType<typeof readResponse>]>([
    [
      'a completed Response, with cached and reasoning tokens',
      fixture(textResponse),
      {
        model: 'gpt-5-2025-08-07',
        usage: { prompt_tokens: 1520, completion_tokens: 212, total_tokens: 1732, cached_tokens: 1408, reasoning_tokens: 192 },
        cacheable: true,
      },
    ],
    [
      'an incomplete Response, never cached',
      fixture(incompleteResponse),
      { model: 'gpt-4.1-mini-2025-04-14', usage: { prompt_tokens: 12, completion_tokens: 16, total_tokens: 28 }, cacheable: false },
    ],
    [
      'a failed Response, never cached',
      { object: 'response', status: 'failed', output: [], model: 'm' },
      { model: 'm', usage: undefined, cacheable: false },
    ],
    ['a chat completion', { object: 'chat.completion', choices: [] }, undefined],
    ['a Response without output', { object: 'response', status: 'completed' }, undefined],
    ['null', null, undefined],
  ])('reads %s', (_name, value, expected) => {
    expect(responsesCaller.readAnswer(value)).toEqual(expected);
  });
});

describe('responseToModel: a vendor’s Response in the internal shape', () => {
  it('reads a reasoning model’s answer: the summary as reasoning (its OpenAI blob has no place elsewhere), the text, usage', () => {
    expect(responseToModel(fixture(textResponse))).toEqual({
      id: 'resp_68af4030592c81938ec0a5fbab4a3e9f05438e46b5f69a3b',
      model: 'gpt-5-2025-08-07',
      created: 1756315696,
      parts: [
        { type: 'reasoning', text: "**Counting the letters**\n\nStrawberry has three r's." },
        { type: 'text', text: 'There are 3 r\'s in "strawberry".' },
      ],
      finish: 'stop',
      cacheable: true,
      usage: { prompt_tokens: 1520, completion_tokens: 212, total_tokens: 1732, cached_tokens: 1408, reasoning_tokens: 192 },
    });
  });

  it('reads a function call as a tool call, finishing with tool_calls', () => {
    expect(responseToModel(fixture(functionCallResponse))).toMatchObject({
      parts: [{ type: 'tool-call', id: 'call_12xHq3m6t8RhZ8cKmB4s8Qfj', name: 'get_weather', arguments: '{"location":"Paris, France"}' }],
      finish: 'tool_calls',
      cacheable: true,
    });
  });

  it.each<[string, Json, Partial<ModelAnswer>]>([
    ['an answer cut at its limit as length', fixture(incompleteResponse), { finish: 'length', cacheable: false }],
    [
      'a filtered answer as content_filter',
      { object: 'response', status: 'incomplete', incomplete_details: { reason: 'content_filter' }, output: [] },
      { finish: 'content_filter', cacheable: false },
    ],
    [
      'a refusal as text',
      {
        object: 'response',
        status: 'completed',
        output: [{ type: 'message', role: 'assistant', content: [{ type: 'refusal', refusal: 'I can’t help.' }] }],
      },
      { parts: [{ type: 'text', text: 'I can’t help.' }] },
    ],
    [
      'a namespaced call under its flat name and a custom call as {"input"}',
      {
        object: 'response',
        status: 'completed',
        output: [
          { type: 'function_call', call_id: 'c1', name: 'search', namespace: 'mcp__docs__', arguments: '{}' },
          { type: 'custom_tool_call', call_id: 'c2', name: 'apply_patch', input: 'patch' },
        ],
      },
      {
        parts: [
          { type: 'tool-call', id: 'c1', name: 'mcp__docs__search', arguments: '{}' },
          { type: 'tool-call', id: 'c2', name: 'apply_patch', arguments: '{"input":"patch"}' },
        ],
        finish: 'tool_calls',
      },
    ],
    [
      'reasoning the proxy tagged, with its signature or redacted data',
      {
        object: 'response',
        status: 'completed',
        output: [
          { type: 'reasoning', summary: [{ type: 'summary_text', text: 'Hm.' }], encrypted_content: 'anthropic.thinking:sig' },
          { type: 'reasoning', summary: [], encrypted_content: 'anthropic.redacted:data' },
          { type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: 'raw' }] },
        ],
      },
      {
        parts: [
          { type: 'reasoning', text: 'Hm.', signature: 'sig' },
          { type: 'redacted-reasoning', data: 'data' },
          { type: 'reasoning', text: 'raw' },
        ],
      },
    ],
    [
      'built-in tool items as nothing',
      { object: 'response', status: 'completed', output: [{ type: 'web_search_call', id: 'ws', status: 'completed' }] },
      { parts: [], finish: 'stop' },
    ],
  ])('reads %s', (_name, value, expected) => {
    expect(responseToModel(value)).toMatchObject(expected);
  });

  it.each<[string, unknown]>([
    ['a chat completion', { object: 'chat.completion', choices: [] }],
    ['an error body', { error: { message: 'x' } }],
    ['a string', 'resp'],
  ])('reads %s as no Response', (_name, value) => {
    expect(responseToModel(value)).toBeUndefined();
  });

  it('reads back what encodeAnswer wrote', () => {
    const parts: ModelPart[] = [
      { type: 'reasoning', text: 'Think.', signature: 'sig' },
      { type: 'text', text: 'Calling.' },
      { type: 'tool-call', id: 'call_1', name: 'f', arguments: '{"a":1}' },
    ];
    const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
    const written = modelToResponse(answer({ parts, finish: 'tool_calls', usage }), { model: 'chat', input: 'x' });
    expect(responseToModel(written)).toMatchObject({ parts, finish: 'tool_calls', usage, model: 'claude-sonnet-4-5', cacheable: true });
  });
});
