// Responses requests in the internal shape, and the Chat Completions and Anthropic bodies they become: items, tools, names, reasoning.
import { describe, expect, it } from 'vitest';
import { modelToMessages } from '../../src/protocols/anthropic/from-model.ts';
import { messagesRequestSchema } from '../../src/protocols/anthropic/schema.ts';
import type { Json } from '../../src/protocols/json.ts';
import { type ModelPart, type ModelRequest, UnsupportedRequest } from '../../src/protocols/model.ts';
import { modelToChat } from '../../src/protocols/openai-chat/from-model.ts';
import { chatRequestSchema } from '../../src/protocols/openai-chat/schema.ts';
import { responsesCaller } from '../../src/protocols/openai-responses/caller.ts';
import { outputItems } from '../../src/protocols/openai-responses/response-object.ts';
import { flatName, toolNamesOf } from '../../src/protocols/openai-responses/tool-names.ts';
import codexRequest from '../fixtures/responses/codex-request.json?raw';
import { httpWith } from './helpers/config.ts';

const toModel = (body: Json): ModelRequest => responsesCaller.parse({ model: 'chat', ...body }, httpWith()).toModel();
const toChat = (body: Json): Json =>
  modelToChat(toModel(body), { model: 'gpt-4o', maxTokens: undefined, limitField: 'max_tokens', streamOptions: true });
const toClaude = (body: Json): Json => modelToMessages(toModel(body), { model: 'claude-sonnet-4-5', maxTokens: 1024 });
const codex = (): Json => JSON.parse(codexRequest) as Json;
const NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

