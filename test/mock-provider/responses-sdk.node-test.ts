// Tests the mock's Responses wire over HTTP with the real `openai` SDK: create, stream (text, reasoning, namespaced calls), continuations and failures. Runs in Node.

import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from './server.ts';

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer({ port: 0, name: 'responses-sdk' });
});
afterAll(() => server.close());

/** An SDK client whose base URL carries `scenario`; no retries, so every scripted fault reaches the test. */
function client(scenario = ''): OpenAI {
  const prefix = scenario === '' ? '' : `/${scenario}`;
  return new OpenAI({ apiKey: 'sk-node', baseURL: `${server.url}${prefix}/v1`, maxRetries: 0 });
}

const codexTools: OpenAI.Responses.Tool[] = [
  { type: 'web_search' },
  { type: 'namespace', name: 'mcp__docs__', description: 'Docs', tools: [{ type: 'function', name: 'lookup', parameters: {} }] },
];

describe('the openai SDK against the mock Responses wire', () => {
  it('creates a response and reads output_text and usage', async () => {
    const response = await client('key=sk-node').responses.create({ model: 'gpt-5-mock', input: 'Say hello' });
    expect(response.output_text).toBe('Hello from the mock provider.');
    expect(response.usage).toMatchObject({ input_tokens: 3, output_tokens: 5, total_tokens: 8 });
  });

  it('streams reasoning and text into a final response that matches the deltas', async () => {
    const stream = client('token-delay=2').responses.stream({
      model: 'gpt-5-mock',
      input: 'Say hello',
      reasoning: { effort: 'low', summary: 'auto' },
      include: ['reasoning.encrypted_content'],
    });
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const final = await stream.finalResponse();
    expect(deltas.join('')).toBe(final.output_text);
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
    expect(final.output[0]).toMatchObject({ summary: [{ type: 'summary_text' }], encrypted_content: expect.stringMatching(/^mockenc_/) });
  });

  it('streams a namespaced function call and continues it with previous_response_id', async () => {
    const sdk = client();
    const first = await sdk.responses.stream({ model: 'gpt-5-mock', input: 'Find docs', tools: codexTools }).finalResponse();
    const [call] = first.output;
    expect(call).toMatchObject({ type: 'function_call', name: 'lookup', namespace: 'mcp__docs__', arguments: '{"query":"Find docs"}' });
    if (call?.type !== 'function_call') throw new Error('expected a function call');
    const second = await sdk.responses.create({
      model: 'gpt-5-mock',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '4 pages' }],
      tools: codexTools,
    });
    expect(second.output_text).toBe('Tool said: 4 pages');
  });

  it('raises the 400 of an unknown previous_response_id as a BadRequestError with its code and param', async () => {
    const failed = client().responses.create({ model: 'gpt-5-mock', input: 'Hi', previous_response_id: 'resp_gone' });
    await expect(failed).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(failed).rejects.toMatchObject({ status: 400, code: 'previous_response_not_found', param: 'previous_response_id' });
  });

  it('ends a stream that fails after the preamble with a failed response carrying the error', async () => {
    const stream = client('error-event-after=0,code=server_error').responses.stream({ model: 'gpt-5-mock', input: 'Hi' });
    const names: string[] = [];
    stream.on('event', (event) => names.push(event.type));
    const final = await stream.finalResponse();
    expect(names).toEqual(['response.created', 'response.in_progress', 'response.failed']);
    expect(final).toMatchObject({ status: 'failed', error: { code: 'server_error', message: 'The model failed to generate a response.' } });
  });

  it('hands response.failed to a create stream and ends it without raising: this SDK raises only on an error event or a broken connection', async () => {
    const events = await client('error-event-after=1').responses.create({ model: 'gpt-5-mock', input: 'Hi', stream: true });
    const types: string[] = [];
    for await (const event of events) types.push(event.type);
    expect(types.slice(-2)).toEqual(['response.output_text.delta', 'response.failed']);
  });

  it('rejects a stream whose connection is cut mid-answer', async () => {
    const stream = client('cut-after=2').responses.stream({ model: 'gpt-5-mock', input: 'Hi' });
    await expect(stream.finalResponse()).rejects.toThrow();
  });
});
