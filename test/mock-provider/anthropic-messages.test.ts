// Tests the mock's POST /v1/messages without streaming: answers, tools, prefill, limits, header checks and errors (runs in workerd).

import { describe, expect, it } from 'vitest';
import { hello, messages } from './anthropic-test-client.ts';
import { createMockProvider } from './handler.ts';

type Message = {
  content: Array<Record<string, unknown>>;
  stop_reason: string;
  stop_sequence: string | null;
  usage: Record<string, number>;
};

async function message(response: Response): Promise<Message> {
  expect(response.status).toBe(200);
  return (await response.json()) as Message;
}

const tools = [
  { name: 'search', description: 'Searches the web', input_schema: { type: 'object', properties: { query: { type: 'string' } } } },
];

describe('POST /v1/messages', () => {
  it('answers a healthy request like Anthropic', async () => {
    const response = await messages(createMockProvider({ name: 'claude' }), '');
    expect(response.headers.get('request-id')).toBe('req_mock_1');
    expect(response.headers.get('x-mock-provider')).toBe('claude');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({
      id: 'msg_mock_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-mock',
      content: [{ type: 'text', text: 'Hello from the mock provider.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 5 },
    });
  });

  it('uses reply and repeat, and counts the system prompt and text blocks as input', async () => {
    const body = {
      system: [{ type: 'text', text: 'Be kind' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello' }] }],
    };
    const answer = await message(await messages(createMockProvider(), 'reply=Hi%20there.,repeat=2', body));
    expect(answer.content).toEqual([{ type: 'text', text: 'Hi there. Hi there.' }]);
    expect(answer.usage).toMatchObject({ input_tokens: 4, output_tokens: 4 });
  });

  it('calls the first tool with the last user text, then answers its tool_result as text', async () => {
    const provider = createMockProvider();
    const call = await message(await messages(provider, '', { tools }));
    expect(call.stop_reason).toBe('tool_use');
    expect(call.content).toEqual([{ type: 'tool_use', id: 'toolu_mock_1', name: 'search', input: { query: 'Say hello' } }]);
    const turn = [
      ...hello,
      { role: 'assistant', content: call.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_mock_1', content: [{ type: 'text', text: 'sunny' }] }] },
    ];
    const after = await message(await messages(provider, '', { tools, messages: turn }));
    expect(after.content).toEqual([{ type: 'text', text: 'Tool said: sunny' }]);
    expect(after.stop_reason).toBe('end_turn');
  });

  it('follows tool_choice: none answers text, a named tool is the one called', async () => {
    const provider = createMockProvider();
    const both = [...tools, { name: 'lookup', input_schema: { type: 'object' } }];
    const none = await message(await messages(provider, '', { tools: both, tool_choice: { type: 'none' } }));
    expect(none.content[0]).toMatchObject({ type: 'text' });
    const forced = await message(await messages(provider, '', { tools: both, tool_choice: { type: 'tool', name: 'lookup' } }));
    expect(forced.content[0]).toMatchObject({ type: 'tool_use', name: 'lookup' });
  });

  it('continues a trailing assistant prefill with only the rest of the answer', async () => {
    const prefill = [...hello, { role: 'assistant', content: [{ type: 'text', text: 'Hello from' }] }];
    const answer = await message(await messages(createMockProvider(), '', { messages: prefill }));
    expect(answer.content).toEqual([{ type: 'text', text: ' the mock provider.' }]);
    expect(answer.usage.output_tokens).toBe(3);
  });

  it('stops after max_tokens pieces, or at the earliest stop sequence', async () => {
    const provider = createMockProvider();
    const short = await message(await messages(provider, '', { max_tokens: 2 }));
    expect(short).toMatchObject({ content: [{ text: 'Hello from' }], stop_reason: 'max_tokens', stop_sequence: null });
    expect(short.usage.output_tokens).toBe(2);
    const stopped = await message(await messages(provider, '', { stop_sequences: ['provider', 'mock'] }));
    expect(stopped).toMatchObject({ content: [{ text: 'Hello from the ' }], stop_reason: 'stop_sequence', stop_sequence: 'mock' });
  });

  it.each([
    ['no anthropic-version header', { 'anthropic-version': null }, 'anthropic-version: header is required'],
    ['an unknown anthropic-version', { 'anthropic-version': '2099-01-01' }, 'anthropic-version: "2099-01-01" is not a valid version'],
  ])('refuses %s with a 400', async (_, headers, text) => {
    const response = await messages(createMockProvider(), '', {}, { headers });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: text },
      request_id: 'req_mock_1',
    });
  });

  it.each([
    ['a body without max_tokens', { max_tokens: undefined }, 'max_tokens: Field required'],
    ['a trailing prefill ending in whitespace', { messages: [...hello, { role: 'assistant', content: 'Hello ' }] }, 'trailing whitespace'],
    ['an empty messages list', { messages: [] }, 'messages: at least one message is required'],
  ])('answers %s with a 400 invalid_request_error', async (_, body, text) => {
    const response = await messages(createMockProvider(), '', body);
    expect(response.status).toBe(400);
    const error = (await response.json()) as { error: { type: string; message: string } };
    expect(error.error.type).toBe('invalid_request_error');
    expect(error.error.message).toContain(text);
  });

  it('checks x-api-key, not Authorization, when the scenario names a key', async () => {
    const provider = createMockProvider();
    expect((await messages(provider, 'key=sk-ant-test')).status).toBe(200);
    const wrong = await messages(provider, 'key=sk-ant-other');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } });
    const bearer = await messages(provider, 'key=sk-ant-test', {}, { headers: { 'x-api-key': null, authorization: 'Bearer sk-ant-test' } });
    expect(bearer.status).toBe(401);
    expect(await bearer.json()).toMatchObject({ error: { type: 'authentication_error', message: 'x-api-key header is required' } });
  });

  it('answers a limit-key key with rate_limit_error and accepts every key a key= list names', async () => {
    const provider = createMockProvider();
    const as = (key: string) => messages(provider, 'key=sk-ant-1+sk-ant-2,limit-key=sk-ant-2', {}, { headers: { 'x-api-key': key } });
    expect((await as('sk-ant-1')).status).toBe(200);
    const limited = await as('sk-ant-2');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
    expect(await limited.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });

  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [402, 'billing_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [408, 'timeout_error'],
    [413, 'request_too_large'],
    [418, 'invalid_request_error'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [503, 'api_error'],
    [504, 'timeout_error'],
    [529, 'overloaded_error'],
  ])('answers a scripted %i with an Anthropic %s body and a request-id', async (status, type) => {
    const response = await messages(createMockProvider(), `status=${status}`, { stream: true });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('request-id')).toBe('req_mock_1');
    const body = (await response.json()) as { type: string; error: { type: string; message: string }; request_id: string };
    expect(body).toMatchObject({ type: 'error', error: { type }, request_id: 'req_mock_1' });
    expect(body.error.message).not.toBe('');
  });

  it('lets type= and message= override the error, maps code=context_length_exceeded, and sends retry hints', async () => {
    const provider = createMockProvider();
    const custom = await messages(provider, 'status=500,type=overloaded_error,message=Busy%20now,retry-after=3');
    expect(custom.headers.get('retry-after')).toBe('3');
    expect(await custom.json()).toMatchObject({ error: { type: 'overloaded_error', message: 'Busy now' } });
    const long = await messages(provider, 'status=400,code=context_length_exceeded');
    expect(await long.json()).toMatchObject({
      error: { type: 'invalid_request_error', message: 'prompt is too long: 250000 tokens > 200000 maximum' },
    });
    const model = await messages(provider, 'status=404');
    expect(await model.json()).toMatchObject({ error: { type: 'not_found_error', message: 'model: claude-mock' } });
  });

  it('applies times and after windows as on the OpenAI wire', async () => {
    const provider = createMockProvider();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await messages(provider, 'id=a,status=529,after=1,times=2')).status);
    expect(statuses).toEqual([200, 529, 529, 200]);
  });

  it('answers 200 with a cut-off message body for bad-json', async () => {
    const response = await messages(createMockProvider(), 'bad-json');
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text.startsWith('{"id":"msg_mock_1","type":"message"')).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('answers a typo in the scenario, and an unknown path, in the Anthropic error shape', async () => {
    const provider = createMockProvider();
    const typo = await messages(provider, 'stauts=500');
    expect(typo.status).toBe(400);
    expect(await typo.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    const unknown = await provider.fetch('http://mock.test/v1/messages/batches', { headers: { 'anthropic-version': '2023-06-01' } });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
  });

  it('rejects with a lost connection on reset', async () => {
    await expect(messages(createMockProvider(), 'reset')).rejects.toThrow(new TypeError('Network connection lost.'));
  });

  it('records the Anthropic headers of every call', async () => {
    const provider = createMockProvider();
    await messages(provider, 'status=529', { stream: true });
    expect(provider.calls()).toEqual([
      {
        n: 1,
        scenario: 'status=529',
        method: 'POST',
        path: '/v1/messages',
        query: '',
        model: 'claude-mock',
        stream: true,
        authorization: null,
        apiKey: 'sk-ant-test',
        anthropicVersion: '2023-06-01',
        anthropicBeta: null,
        requestId: null,
        body: { model: 'claude-mock', max_tokens: 1024, messages: hello, stream: true },
        headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' },
      },
    ]);
  });

  it('records the anthropic-beta header, the query string and every header, lower-cased', async () => {
    const provider = createMockProvider();
    const beta = 'claude-code-20250219,interleaved-thinking-2025-05-14';
    await provider.fetch('http://mock.test/reply=ok/v1/messages?beta=true', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Api-Key': 'sk-ant-test',
        'Anthropic-Version': '2023-06-01',
        'Anthropic-Beta': beta,
      },
      body: JSON.stringify({ model: 'claude-mock', max_tokens: 16, messages: hello }),
    });
    const [call] = provider.calls();
    expect(call).toMatchObject({ path: '/v1/messages', query: '?beta=true', anthropicBeta: beta, scenario: 'reply=ok' });
    expect(call?.headers).toEqual({
      'content-type': 'application/json',
      'x-api-key': 'sk-ant-test',
      'anthropic-version': '2023-06-01',
      'anthropic-beta': beta,
    });
    if (call) call.headers['x-api-key'] = 'changed';
    expect(provider.calls()[0]?.headers['x-api-key']).toBe('sk-ant-test');
  });
});