describe('Responses request -> internal shape', () => {
  it.each<[string, Json, Partial<ModelRequest>]>([
    ['instructions as the system text', { instructions: 'Be brief.', input: 'Hi' }, { system: [{ type: 'text', text: 'Be brief.' }] }],
    ['a string input as one user turn', { input: 'Hi' }, { messages: [{ role: 'user', parts: [{ type: 'text', text: 'Hi' }] }] }],
    [
      'system and developer messages after instructions, in order',
      {
        instructions: 'A',
        input: [
          { role: 'developer', content: 'B' },
          { role: 'system', content: [{ type: 'input_text', text: 'C' }] },
          { role: 'user', content: 'x' },
        ],
      },
      { system: ['A', 'B', 'C'].map((text) => ({ type: 'text' as const, text })) },
    ],
    [
      'assistant output_text and refusal parts as text',
      {
        input: [
          {
            type: 'message',
            role: 'assistant',
            content: [
              { type: 'output_text', text: 'Yes. ' },
              { type: 'refusal', refusal: 'No.' },
            ],
          },
        ],
      },
      {
        messages: [
          {
            role: 'assistant',
            parts: [
              { type: 'text', text: 'Yes. ' },
              { type: 'text', text: 'No.' },
            ],
          },
        ],
      },
    ],
    [
      'images by URL and by file id, and files',
      {
        input: [
          {
            role: 'user',
            content: [
              { type: 'input_image', image_url: 'https://example.com/a.png', detail: 'low' },
              { type: 'input_image', file_id: 'file-img' },
              { type: 'input_file', file_data: 'data:application/pdf;base64,JVBERi0=', filename: 'r.pdf' },
              { type: 'input_file', file_id: 'file-doc' },
            ],
          },
        ],
      },
      {
        messages: [
          {
            role: 'user',
            parts: [
              { type: 'image', url: 'https://example.com/a.png', detail: 'low' },
              { type: 'file', fileId: 'file-img' },
              { type: 'file', data: 'data:application/pdf;base64,JVBERi0=', filename: 'r.pdf' },
              { type: 'file', fileId: 'file-doc' },
            ],
          },
        ],
      },
    ],
    [
      'sampling, limits, user and reasoning effort',
      {
        input: 'x',
        max_output_tokens: 500,
        temperature: 0.3,
        top_p: 0.9,
        safety_identifier: 'sid',
        user: 'u',
        reasoning: { effort: 'high' },
        parallel_tool_calls: false,
      },
      { maxTokens: 500, temperature: 0.3, topP: 0.9, user: 'sid', reasoning: { effort: 'high' }, parallelToolCalls: false },
    ],
    ['user when there is no safety_identifier', { input: 'x', user: 'u' }, { user: 'u' }],
    [
      'a json_schema format',
      { input: 'x', text: { format: { type: 'json_schema', name: 'city', schema, strict: true } } },
      { responseFormat: { type: 'json_schema', name: 'city', schema, strict: true } },
    ],
    ['a json_object format', { input: 'x', text: { format: { type: 'json_object' } } }, { responseFormat: { type: 'json_object' } }],
    ['a stream', { input: 'x', stream: true }, { stream: true }],
  ])('carries %s', (_name, body, expected) => {
    expect(toModel(body)).toMatchObject(expected);
  });

  it.each<[string, Json, string[]]>([
    [
      'built-in tools, by type',
      { tools: [{ type: 'web_search' }, { type: 'local_shell' }, { type: 'mcp', server_label: 'd' }] },
      ['tools.web_search', 'tools.local_shell', 'tools.mcp'],
    ],
    [
      'a reasoning summary setting and verbosity',
      { reasoning: { summary: 'auto' }, text: { verbosity: 'low' } },
      ['reasoning.summary', 'text.verbosity'],
    ],
    [
      'include entries other than encrypted reasoning',
      { include: ['reasoning.encrypted_content', 'web_search_call.action.sources'] },
      ['include.web_search_call.action.sources'],
    ],
    [
      'fields only the vendor reads',
      { prompt_cache_key: 'k', client_metadata: {}, truncation: 'auto', service_tier: 'flex' },
      ['prompt_cache_key', 'client_metadata', 'truncation', 'service_tier'],
    ],
    ['a format the proxy does not know', { text: { format: { type: 'grammar' } } }, ['text.format (grammar)']],
    [
      'another vendor’s encrypted reasoning, once',
      {
        input: [
          { type: 'reasoning', summary: [], encrypted_content: 'gAAA1' },
          { type: 'reasoning', summary: [], encrypted_content: 'gAAA2' },
        ],
      },
      ['reasoning.encrypted_content'],
    ],
  ])('names in dropped %s', (_name, body, dropped) => {
    expect(toModel({ input: 'x', ...body }).dropped).toEqual(dropped);
  });

  it('leaves store, metadata and the encrypted reasoning include out of dropped: the proxy serves them itself', () => {
    expect(toModel({ input: 'x', store: false, metadata: { a: '1' }, include: ['reasoning.encrypted_content'] }).dropped).toEqual([]);
  });

  it.each<[string, Json, string]>([
    ['a previous_response_id the proxy did not expand', { previous_response_id: 'resp_1' }, 'previous_response_id'],
    ['a stored conversation', { conversation: 'conv_1' }, 'conversation'],
    ['a stored prompt template', { prompt: { id: 'pmpt_1' } }, 'prompt'],
    ['an item_reference', { input: [{ type: 'item_reference', id: 'msg_1' }] }, 'item_reference'],
    ['an item the proxy does not know', { input: [{ type: 'compaction', encrypted_content: 'x' }] }, 'compaction'],
    ['a part the proxy does not know', { input: [{ role: 'user', content: [{ type: 'input_audio' }] }] }, 'input_audio'],
    ['a file by URL', { input: [{ role: 'user', content: [{ type: 'input_file', file_url: 'https://f' }] }] }, 'file_url'],
    [
      'an image in a system message',
      { input: [{ role: 'system', content: [{ type: 'input_image', image_url: 'https://i' }] }] },
      'input_image',
    ],
    ['top_logprobs', { top_logprobs: 2 }, 'logprobs'],
    ['logprobs through include', { include: ['message.output_text.logprobs'] }, 'logprobs'],
    [
      'a tool_choice forcing a built-in tool',
      { tools: [{ type: 'web_search' }], tool_choice: { type: 'web_search_preview' } },
      'web_search_preview',
    ],
    [
      'allowed_tools requiring only built-in tools',
      { tools: [{ type: 'web_search' }], tool_choice: { type: 'allowed_tools', mode: 'required', tools: [{ type: 'web_search' }] } },
      'built-in',
    ],
  ])('refuses %s (the next target is tried)', (_name, body, reason) => {
    expect(() => toModel({ input: 'x', ...body })).toThrow(UnsupportedRequest);
    expect(() => toModel({ input: 'x', ...body })).toThrow(reason);
  });
});

