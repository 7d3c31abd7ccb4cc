// Tests tool calls on the mock's Responses wire: the default call, namespace groups, tool_choice, tool outputs and MOCK_TOOL directives (runs in workerd).

import { describe, expect, it } from 'vitest';
import { createMockProvider } from './handler.ts';
import { errorOf, responseOf, responses } from './responses-test-client.ts';

const search = { type: 'function', name: 'search', parameters: { type: 'object' } };
const read = { type: 'function', name: 'Read', parameters: { type: 'object' } };
const codexTools = [
  { type: 'web_search' },
  { type: 'custom', name: 'apply_patch', format: { type: 'grammar', syntax: 'lark', definition: 'start: "x"' } },
  { type: 'namespace', name: 'mcp__docs__', description: 'Docs server', tools: [{ type: 'function', name: 'lookup', parameters: {} }] },
  search,
];

function call(callId: string, name: string, args: string) {
  return { type: 'function_call', call_id: callId, name, arguments: args };
}

function output(callId: string, text: string) {
  return { type: 'function_call_output', call_id: callId, output: text };
}

describe('tool calls on /v1/responses', () => {
  it('calls the first function tool with the last user text and reports its fragments as output tokens', async () => {
    const body = await responseOf(await responses(createMockProvider(), '', { tools: [search, read] }));
    expect(body.output).toEqual([
      {
        id: 'fc_mock_1',
        type: 'function_call',
        status: 'completed',
        arguments: '{"query":"Say hello"}',
        call_id: 'call_mock_1',
        name: 'search',
      },
    ]);
    expect(body.usage?.output_tokens).toBe(3);
  });

  it('skips built-in and custom tools and calls a namespaced function with its namespace, as Codex expects', async () => {
    const body = await responseOf(await responses(createMockProvider(), '', { tools: codexTools }));
    expect(body.output[0]).toMatchObject({ type: 'function_call', name: 'lookup', namespace: 'mcp__docs__' });
    expect(body.tools).toEqual(codexTools);
  });

  it.each([
    ['none', 'none', 'message'],
    ['a forced function', { type: 'function', name: 'Read' }, 'Read'],
    ['allowed_tools', { type: 'allowed_tools', mode: 'auto', tools: [{ type: 'function', name: 'Read' }] }, 'Read'],
    ['required', 'required', 'search'],
  ])('honours tool_choice %s', async (_, toolChoice, expected) => {
    const body = await responseOf(await responses(createMockProvider(), '', { tools: [search, read], tool_choice: toolChoice }));
    const [item] = body.output;
    expect(item?.type === 'function_call' ? item.name : item?.type).toBe(expected);
  });

  it('answers a function_call_output with the tool result', async () => {
    const input = [{ role: 'user', content: 'Find docs' }, call('call_a', 'search', '{}'), output('call_a', '3 hits')];
    const body = await responseOf(await responses(createMockProvider(), '', { tools: [search], input }));
    expect(body.output[0]).toMatchObject({ type: 'message', content: [{ text: 'Tool said: 3 hits' }] });
  });

  it('reads outputs given as content parts and answers parallel outputs together', async () => {
    const input = [
      { role: 'user', content: 'Find docs' },
      call('call_a', 'search', '{}'),
      call('call_b', 'search', '{}'),
      output('call_a', '1 hit'),
      { type: 'function_call_output', call_id: 'call_b', output: [{ type: 'input_text', text: '2 hits' }] },
    ];
    const body = await responseOf(await responses(createMockProvider(), '', { tools: [search], input }));
    expect(body.output[0]).toMatchObject({ content: [{ text: 'Tool said: 1 hit\n2 hits' }] });
  });

  it('refuses a function_call_output that answers no call of the conversation', async () => {
    const input = [{ role: 'user', content: 'Find docs' }, output('call_zz', '3 hits')];
    expect(await errorOf(await responses(createMockProvider(), '', { tools: [search], input }))).toEqual({
      status: 400,
      message: 'No tool call found for function call output with call_id call_zz.',
      type: 'invalid_request_error',
      param: 'input',
      code: null,
    });
  });
});

describe('MOCK_TOOL directives on /v1/responses', () => {
  const task = [
    'Create hello.txt, then read it.',
    'MOCK_TOOL Write {"file_path": "/tmp/w/hello.txt", "content": "hi"}',
    'MOCK_TOOL lookup {"topic": "files"}',
  ].join('\n');
  const write = { type: 'function', name: 'Write', parameters: {} };
  const tools = [write, ...codexTools];

  it('plays the directives in order, each once the previous result is in, then answers the last result', async () => {
    const provider = createMockProvider();
    const user = { role: 'user', content: task };
    const first = await responseOf(await responses(provider, '', { tools, input: [user] }));
    expect(first.output[0]).toMatchObject({ name: 'Write', arguments: '{"file_path":"/tmp/w/hello.txt","content":"hi"}' });
    const written = [user, call('call_1', 'Write', '{}'), output('call_1', 'written')];
    const second = await responseOf(await responses(provider, '', { tools, input: written }));
    expect(second.output[0]).toMatchObject({ name: 'lookup', namespace: 'mcp__docs__', arguments: '{"topic":"files"}' });
    const looked = [...written, call('call_2', 'lookup', '{}'), output('call_2', 'found')];
    const third = await responseOf(await responses(provider, '', { tools, input: looked }));
    expect(third.output[0]).toMatchObject({ type: 'message', content: [{ text: 'Tool said: found' }] });
  });

  it('ignores a directive naming a tool that is not offered', async () => {
    const body = await responseOf(await responses(createMockProvider(), '', { tools: [search], input: 'MOCK_TOOL Write {"a": 1}' }));
    expect(body.output[0]).toMatchObject({ name: 'search', arguments: '{"query":"MOCK_TOOL Write {\\"a\\": 1}"}' });
  });
});
