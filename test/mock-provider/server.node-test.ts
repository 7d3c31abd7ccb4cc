// Tests the mock's Node HTTP server (server.ts) on real sockets: both wires, a real cut, the control endpoints. Runs in Node.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockServer, startMockServer } from './server.ts';
import { sseEvents } from './sse-reader.ts';

let server: MockServer;
beforeAll(async () => {
  server = await startMockServer({ port: 0, name: 'node-mock' });
});
afterAll(() => server.close());

function messages(scenario: string, body: Record<string, unknown> = {}): Promise<Response> {
  return fetch(`${server.url}/${scenario}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-node', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify({ model: 'claude-mock', max_tokens: 256, messages: [{ role: 'user', content: 'Say hello' }], ...body }),
  });
}

describe('startMockServer', () => {
  it('serves POST /v1/messages with a request-id and an Anthropic message', async () => {
    const response = await messages('key=sk-ant-node');
    expect(response.status).toBe(200);
    expect(response.headers.get('request-id')).toMatch(/^req_mock_\d+$/);
    expect(await response.json()).toMatchObject({ type: 'message', content: [{ type: 'text', text: 'Hello from the mock provider.' }] });
  });

  it('streams Anthropic events over a real socket', async () => {
    const response = await messages('token-delay=5', { stream: true });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const names = sseEvents(await response.text()).map((event) => event.event);
    expect(names.slice(0, 3)).toEqual(['message_start', 'content_block_start', 'ping']);
    expect(names.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
  });

  it('cuts the socket mid-stream for cut-after', async () => {
    const response = await messages('cut-after=1', { stream: true });
    await expect(response.text()).rejects.toThrow();
  });

  it('answers Anthropic errors with retry hints, and still serves the OpenAI wire', async () => {
    const overloaded = await messages('status=529,retry-after=1');
    expect(overloaded.status).toBe(529);
    expect(overloaded.headers.get('retry-after')).toBe('1');
    expect(await overloaded.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    const chat = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(await chat.json()).toMatchObject({ object: 'chat.completion' });
  });

  it('lists the calls it received, with the Anthropic headers', async () => {
    const calls = (await (await fetch(`${server.url}/__mock/calls`)).json()) as Array<Record<string, unknown>>;
    expect(calls[0]).toMatchObject({ path: '/v1/messages', apiKey: 'sk-ant-node', anthropicVersion: '2023-06-01' });
  });

  it('counts tokens and records the query, the beta header and every header of a call', async () => {
    await fetch(`${server.url}/__mock/reset`, { method: 'POST' });
    const counted = await fetch(`${server.url}/v1/messages/count_tokens?beta=true`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': 'k',
        'anthropic-version': '2023-06-01',
        'Anthropic-Beta': 'token-counting-2024-11-01',
      },
      body: JSON.stringify({ model: 'claude-mock', messages: [{ role: 'user', content: 'Say hello' }] }),
    });
    expect(await counted.json()).toEqual({ input_tokens: 3 });
    const [call] = (await (await fetch(`${server.url}/__mock/calls`)).json()) as Array<{
      query: string;
      anthropicBeta: string;
      headers: Record<string, string>;
    }>;
    expect(call).toMatchObject({
      method: 'POST',
      path: '/v1/messages/count_tokens',
      query: '?beta=true',
      anthropicBeta: 'token-counting-2024-11-01',
    });
    expect(call?.headers).toMatchObject({
      'anthropic-beta': 'token-counting-2024-11-01',
      host: server.url.slice('http://'.length),
      'x-api-key': 'k',
    });
  });
});