describe('tool calls, their outputs and built-in items', () => {
  const turns: Json = {
    tools: [{ type: 'function', name: 'get_weather', description: 'Weather', parameters: schema }],
    tool_choice: 'required',
    input: [
      { role: 'user', content: 'Weather in Paris and Rome?' },
      { type: 'function_call', call_id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'function_call', call_id: 'c2', name: 'get_weather', arguments: '{"city":"Rome"}' },
      { type: 'function_call_output', call_id: 'c1', output: '18°C' },
      {
        type: 'function_call_output',
        call_id: 'c2',
        output: [
          { type: 'input_text', text: '21°C' },
          { type: 'input_image', image_url: 'https://map' },
        ],
      },
      { role: 'user', content: 'Thanks' },
    ],
  };

  it('makes calls one assistant turn and outputs one user turn, before the user’s next message', () => {
    expect(toModel(turns).messages).toEqual([
      { role: 'user', parts: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        parts: [
          { type: 'tool-call', id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'tool-call', id: 'c2', name: 'get_weather', arguments: '{"city":"Rome"}' },
        ],
      },
      {
        role: 'user',
        parts: [
          { type: 'tool-result', callId: 'c1', content: [{ type: 'text', text: '18°C' }] },
          {
            type: 'tool-result',
            callId: 'c2',
            content: [
              { type: 'text', text: '21°C' },
              { type: 'image', url: 'https://map' },
            ],
          },
          { type: 'text', text: 'Thanks' },
        ],
      },
    ]);
  });

  it('gives a Chat Completions vendor tool_calls and tool messages', () => {
    const chat = toChat(turns);
    expect(chatRequestSchema.safeParse(chat).success).toBe(true);
    expect(chat.tools).toEqual([{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: schema } }]);
    expect(chat.tool_choice).toBe('required');
    expect(chat.messages).toEqual([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'c2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: '18°C' },
      { role: 'tool', tool_call_id: 'c2', content: '21°C' },
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'https://map' } },
          { type: 'text', text: 'Thanks' },
        ],
      },
    ]);
  });

  it('gives an Anthropic vendor tool_use and tool_result blocks', () => {
    const claude = toClaude(turns);
    expect(messagesRequestSchema.safeParse(claude).success).toBe(true);
    expect(claude.tool_choice).toEqual({ type: 'any' });
    expect(claude.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'c1', name: 'get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'c2', name: 'get_weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'c1', content: '18°C' },
          {
            type: 'tool_result',
            tool_use_id: 'c2',
            content: [
              { type: 'text', text: '21°C' },
              { type: 'image', source: { type: 'url', url: 'https://map' } },
            ],
          },
          { type: 'text', text: 'Thanks' },
        ],
      },
    ]);
  });

  it('gives built-in tool items to other vendors as text: calls in assistant turns, outputs in user turns', () => {
    const model = toModel({
      input: [
        { role: 'user', content: 'Search' },
        { type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'q' } },
        { type: 'local_shell_call', id: 'ls_1', call_id: 'c', action: { command: ['ls'] } },
        { type: 'local_shell_call_output', id: 'lo_1', call_id: 'c', output: 'a.txt' },
      ],
    });
    expect(model.messages).toEqual([
      { role: 'user', parts: [{ type: 'text', text: 'Search' }] },
      {
        role: 'assistant',
        parts: [
          { type: 'text', text: '[web_search_call] {"status":"completed","action":{"type":"search","query":"q"}}' },
          { type: 'text', text: '[local_shell_call] {"call_id":"c","action":{"command":["ls"]}}' },
        ],
      },
      { role: 'user', parts: [{ type: 'text', text: '[local_shell_call_output] {"call_id":"c","output":"a.txt"}' }] },
    ]);
  });
});

