// The Responses API through a `wrangler dev` of this file's own (responses-config.ts), driven by the real openai SDK: agent loops, stored conversations, reasoning round trips, stream failures, tenants.
import OpenAI from 'openai';
import type { Response as OpenAIResponse, ResponseInputItem } from 'openai/resources/responses/responses';
import { beforeEach, describe, expect, it } from 'vitest';
import { useOwnInstance } from './instance.ts';
import { mockCalls, resetMock } from './observers.ts';
import { recordingFetch } from './recorder.ts';
import { buildResponsesProxyConfig, RESPONSES_KEYS, RS } from './responses-config.ts';

const instance = useOwnInstance('responses', {
  config: buildResponsesProxyConfig,
  secrets: [
    ['responses client key a', RESPONSES_KEYS.first],
    ['responses client key b', RESPONSES_KEYS.second],
  ],
});

beforeEach(async () => {
  await resetMock();
});

function client(key: string = RESPONSES_KEYS.first): OpenAI {
  return new OpenAI({ baseURL: `${instance.url}/v1`, apiKey: key, maxRetries: 0, timeout: 20_000, fetch: recordingFetch });
}

/** Codex's shell tool, as a plain function tool. */
const SHELL_TOOL = {
  type: 'function' as const,
  name: 'shell',
  description: 'Runs a shell command and returns its output.',
  parameters: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'], additionalProperties: false },
  strict: false,
};

/** A task whose first answer is a call of `shell` with exactly this input (the mock's MOCK_TOOL directive). */
const TASK = 'List the files here.\nMOCK_TOOL shell {"command": "ls"}';

function functionCall(response: OpenAIResponse): { call_id: string; name: string; arguments: string } {
  const call = response.output.find((item) => item.type === 'function_call');
  if (call?.type !== 'function_call') throw new Error(`no function call in ${JSON.stringify(response.output)}`);
  return call;
}

/** The mock's calls, by path. */
async function vendorPaths(): Promise<string[]> {
  return (await mockCalls()).map((call) => call.path);
}

describe('a Codex-style agent loop with stored conversations', () => {
  it.each([
    [RS.native, '/v1/responses'],
    [RS.chat, '/v1/chat/completions'],
    [RS.claude, '/v1/messages'],
  ])('runs a function call and its output through %s with previous_response_id', async (model, path) => {
    const api = client();
    const first = await api.responses.create({ model, input: TASK, tools: [SHELL_TOOL] });
    expect(first.id).toMatch(/^resp_/);
    const call = functionCall(first);
    expect(call.name).toBe('shell');
    expect(JSON.parse(call.arguments)).toEqual({ command: 'ls' });
    const second = await api.responses.create({
      model,
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: 'a.txt\nb.txt' }],
      tools: [SHELL_TOOL],
    });
    expect(second.output_text).toContain('Tool said: a.txt');
    expect(second.previous_response_id).toBe(first.id);
    expect(await vendorPaths()).toEqual([path, path]);
    // The vendor got the whole conversation rebuilt by the proxy, never an id it does not know.
    const [, turn2] = await mockCalls();
    const sent = JSON.stringify(turn2?.body);
    expect(sent).not.toContain('previous_response_id');
    expect(sent).toContain('List the files here.');
    expect(sent).toContain('a.txt');
  });

  it('runs the same loop with store: false, the caller sending the whole input each turn', async () => {
    const api = client();
    const input: ResponseInputItem[] = [{ role: 'user', content: TASK }];
    const settings = { model: RS.native, store: false, include: ['reasoning.encrypted_content' as const], tools: [SHELL_TOOL] };
    const first = await api.responses.create({ ...settings, input, reasoning: { effort: 'low' } });
    const call = functionCall(first);
    const reasoning = first.output.find((item) => item.type === 'reasoning');
    expect(reasoning?.type === 'reasoning' ? reasoning.encrypted_content : undefined).toEqual(expect.any(String));
    input.push(...(first.output as ResponseInputItem[]), { type: 'function_call_output', call_id: call.call_id, output: 'a.txt' });
    const second = await api.responses.create({ ...settings, input, reasoning: { effort: 'low' } });
    expect(second.output_text).toContain('Tool said: a.txt');
    // Not stored: the id cannot be continued or read.
    await expect(api.responses.retrieve(first.id)).rejects.toMatchObject({ status: 404 });
    // The encrypted reasoning reached the vendor intact (the mock refuses a blob it did not write).
    const [, turn2] = await mockCalls();
    expect(JSON.stringify(turn2?.body)).toContain(reasoning?.type === 'reasoning' ? (reasoning.encrypted_content ?? '-') : '-');
  });

  it('carries Anthropic thinking as a reasoning item and gives its signature back intact', async () => {
    const api = client();
    const input: ResponseInputItem[] = [{ role: 'user', content: TASK }];
    const settings = {
      model: RS.claude,
      store: false,
      tools: [SHELL_TOOL],
      reasoning: { effort: 'medium' as const },
      max_output_tokens: 8000,
    };
    const first = await api.responses.create({ ...settings, input });
    const reasoning = first.output.find((item) => item.type === 'reasoning');
    expect(reasoning).toBeDefined();
    const encrypted = reasoning?.type === 'reasoning' ? reasoning.encrypted_content : undefined;
    expect(encrypted).toMatch(/^anthropic\.thinking:/);
    const call = functionCall(first);
    input.push(...(first.output as ResponseInputItem[]), { type: 'function_call_output', call_id: call.call_id, output: 'a.txt' });
    const second = await api.responses.create({ ...settings, input });
    expect(second.output_text).toContain('Tool said: a.txt');
    const [, turn2] = await mockCalls();
    const signature = (encrypted ?? '').slice('anthropic.thinking:'.length);
    expect(JSON.stringify(turn2?.body)).toContain(JSON.stringify(signature));
  });
});

