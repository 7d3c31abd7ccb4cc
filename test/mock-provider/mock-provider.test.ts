// Tests the mock provider's in-process fetch (Web APIs only: runs in workerd).

import { describe, expect, it } from 'vitest';
import type { MockProvider } from './handler.ts';
import { createMockProvider } from './handler.ts';
import { embedVector } from './openai-wire.ts';
import { drain } from './sse-reader.ts';

const origin = 'http://mock.test';
const hello = [{ role: 'user', content: 'Say hello' }];

function chat(provider: MockProvider, scenario: string, body: Record<string, unknown> = {}, init: RequestInit = {}) {
  const prefix = scenario === '' ? '' : `/${scenario}`;
  return provider.fetch(`${origin}${prefix}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test', 'x-request-id': 'req-1' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: hello, ...body }),
    ...init,
  });
}

/** The `data:` payloads of an SSE body, in order. */
function dataEvents(text: string): string[] {
  return text
    .split('\n\n')
    .filter((event) => event.startsWith('data: '))
    .map((event) => event.slice('data: '.length));
}

type ToolDelta = { index: number; id?: string; function: { name?: string; arguments: string } };
type Chunk = {
  choices: Array<{ delta: { content?: string | null; tool_calls?: ToolDelta[] }; finish_reason: string | null }>;
};

function chunk(data: string | undefined): Chunk {
  return JSON.parse(data ?? '') as Chunk;
}

function streamedText(events: string[]): string {
  return events
    .filter((data) => data !== '[DONE]' && !data.startsWith('{"choices": ['))
    .map((data) => chunk(data).choices[0]?.delta.content ?? '')
    .join('');
}

describe('createMockProvider', () => {
  it('answers a healthy non-streaming request like OpenAI', async () => {
    const provider = createMockProvider({ name: 'alpha' });
    const response = await chat(provider, '');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-mock-provider')).toBe('alpha');
    const body = await response.json();
    expect(body).toMatchObject({
      id: 'chatcmpl-mock-1',
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Hello from the mock provider.', refusal: null }, finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 },
    });
  });

  it('streams the same text it answers without streaming', async () => {
    const provider = createMockProvider();
    const scenario = 'reply=One%20two%20%20three.,repeat=2';
    const whole = (await (await chat(provider, scenario)).json()) as { choices: Array<{ message: { content: string } }> };
    const response = await chat(provider, scenario, { stream: true, stream_options: { include_usage: true } });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = dataEvents(await response.text());
    expect(streamedText(events)).toBe(whole.choices[0]?.message.content);
    expect(whole.choices[0]?.message.content).toBe('One two  three. One two  three.');
    expect(JSON.parse(events[0] ?? '')).toMatchObject({ choices: [{ delta: { role: 'assistant', content: '' } }] });
    expect(JSON.parse(events[1] ?? '')).toMatchObject({ choices: [{ delta: { content: 'One' } }] });
    expect(JSON.parse(events.at(-3) ?? '')).toMatchObject({ choices: [{ delta: {}, finish_reason: 'stop' }], usage: null });
    expect(JSON.parse(events.at(-2) ?? '')).toMatchObject({ choices: [], usage: { completion_tokens: 6 } });
    expect(events.at(-1)).toBe('[DONE]');
  });

  it('answers a scripted status with retry headers and an OpenAI error body, even when streaming', async () => {
    const provider = createMockProvider();
    const response = await chat(provider, 'status=429,retry-after=2,retry-after-ms=1500', { stream: true });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(response.headers.get('retry-after-ms')).toBe('1500');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toMatchObject({ error: { type: 'requests', code: 'rate_limit_exceeded', param: null } });
  });

  it('sends Retry-After as an HTTP date for retry-after-date', async () => {
    const response = await chat(createMockProvider(), 'status=503,retry-after-date=30');
    const at = Date.parse(response.headers.get('retry-after') ?? '');
    expect(at - Date.now()).toBeGreaterThan(25_000);
    expect(at - Date.now()).toBeLessThan(35_000);
  });

  it('applies a fault to the first N calls of its scope only', async () => {
    const provider = createMockProvider();
    const statuses: number[] = [];
    for (const scenario of ['id=x,status=500,times=2', 'id=x,status=500,times=2', 'id=x,status=500,times=2', 'status=500,times=2']) {
      statuses.push((await chat(provider, scenario)).status);
    }
    expect(statuses).toEqual([500, 500, 200, 500]);
    provider.reset();
    expect((await chat(provider, 'id=x,status=500,times=2')).status).toBe(500);
  });

  it('answers the first N calls of its scope healthily with after=N, then plays the fault', async () => {
    const provider = createMockProvider();
    const statuses: number[] = [];
    for (const scenario of ['id=y,status=503,after=1', 'id=y,status=503,after=1', 'id=y,status=503,after=1', 'status=503,after=1']) {
      statuses.push((await chat(provider, scenario)).status);
    }
    expect(statuses).toEqual([200, 503, 503, 200]);
    const windowed: number[] = [];
    for (let i = 0; i < 4; i++) windowed.push((await chat(provider, 'id=z,status=500,after=1,times=2')).status);
    expect(windowed).toEqual([200, 500, 500, 200]);
    provider.reset();
    const again = await chat(provider, 'id=y,status=503,after=1');
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ choices: [{ message: { content: 'Hello from the mock provider.' } }] });
    expect((await chat(provider, 'id=y,status=503,after=1')).status).toBe(503);
  });

  it('answers a tool call, then the tool result as text', async () => {
    const provider = createMockProvider();
    const tools = [{ type: 'function', function: { name: 'search', parameters: { type: 'object' } } }];
    const call = (await (await chat(provider, '', { tools })).json()) as Record<string, unknown>;
    expect(call).toMatchObject({
      choices: [
        {
          finish_reason: 'tool_calls',
          message: {
            content: null,
            tool_calls: [{ id: 'call_mock_1', type: 'function', function: { name: 'search', arguments: '{"query":"Say hello"}' } }],
          },
        },
      ],
    });
    const streamed = dataEvents(await (await chat(provider, '', { tools, stream: true })).text());
    const deltas = streamed.slice(1, -2).map((data) => chunk(data).choices[0]?.delta.tool_calls?.[0]);
    expect(deltas[0]).toMatchObject({ index: 0, id: 'call_mock_2', type: 'function', function: { name: 'search', arguments: '' } });
    expect(deltas.length).toBeGreaterThanOrEqual(3);
    expect(deltas.map((delta) => delta?.function.arguments).join('')).toBe('{"query":"Say hello"}');
    expect(chunk(streamed.at(-2)).choices[0]?.finish_reason).toBe('tool_calls');
    const messages = [...hello, { role: 'assistant', content: null }, { role: 'tool', tool_call_id: 'call_mock_1', content: 'sunny' }];
    const after = (await (await chat(provider, '', { tools, messages })).json()) as { choices: Array<{ message: { content: string } }> };
    expect(after.choices[0]?.message.content).toBe('Tool said: sunny');
  });

  it('errors the stream with a lost connection after cut-after chunks', async () => {
    const response = await chat(createMockProvider(), 'cut-after=2', { stream: true });
    const { text, error } = await drain(response.body);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toBe('Network connection lost.');
    expect(streamedText(dataEvents(text))).toBe('Hello from');
    expect(text).not.toContain('[DONE]');
  });

  it('rejects with a lost connection on reset', async () => {
    await expect(chat(createMockProvider(), 'reset')).rejects.toThrow(new TypeError('Network connection lost.'));
  });

  it('inserts one malformed event and carries on', async () => {
    const text = await (await chat(createMockProvider(), 'malformed-at=1', { stream: true })).text();
    const events = dataEvents(text);
    expect(events[2]).toBe('{"choices": [');
    expect(streamedText(events)).toBe('Hello from the mock provider.');
    expect(events.at(-1)).toBe('[DONE]');
  });

  it('ends the stream with an in-band error after error-event-after chunks', async () => {
    const events = dataEvents(await (await chat(createMockProvider(), 'error-event-after=1', { stream: true })).text());
    expect(events).toHaveLength(3);
    expect(JSON.parse(events[2] ?? '')).toEqual({
      error: { message: 'The server had an error while processing your request.', type: 'server_error', code: null, param: null },
    });
  });

  it('errors a stalled stream when the client aborts', async () => {
    const controller = new AbortController();
    const response = await chat(createMockProvider(), 'stall-after=1', { stream: true }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const { text, error } = await drain(response.body);
    expect(error).toBeDefined();
    expect(streamedText(dataEvents(text))).toBe('Hello');
  });

  it('rejects a hanging request when the client aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(chat(createMockProvider(), 'hang', {}, { signal: controller.signal })).rejects.toBeDefined();
  });

  it('checks the API key when the scenario names one', async () => {
    const provider = createMockProvider();
    expect((await chat(provider, 'key=sk-test')).status).toBe(200);
    const refused = await chat(provider, 'key=sk-other');
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: 'invalid_api_key' } });
  });

  it('accepts any key of a key= list and answers limit-key keys with 429 and a retry hint', async () => {
    const provider = createMockProvider();
    const as = (key: string, scenario: string) => chat(provider, scenario, {}, { headers: { authorization: `Bearer ${key}` } });
    expect((await as('sk-b', 'key=sk-a+sk-b')).status).toBe(200);
    expect((await as('sk-c', 'key=sk-a+sk-b')).status).toBe(401);
    const limited = await as('sk-a', 'key=sk-a+sk-b,limit-key=sk-a,times=0');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
    expect((await as('sk-a', 'limit-key=sk-a,retry-after=5')).headers.get('retry-after')).toBe('5');
  });

  it('answers 200 with a body that is not JSON for bad-json', async () => {
    const response = await chat(createMockProvider(), 'bad-json');
    expect(response.status).toBe(200);
    await expect(response.json()).rejects.toThrow();
  });

  it('answers a typo in the scenario with a 400 naming it', async () => {
    const response = await chat(createMockProvider(), 'stauts=500');
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('stauts');
  });

  it('records every call', async () => {
    const provider = createMockProvider();
    await chat(provider, 'status=503', { stream: true });
    expect(provider.calls()).toEqual([
      {
        n: 1,
        scenario: 'status=503',
        method: 'POST',
        path: '/v1/chat/completions',
        query: '',
        model: 'gpt-4o-mini',
        stream: true,
        authorization: 'Bearer sk-test',
        apiKey: null,
        anthropicVersion: null,
        anthropicBeta: null,
        requestId: 'req-1',
        body: { model: 'gpt-4o-mini', messages: hello, stream: true },
        headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json', 'x-request-id': 'req-1' },
      },
    ]);
  });

  it('lists models and returns deterministic embeddings', async () => {
    const provider = createMockProvider({ name: 'beta' });
    const models = (await (await provider.fetch(`${origin}/v1/models`)).json()) as { data: Array<{ owned_by: string }> };
    expect(models.data[0]?.owned_by).toBe('beta');
    const embed = () =>
      provider.fetch(`${origin}/v1/embeddings`, {
        method: 'POST',
        body: JSON.stringify({ model: 'text-embedding-3-small', input: ['a', 'b'] }),
      });
    const first = (await (await embed()).json()) as { data: Array<{ embedding: number[] }>; usage: { prompt_tokens: number } };
    const second = (await (await embed()).json()) as typeof first;
    expect(first.data[0]?.embedding).toHaveLength(8);
    expect(first.data[0]?.embedding).toEqual(embedVector('a'));
    expect(first.data).toEqual(second.data);
    expect(first.data[0]?.embedding).not.toEqual(first.data[1]?.embedding);
    expect(first.usage.prompt_tokens).toBe(1);
  });
});
