// Tests the mock's POST /v1/responses JSON answers: the Response object, settings echoed, limits, OpenAI's 400s and the scripted faults (runs in workerd).

import { describe, expect, it } from 'vitest';
import { ConnectionLost, createMockProvider } from './handler.ts';
import { errorOf, responseOf, responses } from './responses-test-client.ts';

describe('POST /v1/responses', () => {
  it('answers a Response object with one message, usage details and the default settings echoed', async () => {
    const response = await responses(createMockProvider({ name: 'oai' }), '');
    expect(response.headers.get('x-request-id')).toBe('req_mock_1');
    expect(response.headers.get('content-type')).toBe('application/json');
    const { created_at: createdAt, ...body } = await responseOf(response);
    expect(createdAt).toBeTypeOf('number');
    expect(body).toEqual({
      id: 'resp_mock_1',
      object: 'response',
      status: 'completed',
      background: false,
      billing: { payer: 'developer' },
      completed_at: createdAt,
      error: null,
      incomplete_details: null,
      instructions: null,
      max_output_tokens: null,
      max_tool_calls: null,
      model: 'gpt-5-mock',
      output: [
        {
          id: 'msg_mock_1',
          type: 'message',
          status: 'completed',
          content: [{ type: 'output_text', annotations: [], logprobs: [], text: 'Hello from the mock provider.' }],
          role: 'assistant',
        },
      ],
      parallel_tool_calls: true,
      previous_response_id: null,
      prompt_cache_key: null,
      prompt_cache_retention: null,
      reasoning: { effort: null, summary: null },
      safety_identifier: null,
      service_tier: 'default',
      store: true,
      temperature: 1,
      text: { format: { type: 'text' }, verbosity: 'medium' },
      tool_choice: 'auto',
      tools: [],
      top_logprobs: 0,
      top_p: 1,
      truncation: 'disabled',
      usage: {
        input_tokens: 3,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: 5,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 8,
      },
      user: null,
      metadata: {},
    });
  });

  it('echoes the settings the request sent and counts the instructions as input', async () => {
    const tools = [{ type: 'web_search' }];
    const sent = {
      instructions: 'Be terse.',
      tools,
      tool_choice: 'auto',
      temperature: 0.2,
      max_output_tokens: 64,
      store: false,
      metadata: { team: 'qa' },
      text: { format: { type: 'text' }, verbosity: 'low' },
      prompt_cache_key: 'conv-1',
      service_tier: 'flex',
    };
    const body = await responseOf(await responses(createMockProvider(), '', sent));
    expect(body).toMatchObject({ ...sent, text: { format: { type: 'text' }, verbosity: 'low' } });
    expect(body.usage?.input_tokens).toBe(Math.ceil(('Be terse.'.length + 'Say hello'.length) / 4));
  });

  it('reads input items: messages with content parts, developer messages and a trailing assistant prefix', async () => {
    const input = [
      { role: 'developer', content: 'Answer in English.' },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Say hello' }] },
      { role: 'assistant', content: [{ type: 'output_text', text: 'Hello from' }] },
    ];
    const body = await responseOf(await responses(createMockProvider(), '', { input }));
    expect(body.output[0]).toMatchObject({ type: 'message', content: [{ text: ' the mock provider.' }] });
  });

  it('stops at max_output_tokens with status incomplete and the reason', async () => {
    const body = await responseOf(await responses(createMockProvider(), 'repeat=5', { max_output_tokens: 16 }));
    expect(body.status).toBe('incomplete');
    expect(body.completed_at).toBeNull();
    expect(body.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(body.output[0]).toMatchObject({ type: 'message', status: 'incomplete' });
    expect(body.usage?.output_tokens).toBe(16);
  });

  it('shapes the answer with reply and repeat', async () => {
    const body = await responseOf(await responses(createMockProvider(), 'reply=Pong.,repeat=2'));
    expect(body.output[0]).toMatchObject({ content: [{ text: 'Pong. Pong.' }] });
  });

  it('records the call with its path and the body as sent', async () => {
    const provider = createMockProvider();
    await responses(provider, 'id=x', { store: false, input: [{ role: 'user', content: 'Hi' }] });
    expect(provider.calls()[0]).toMatchObject({
      path: '/v1/responses',
      scenario: 'id=x',
      model: 'gpt-5-mock',
      stream: false,
      authorization: 'Bearer sk-test',
      body: { model: 'gpt-5-mock', store: false, input: [{ role: 'user', content: 'Hi' }] },
    });
  });
});

describe('POST /v1/responses refusals', () => {
  const function_call = { type: 'function_call', call_id: 'call_1', name: 'search', arguments: '{}' };
  it.each([
    ['a missing model', { model: undefined }, 'model', 'missing_required_parameter', "Missing required parameter: 'model'."],
    [
      'a model that is not a string',
      { model: 4 },
      'model',
      'invalid_type',
      "Invalid type for 'model': expected a string, but got an integer instead.",
    ],
    [
      'an input that is an object',
      { input: { role: 'user' } },
      'input',
      'invalid_type',
      "Invalid type for 'input': expected one of a string or an array of input items, but got an object instead.",
    ],
    ['an unknown input item type', { input: [{ type: 'note', text: 'x' }] }, 'input[0]', 'invalid_value', "Invalid value: 'note'."],
    ['an unknown message role', { input: [{ role: 'robot', content: 'x' }] }, 'input[0].role', 'invalid_value', "Invalid value: 'robot'."],
    [
      'a function call without arguments',
      { input: [{ ...function_call, arguments: undefined }] },
      'input[0].arguments',
      'missing_required_parameter',
      '',
    ],
    [
      'a reasoning item without summary',
      { input: [{ type: 'reasoning', id: 'rs_1' }] },
      'input[0].summary',
      'missing_required_parameter',
      '',
    ],
    [
      'a function tool without a name',
      { tools: [{ type: 'function', parameters: {} }] },
      'tools[0].name',
      'missing_required_parameter',
      '',
    ],
    [
      'a namespace function without a name',
      { tools: [{ type: 'namespace', name: 'ns', tools: [{ type: 'function' }] }] },
      'tools[0].tools[0].name',
      'missing_required_parameter',
      '',
    ],
    [
      'max_output_tokens below 16',
      { max_output_tokens: 8 },
      'max_output_tokens',
      'integer_below_min_value',
      'Expected a value >= 16, but got 8 instead.',
    ],
    ['a stream flag that is not a boolean', { stream: 'yes' }, 'stream', 'invalid_type', "Invalid type for 'stream'"],
  ])('refuses %s with a 400 naming the parameter', async (_, body, param, code, message) => {
    const error = await errorOf(await responses(createMockProvider(), '', body));
    expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', param, code });
    expect(error.message).toContain(message);
  });

  it('lists the supported item types when an item has none', async () => {
    const error = await errorOf(await responses(createMockProvider(), '', { input: [{ content: 'x' }] }));
    expect(error.message).toMatch(
      /^Invalid value: ''\. Supported values are: 'apply_patch_call', .*'message', .* and 'web_search_call'\.$/,
    );
  });

  it('refuses a body that is not JSON with OpenAI parse error', async () => {
    const response = await createMockProvider().fetch('http://mock.test/v1/responses', { method: 'POST', body: '{"model":' });
    expect(await errorOf(response)).toMatchObject({ status: 400, type: 'invalid_request_error', param: null, code: null });
  });

  it('answers 404 for a path under /v1/responses it does not serve', async () => {
    const response = await createMockProvider().fetch('http://mock.test/v1/responses/resp_1/cancel', { method: 'POST' });
    expect(await errorOf(response)).toMatchObject({ status: 404, message: 'Invalid URL (POST /v1/responses/resp_1/cancel)' });
  });
});

describe('POST /v1/responses scripted faults', () => {
  it('checks Bearer keys like the OpenAI wire: key= refuses others, limit-key= rate-limits', async () => {
    const provider = createMockProvider();
    expect(await errorOf(await responses(provider, 'key=sk-right', {}))).toMatchObject({ status: 401, code: 'invalid_api_key' });
    expect((await responses(provider, 'key=sk-test', {})).status).toBe(200);
    const limited = await responses(provider, 'limit-key=sk-test', {});
    expect(limited.headers.get('retry-after')).toBe('30');
    expect(await errorOf(limited)).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
  });

  it('answers a scripted status with the OpenAI error body and retry hints', async () => {
    const response = await responses(createMockProvider(), 'status=429,code=insufficient_quota,retry-after=7');
    expect(response.headers.get('retry-after')).toBe('7');
    expect(await errorOf(response)).toMatchObject({ status: 429, type: 'insufficient_quota', code: 'insufficient_quota' });
  });

  it('sends a Response cut off mid-object for bad-json', async () => {
    const text = await (await responses(createMockProvider(), 'bad-json')).text();
    expect(text.startsWith('{"id":"resp_mock_1","object":"response"')).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('waits for delay, drops the connection for reset and never answers for hang', async () => {
    const provider = createMockProvider();
    const started = Date.now();
    expect((await responses(provider, 'delay=60')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
    await expect(responses(provider, 'reset')).rejects.toBeInstanceOf(ConnectionLost);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('gave up')), 30);
    await expect(responses(provider, 'hang', {}, { signal: controller.signal })).rejects.toThrow('gave up');
  });
});