describe('streams', () => {
  it('streams a native answer event by event and stores it', async () => {
    const api = client();
    const stream = api.responses.stream({ model: RS.native, input: 'Say hello' });
    let deltas = '';
    stream.on('response.output_text.delta', (event) => {
      deltas += event.delta;
    });
    const final = await stream.finalResponse();
    expect(final.status).toBe('completed');
    expect(deltas).toBe(final.output_text);
    expect(final.usage?.output_tokens).toBeGreaterThan(0);
    const stored = await api.responses.retrieve(final.id);
    expect(stored.output_text).toBe(final.output_text);
  });

  it.each([RS.chat, RS.claude])('streams a translated answer (%s) the SDK accepts, tool call included', async (model) => {
    const api = client();
    const final = await api.responses.stream({ model, input: TASK, tools: [SHELL_TOOL] }).finalResponse();
    expect(final.status).toBe('completed');
    expect(JSON.parse(functionCall(final).arguments)).toEqual({ command: 'ls' });
  });

  it('makes the SDK raise when the vendor cuts its stream after the commit point', async () => {
    const api = client();
    const stream = await api.responses.create({ model: RS.cut, input: 'Say hello', stream: true });
    const types: string[] = [];
    const read = async () => {
      for await (const event of stream) types.push(event.type);
    };
    await expect(read()).rejects.toThrow();
    expect(types).toContain('response.output_text.delta');
    expect(types).toContain('response.failed');
    expect(types).not.toContain('response.completed');
  });

  it('falls over with no error when the primary fails after response.created', async () => {
    const api = client();
    const final = await api.responses.stream({ model: RS.failsAfterCreated, input: 'Say hello' }).finalResponse();
    expect(final.status).toBe('completed');
    expect(final.output_text.length).toBeGreaterThan(0);
    expect(await vendorPaths()).toEqual(['/v1/responses', '/v1/chat/completions']);
  });

  it('falls back from a native vendor answering 503 to a chat-only one', async () => {
    const response = await client().responses.create({ model: RS.fallback, input: 'Say hello' });
    expect(response.status).toBe('completed');
    expect(await vendorPaths()).toEqual(['/v1/responses', '/v1/chat/completions']);
  });
});

describe('stored responses', () => {
  it('reads back a response and its input items, pages them and deletes it', async () => {
    const api = client();
    const made = await api.responses.create({
      model: RS.native,
      input: [
        { role: 'user', content: 'one' },
        { role: 'user', content: 'two' },
        { role: 'user', content: 'three' },
      ],
    });
    expect((await api.responses.retrieve(made.id)).id).toBe(made.id);
    const page = await api.responses.inputItems.list(made.id, { limit: 2, order: 'asc' });
    expect(page.data).toHaveLength(2);
    expect(page.has_more).toBe(true);
    const all = [];
    for await (const item of api.responses.inputItems.list(made.id, { limit: 1, order: 'asc' })) all.push(item);
    expect(all).toHaveLength(3);
    await api.responses.delete(made.id);
    await expect(api.responses.retrieve(made.id)).rejects.toMatchObject({ status: 404 });
  });

  it("never lets a second client key read, continue or delete the first one's responses", async () => {
    const made = await client().responses.create({ model: RS.native, input: 'private' });
    const other = client(RESPONSES_KEYS.second);
    await expect(other.responses.retrieve(made.id)).rejects.toMatchObject({ status: 404 });
    await expect(other.responses.inputItems.list(made.id)).rejects.toMatchObject({ status: 404 });
    await expect(other.responses.delete(made.id)).rejects.toMatchObject({ status: 404 });
    await expect(other.responses.create({ model: RS.native, previous_response_id: made.id, input: 'go on' })).rejects.toMatchObject({
      status: 400,
    });
    expect((await client().responses.retrieve(made.id)).id).toBe(made.id);
  });

  it('refuses a malformed body with a 400 in OpenAI shape and never calls a vendor', async () => {
    const res = await recordingFetch(`${instance.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${RESPONSES_KEYS.first}` },
      body: JSON.stringify({ model: RS.native, input: 42 }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string; type: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(await mockCalls()).toEqual([]);
  });
});
