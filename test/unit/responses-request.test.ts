// Responses API callers: what the inbound check refuses and lets through, and what the bound request says about itself.
import { describe, expect, it } from 'vitest';
import { ProxyError } from '../../src/errors.ts';
import type { CallerRequest } from '../../src/protocols/adapter.ts';
import type { Json } from '../../src/protocols/json.ts';
import { inputItemsOf, responsesCaller, withHistory } from '../../src/protocols/openai-responses/caller.ts';
import codexRequest from '../fixtures/responses/codex-request.json?raw';
import { httpWith } from './helpers/config.ts';

const parse = (body: unknown): CallerRequest => responsesCaller.parse(body, httpWith({ 'openai-organization': 'org-caller' }, '?x=1'));
const body = (extra: Json = {}): Json => ({ model: 'chat', input: 'Hi', ...extra });
const codex = (): Json => JSON.parse(codexRequest) as Json;

/** The 400 a body gets, or undefined when it is accepted. */
function refusal(value: unknown): ProxyError | undefined {
  try {
    parse(value);
    return undefined;
  } catch (err) {
    if (err instanceof ProxyError) return err;
    throw err;
  }
}

describe('responsesCaller.parse refuses what the proxy reads and finds wrong', () => {
  it.each<[string, string, unknown]>([
    ['no model', 'model', { input: 'Hi' }],
    ['an empty model', 'model', body({ model: '' })],
    ['an input that is a number', 'input', body({ input: 5 })],
    ['a message role the API does not have', 'input.0.role', body({ input: [{ role: 'tool', content: 'x' }] })],
    ['a message without content', 'input.0.content', body({ input: [{ type: 'message', role: 'user' }] })],
    [
      'an input_text part without text',
      'input.1.content.0.text',
      body({
        input: [
          { role: 'user', content: 'a' },
          { role: 'user', content: [{ type: 'input_text' }] },
        ],
      }),
    ],
    [
      'an input_image with neither URL nor file',
      'input.0.content.0.image_url',
      body({ input: [{ role: 'user', content: [{ type: 'input_image', detail: 'auto' }] }] }),
    ],
    [
      'an input_file with nothing in it',
      'input.0.content.0.file_data',
      body({ input: [{ role: 'user', content: [{ type: 'input_file', filename: 'a.pdf' }] }] }),
    ],
    ['a function_call without a call_id', 'input.0.call_id', body({ input: [{ type: 'function_call', name: 'f', arguments: '{}' }] })],
    [
      'a function_call with object arguments',
      'input.0.arguments',
      body({ input: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: {} }] }),
    ],
    ['a function_call_output without output', 'input.0.output', body({ input: [{ type: 'function_call_output', call_id: 'c' }] })],
    [
      'a custom_tool_call without input',
      'input.0.input',
      body({ input: [{ type: 'custom_tool_call', call_id: 'c', name: 'apply_patch' }] }),
    ],
    [
      'a reasoning summary part without text',
      'input.0.summary.0.text',
      body({ input: [{ type: 'reasoning', summary: [{ type: 'summary_text' }] }] }),
    ],
    ['an item_reference without an id', 'input.0.id', body({ input: [{ type: 'item_reference' }] })],
    ['a function tool without a name', 'tools.0.name', body({ tools: [{ type: 'function', parameters: {} }] })],
    [
      'a namespace whose function has no name',
      'tools.0.tools.0.name',
      body({ tools: [{ type: 'namespace', name: 'ns', tools: [{ type: 'function' }] }] }),
    ],
    ['a namespace without tools', 'tools.0.tools', body({ tools: [{ type: 'namespace', name: 'ns' }] })],
    ['a tool_choice mode that does not exist', 'tool_choice', body({ tool_choice: 'any' })],
    ['a function tool_choice without a name', 'tool_choice.name', body({ tool_choice: { type: 'function' } })],
    ['an allowed_tools choice without a mode', 'tool_choice.mode', body({ tool_choice: { type: 'allowed_tools', tools: [] } })],
    ['a json_schema format without a name', 'text.format.name', body({ text: { format: { type: 'json_schema', schema: {} } } })],
    ['a max_output_tokens of 0', 'max_output_tokens', body({ max_output_tokens: 0 })],
    ['a temperature above 2', 'temperature', body({ temperature: 3 })],
    ['a top_p above 1', 'top_p', body({ top_p: 2 })],
    ['a stream flag that is a string', 'stream', body({ stream: 'yes' })],
    ['an include that is not a list', 'include', body({ include: 'reasoning.encrypted_content' })],
    ['a reasoning effort that is a number', 'reasoning.effort', body({ reasoning: { effort: 3 } })],
  ])('refuses %s with a 400 at %s', (_name, path, value) => {
    const err = refusal(value);
    expect(err?.status).toBe(400);
    expect(err?.param?.startsWith(path)).toBe(true);
    expect(err?.message).toContain(path);
  });

  it('answers a refusal in OpenAI’s error shape, naming the parameter', () => {
    const err = refusal(body({ input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }));
    if (err === undefined) throw new Error('accepted');
    expect(responsesCaller.errorBody(err)).toEqual({
      error: {
        message: expect.stringContaining('input.0.call_id'),
        type: 'invalid_request_error',
        code: 'invalid_request_body',
        param: 'input.0.call_id',
      },
    });
  });
});