describe('tools: namespaces flattened, custom tools as functions, names mapped back', () => {
  const tools = [
    { type: 'function', name: 'shell', parameters: schema, strict: false },
    {
      type: 'custom',
      name: 'apply_patch',
      description: 'Edit files',
      format: { type: 'grammar', syntax: 'lark', definition: 'start: "x"' },
    },
    {
      type: 'namespace',
      name: 'mcp__docs__',
      description: 'Docs',
      tools: [
        { type: 'function', name: 'search', parameters: schema },
        { type: 'custom', name: 'note' },
      ],
    },
    {
      type: 'namespace',
      name: 'crm',
      tools: [
        { type: 'function', name: 'find.contact', description: 'Find' },
        { type: 'future_tool', name: 'x' },
      ],
    },
    { type: 'web_search' },
  ];

  it('offers every function and custom tool as a function with a valid flat name', () => {
    const model = toModel({ input: 'x', tools });
    expect(model.tools).toEqual([
      { name: 'shell', parameters: schema, strict: false },
      {
        name: 'apply_patch',
        description: 'Edit files',
        parameters: {
          type: 'object',
          properties: { input: { type: 'string', description: 'The tool input, as free text matching this lark grammar:\nstart: "x"' } },
          required: ['input'],
          additionalProperties: false,
        },
      },
      { name: 'mcp__docs__search', parameters: schema },
      {
        name: 'mcp__docs__note',
        parameters: {
          type: 'object',
          properties: { input: { type: 'string', description: 'The tool input, as free text.' } },
          required: ['input'],
          additionalProperties: false,
        },
      },
      { name: 'crm__find_contact', description: 'Find', parameters: { type: 'object', properties: {} } },
    ]);
    expect(model.dropped).toEqual(['tools.mcp__docs__.description', 'tools.crm.future_tool', 'tools.web_search']);
    for (const tool of model.tools) expect(tool.name).toMatch(NAME);
  });

  it.each<[string, { name: string; namespace?: string; custom: boolean }]>([
    ['shell', { name: 'shell', custom: false }],
    ['apply_patch', { name: 'apply_patch', custom: true }],
    ['mcp__docs__search', { name: 'search', namespace: 'mcp__docs__', custom: false }],
    ['mcp__docs__note', { name: 'note', namespace: 'mcp__docs__', custom: true }],
    ['crm__find_contact', { name: 'find.contact', namespace: 'crm', custom: false }],
    ['made_up', { name: 'made_up', custom: false }],
  ])('maps the flat name %s back to the caller’s tool', (flat, tool) => {
    expect(toolNamesOf({ tools }).tool(flat)).toEqual(tool);
  });

  it('names a history call of a namespaced or custom tool as its tool, arguments of a custom call as {"input"}', () => {
    const model = toModel({
      tools,
      input: [
        { type: 'function_call', call_id: 'c1', name: 'search', namespace: 'mcp__docs__', arguments: '{"city":"x"}' },
        { type: 'custom_tool_call', call_id: 'c2', name: 'apply_patch', input: '*** Begin Patch' },
        { type: 'custom_tool_call_output', call_id: 'c2', output: 'Done' },
      ],
    });
    expect(model.messages).toEqual([
      {
        role: 'assistant',
        parts: [
          { type: 'tool-call', id: 'c1', name: 'mcp__docs__search', arguments: '{"city":"x"}' },
          { type: 'tool-call', id: 'c2', name: 'apply_patch', arguments: '{"input":"*** Begin Patch"}' },
        ],
      },
      { role: 'user', parts: [{ type: 'tool-result', callId: 'c2', content: [{ type: 'text', text: 'Done' }] }] },
    ]);
  });

  it.each<[string, string | undefined, string]>([
    ['search', 'mcp__docs__', 'mcp__docs__search'],
    ['manage_app', 'mcp__butterbase', 'mcp__butterbase__manage_app'],
    ['get', 'crm', 'crm__get'],
    ['find contact', 'my.crm', 'my_crm__find_contact'],
    ['f', undefined, 'f'],
  ])('flattens %s in namespace %s as %s', (name, namespace, flat) => {
    expect(flatName(name, namespace)).toBe(flat);
  });

  it('cuts a name past 64 characters to a stable one that still tells tools apart', () => {
    const a = flatName('a'.repeat(40), 'mcp__'.concat('s'.repeat(40)));
    const b = flatName('b'.repeat(40), 'mcp__'.concat('s'.repeat(40)));
    expect(a).toMatch(NAME);
    expect(a).toHaveLength(64);
    expect(a).not.toBe(b);
    expect(flatName('a'.repeat(40), 'mcp__'.concat('s'.repeat(40)))).toBe(a);
  });

  it('keeps a top-level name and numbers a namespaced tool that would take it', () => {
    const names = toolNamesOf({
      tools: [
        { type: 'namespace', name: 'crm', tools: [{ type: 'function', name: 'get' }] },
        { type: 'function', name: 'crm__get' },
      ],
    });
    expect(names.flat('crm__get')).toBe('crm__get');
    expect(names.flat('get', 'crm')).toBe('crm__get_2');
    expect(names.tool('crm__get_2')).toEqual({ name: 'get', namespace: 'crm', custom: false });
  });

  it.each<[string, unknown, Partial<ModelRequest>]>([
    [
      'a namespaced function',
      { type: 'function', name: 'search', namespace: 'mcp__docs__' },
      { toolChoice: { name: 'mcp__docs__search' } },
    ],
    ['a custom tool', { type: 'custom', name: 'apply_patch' }, { toolChoice: { name: 'apply_patch' } }],
    ['a mode', 'none', { toolChoice: 'none' }],
  ])('forces %s by its flat name', (_name, choice, expected) => {
    expect(toModel({ input: 'x', tools, tool_choice: choice })).toMatchObject(expected);
  });

  it('offers only the tools allowed_tools allows, with its mode', () => {
    const model = toModel({
      input: 'x',
      tools,
      tool_choice: {
        type: 'allowed_tools',
        mode: 'required',
        tools: [
          { type: 'function', name: 'shell' },
          { type: 'function', name: 'search', namespace: 'mcp__docs__' },
          { type: 'web_search' },
        ],
      },
    });
    expect(model.tools.map((tool) => tool.name)).toEqual(['shell', 'mcp__docs__search']);
    expect(model.toolChoice).toBe('required');
  });
});