describe('responsesCaller.parse lets through what a vendor may know, as sent', () => {
  it.each<[string, Json]>([
    ['a plain string input', body()],
    ['no input at all (a stored prompt names it)', { model: 'chat', prompt: { id: 'pmpt_1' } }],
    ['easy messages of every role', body({ input: ['user', 'assistant', 'system', 'developer'].map((role) => ({ role, content: 'x' })) })],
    [
      'typed messages with every part the proxy reads',
      body({
        input: [
          {
            type: 'message',
            role: 'user',
            content: [
              { type: 'input_text', text: 'Look' },
              { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'high' },
              { type: 'input_image', file_id: 'file-abc' },
              { type: 'input_file', file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'a.pdf' },
            ],
          },
          {
            type: 'message',
            role: 'assistant',
            status: 'completed',
            id: 'msg_1',
            content: [{ type: 'output_text', text: 'Yes', annotations: [] }],
          },
          { type: 'message', role: 'assistant', content: [{ type: 'refusal', refusal: 'No' }] },
        ],
      }),
    ],
    [
      'a part the proxy does not know',
      body({ input: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x', format: 'wav' } }] }] }),
    ],
    ['an item the proxy does not know', body({ input: [{ type: 'compaction', encrypted_content: 'gAAA' }] })],
    [
      'a built-in tool call item',
      body({ input: [{ type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search' } }] }),
    ],
    ['an item_reference', body({ input: [{ type: 'item_reference', id: 'msg_1' }] })],
    ['a reasoning item with only encrypted content', body({ input: [{ type: 'reasoning', summary: [], encrypted_content: 'gAAA' }] })],
    [
      'built-in tools of every kind',
      body({
        tools: [
          { type: 'web_search' },
          { type: 'file_search', vector_store_ids: ['vs_1'] },
          { type: 'mcp', server_label: 'd', server_url: 'https://m' },
          { type: 'local_shell' },
        ],
      }),
    ],
    [
      'a namespace holding a tool kind the proxy does not know',
      body({ tools: [{ type: 'namespace', name: 'ns', tools: [{ type: 'future_tool' }] }] }),
    ],
    ['a tool_choice forcing a built-in tool', body({ tool_choice: { type: 'web_search_preview' } })],
    [
      'an allowed_tools tool_choice',
      body({ tool_choice: { type: 'allowed_tools', mode: 'auto', tools: [{ type: 'function', name: 'f' }] } }),
    ],
    ['a format the proxy does not know', body({ text: { format: { type: 'grammar', grammar: 'x' } } })],
    ['unknown top-level fields', body({ truncation: 'auto', service_tier: 'flex', client_metadata: { a: '1' }, future_field: true })],
    [
      'nulls where OpenAI’s SDKs send them',
      body({ instructions: null, tools: null, tool_choice: null, text: null, reasoning: null, max_output_tokens: null }),
    ],
  ])('accepts %s', (_name, value) => {
    expect(refusal(value)).toBeUndefined();
  });

  it('accepts a Codex request as sent and binds what the proxy needs of it', () => {
    const sent = codex();
    const request = parse(sent);
    expect(request.body).toBe(sent);
    expect(request).toMatchObject({
      model: 'gpt-5-codex',
      stream: true,
      messageCount: 13,
      maxTokens: undefined,
      generates: true,
      choices: 1,
      wantsUsage: true,
      forward: { headers: {}, query: '' },
    });
    expect(request.sessionHint()).toBe('cache:0199a2b4-6c1e-7d2f-9a3b-4c5d6e7f8a9b');
    expect(request.lastUserText()).toBe('Now run the tests.');
    expect(sent).toEqual(codex());
  });

  it.each<[string, Json, Partial<CallerRequest>]>([
    ['a string input', body(), { messageCount: 1, stream: false, maxTokens: undefined }],
    [
      'items and a limit',
      body({
        input: [
          { role: 'user', content: 'a' },
          { type: 'item_reference', id: 'x' },
        ],
        max_output_tokens: 300,
      }),
      { messageCount: 2, maxTokens: 300 },
    ],
    ['no input', { model: 'chat' }, { messageCount: 0 }],
    ['a stream', body({ stream: true }), { stream: true }],
  ])('counts and reads %s', (_name, value, expected) => {
    expect(parse(value)).toMatchObject(expected);
  });
});

describe('the cache identity of a Responses request', () => {
  const bare = (): unknown => parse(body({ instructions: 'Be brief.' })).cacheIdentity();

  it.each<[string, Json]>([
    ['stream', { stream: true }],
    ['store', { store: false }],
    ['metadata', { metadata: { run: '1' } }],
    ['user', { user: 'u1' }],
    ['safety_identifier', { safety_identifier: 'hash' }],
    ['prompt_cache_key', { prompt_cache_key: 'k' }],
    ['service_tier', { service_tier: 'flex' }],
    ['client_metadata', { client_metadata: { a: '1' } }],
    ['background', { background: false }],
    ['stream_options', { stream_options: { include_obfuscation: false } }],
  ])('leaves out %s, which does not change the answer', (_name, extra) => {
    expect(parse(body({ instructions: 'Be brief.', ...extra })).cacheIdentity()).toEqual(bare());
  });

  it.each<[string, Json]>([
    ['include', { include: ['reasoning.encrypted_content'] }],
    ['previous_response_id', { previous_response_id: 'resp_1' }],
    ['reasoning', { reasoning: { effort: 'high' } }],
    ['tools', { tools: [{ type: 'function', name: 'f' }] }],
    ['text', { text: { format: { type: 'json_object' } } }],
  ])('keeps %s, which changes what the answer holds', (_name, extra) => {
    expect(parse(body({ instructions: 'Be brief.', ...extra })).cacheIdentity()).not.toEqual(bare());
  });
});

describe('the text a degraded reply and sticky routing read', () => {
  it.each<[string, Json, string]>([
    ['a string input', body({ input: 'What is the price?' }), 'What is the price?'],
    [
      'the last user message of items, its text parts joined',
      body({
        input: [
          { role: 'user', content: 'first' },
          { role: 'assistant', content: 'ok' },
          {
            type: 'message',
            role: 'user',
            content: [
              { type: 'input_text', text: 'a' },
              { type: 'input_image', image_url: 'https://i' },
              { type: 'input_text', text: 'b' },
            ],
          },
          { type: 'function_call_output', call_id: 'c', output: 'tool text' },
        ],
      }),
      'a\nb',
    ],
    ['no user message', body({ input: [{ role: 'developer', content: 'x' }] }), ''],
  ])('reads the last user text of %s', (_name, value, expected) => {
    expect(parse(value).lastUserText()).toBe(expected);
  });

  it('seeds a conversation without prompt_cache_key by its instructions, system messages and first user message', () => {
    const opening: Json[] = [
      { role: 'developer', content: 'Env' },
      { role: 'user', content: 'Hello' },
    ];
    const first = parse(body({ instructions: 'Be brief.', input: opening }));
    const later = parse(
      body({
        instructions: 'Be brief.',
        input: [...opening, { role: 'assistant', content: 'Hi' }, { role: 'user', content: 'More' }],
      }),
    );
    expect(first.sessionHint()).toBe('system:Be brief.\nEnv\nuser:Hello');
    expect(later.sessionHint()).toBe(first.sessionHint());
    expect(parse(body({ prompt_cache_key: '' })).sessionHint()).toBe('system:user:Hi');
  });
});

describe('inputItemsOf', () => {
  it.each<[string, Json, Json[]]>([
    [
      'a string input as one user message',
      body({ input: 'Hi' }),
      [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hi' }] }],
    ],
    [
      'easy messages typed',
      body({ input: [{ role: 'assistant', content: 'ok' }] }),
      [{ type: 'message', role: 'assistant', content: 'ok' }],
    ],
    [
      'typed items as sent',
      body({
        input: [
          { type: 'function_call_output', call_id: 'c', output: 'x' },
          { type: 'web_search_call', id: 'ws' },
        ],
      }),
      [
        { type: 'function_call_output', call_id: 'c', output: 'x' },
        { type: 'web_search_call', id: 'ws' },
      ],
    ],
    ['no input as nothing', { model: 'chat' }, []],
  ])('gives %s', (_name, value, expected) => {
    expect(inputItemsOf(value)).toEqual(expected);
  });
});

describe('withHistory', () => {
  const history: Json[] = [
    { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'My name is Ada.' }] },
    {
      id: 'msg_1',
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: 'Hello Ada.', annotations: [], logprobs: [] }],
    },
    { id: 'rs_1', type: 'reasoning', summary: [], encrypted_content: 'anthropic.thinking:sig' },
  ];

  it('is the request as if the caller had sent the whole conversation, without previous_response_id', () => {
    const sent = body({ previous_response_id: 'resp_1', input: 'What is my name?', instructions: 'Be brief.', store: true });
    const request = withHistory(parse(sent), history);
    expect(request.body).toEqual({
      model: 'chat',
      instructions: 'Be brief.',
      store: true,
      input: [...history, { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'What is my name?' }] }],
    });
    expect(request.messageCount).toBe(4);
    expect(request.lastUserText()).toBe('What is my name?');
    expect(request.cacheIdentity()).toEqual({ model: 'chat', instructions: 'Be brief.', input: request.body.input });
    expect(request.toModel().messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(sent.previous_response_id).toBe('resp_1');
  });

  it('keeps the caller’s own items after the history, easy messages typed', () => {
    const request = withHistory(parse(body({ previous_response_id: 'resp_1', input: [{ role: 'user', content: 'Go on' }] })), history);
    expect(request.body.input).toEqual([...history, { type: 'message', role: 'user', content: 'Go on' }]);
    expect(request.body).not.toHaveProperty('previous_response_id');
  });
});