describe('reasoning round trip through a Responses caller', () => {
  const thinking: ModelPart = { type: 'reasoning', text: 'Let me think.\n\nStill thinking.', signature: 'EqQBCkgIBRABGAIiQL+sig==' };
  const redacted: ModelPart = { type: 'redacted-reasoning', data: 'EmwKAhgBEgy3va3pzix/redacted==' };
  const call: ModelPart = { type: 'tool-call', id: 'toolu_01', name: 'shell', arguments: '{"city":"x"}' };

  /** The next request a caller sends after an Anthropic answer with `parts`: the answer's output items, then the tool's output. */
  function nextTurn(parts: ModelPart[]): Json {
    return {
      tools: [{ type: 'function', name: 'shell', parameters: schema }],
      input: [
        { role: 'user', content: 'Run it' },
        ...outputItems(parts),
        { type: 'function_call_output', call_id: 'toolu_01', output: 'ok' },
      ],
    };
  }

  it('gives an Anthropic thinking block back to Anthropic with the same signature, before its tool call', () => {
    const claude = toClaude(nextTurn([thinking, redacted, call]));
    expect(messagesRequestSchema.safeParse(claude).success).toBe(true);
    expect(claude.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Run it' }] },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Let me think.\n\nStill thinking.', signature: 'EqQBCkgIBRABGAIiQL+sig==' },
          { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/redacted==' },
          { type: 'tool_use', id: 'toolu_01', name: 'shell', input: { city: 'x' } },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: 'ok' }] },
    ]);
  });

  it('reads the tagged reasoning back into the internal parts it came from', () => {
    expect(toModel(nextTurn([thinking, redacted, call])).messages[1]).toEqual({ role: 'assistant', parts: [thinking, redacted, call] });
  });

  it('gives a Chat Completions vendor the reasoning text only', () => {
    const chat = toChat(nextTurn([thinking, redacted, call]));
    expect(chat.messages).toContainEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'shell', arguments: '{"city":"x"}' } }],
      reasoning_content: 'Let me think.\n\nStill thinking.',
    });
  });

  it('keeps an OpenAI reasoning summary as reasoning without a signature, which Anthropic leaves out', () => {
    const body = {
      input: [
        { role: 'user', content: 'x' },
        { type: 'reasoning', summary: [{ type: 'summary_text', text: 'Plan' }], encrypted_content: 'gAAAA' },
        { role: 'assistant', content: 'Done' },
      ],
    };
    expect(toModel(body).messages[1]).toEqual({
      role: 'assistant',
      parts: [
        { type: 'reasoning', text: 'Plan' },
        { type: 'text', text: 'Done' },
      ],
    });
    expect(toClaude(body).messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'x' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Done' }] },
    ]);
  });
});

describe('a Codex request translated', () => {
  it('gives an Anthropic vendor a valid Messages body with every callable tool and the whole history', () => {
    const claude = toClaude(codex());
    expect(messagesRequestSchema.safeParse(claude).success).toBe(true);
    expect((claude.tools as Json[]).map((tool) => tool.name)).toEqual([
      'shell',
      'update_plan',
      'apply_patch',
      'mcp__docs__search',
      'mcp__docs__fetch',
    ]);
    expect(claude.system).toEqual([
      { type: 'text', text: "You are Codex, based on GPT-5. You are running as a coding agent in the Codex CLI on a user's computer." },
      { type: 'text', text: '<permissions instructions>Filesystem sandboxing: workspace-write.</permissions instructions>' },
    ]);
    // Calls and their outputs alternate; the web search call and the answer share the last assistant turn.
    expect((claude.messages as Json[]).map((m) => m.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
      'assistant',
      'user',
    ]);
    expect(claude.stream).toBe(true);
  });

  it('gives a Chat Completions vendor a valid body, tool names as Chat Completions allows them', () => {
    const model = toModel(codex());
    expect(model.dropped).toEqual([
      'reasoning.encrypted_content',
      'tools.mcp__docs__.description',
      'tools.web_search',
      'reasoning.summary',
      'text.verbosity',
      'prompt_cache_key',
      'client_metadata',
    ]);
    expect(model.parallelToolCalls).toBe(false);
    expect(model.reasoning).toEqual({ effort: 'medium', budgetTokens: 4096 });
    const chat = toChat(codex());
    expect(chatRequestSchema.safeParse(chat).success).toBe(true);
    const calls = (chat.messages as Json[]).flatMap((m) =>
      Array.isArray(m.tool_calls) ? (m.tool_calls as { function: { name: string } }[]) : [],
    );
    expect(calls.map((c) => c.function.name)).toEqual(['shell', 'apply_patch', 'mcp__docs__search']);
  });
});
