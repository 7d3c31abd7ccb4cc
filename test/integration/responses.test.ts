// POST /v1/responses through the app to the in-process mock vendor: each way out (native, Chat Completions, Anthropic), streaming and not, fallback, stored conversations, cache and degraded replies.
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WireEvent } from '../../src/protocols/adapter.ts';
import { sha256Hex } from '../../src/sha256.ts';
import { sdkFinalResponse, streamFaults } from '../unit/helpers/responses-wire.ts';
import { configFor, type Proxy as Harness, proxyWith as harnessProxy, KEYS, sseEvents, type TargetSpec } from './harness.ts';

type Json = Record<string, unknown>;

/** A Responses-native provider (`responses: true`, as the openai preset sets it) on the mock. */
const native = (scenario = '', extra: Partial<TargetSpec> = {}): TargetSpec => ({ scenario, ...extra, responses: true }) as TargetSpec;

/** The harness's config, with `responses: true` on the providers of targets that ask for it. */
function config(targets: (TargetSpec & { responses?: boolean })[], overrides: Json = {}): Json {
  const built = configFor(targets, overrides) as { providers: Record<string, Json> };
  targets.forEach((t, i) => {
    const provider = built.providers[t.id ?? `p${i + 1}`];
    if (t.responses === true && provider !== undefined) provider.responses = true;
  });
  return built;
}

/** The harness's proxy with the response store and the cache bound. */
const proxyWith = (cfg: Json): Harness => harnessProxy(cfg, { ...KEYS, RESPONSES: env.RESPONSES, CACHE: env.CACHE, BUDGET: env.BUDGET });

function post(proxy: Harness, body: Json, headers: Record<string, string> = {}): Promise<Response> {
  return proxy.request('/v1/responses', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

const types = (wires: readonly WireEvent[]) => wires.map((w) => w.event);
const SHELL = { type: 'function', name: 'shell', parameters: { type: 'object', properties: { command: { type: 'string' } } } };
const TASK = 'List the files.\nMOCK_TOOL shell {"command": "ls"}';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('each way out, whole answers', () => {
  it('passes a request to a Responses-native vendor as sent, but the model, and its answer back as sent', async () => {
    const proxy = proxyWith(config([native('')]));
    const body = { model: 'chat', input: 'Say hello', store: false, metadata: { a: '1' }, some_new_field: { x: 1 } };
    const res = await post(proxy, body);
    expect(res.status).toBe(200);
    const [call] = proxy.mock.calls();
    expect(call?.path).toBe('/v1/responses');
    expect(call?.body).toEqual({ ...body, model: 'model-p1', max_output_tokens: 8192 });
    const answer = (await res.json()) as Json;
    expect(answer).toMatchObject({ object: 'response', status: 'completed', model: 'model-p1', store: false });
    expect(res.headers.get('x-proxy-provider')).toBe('p1');
  });

  it.each([
    ['a Chat Completions vendor', 'openai' as const, '/v1/chat/completions'],
    ['an Anthropic vendor', 'anthropic' as const, '/v1/messages'],
  ])('translates a tool call through %s and back into a function_call item', async (_name, protocol, path) => {
    const proxy = proxyWith(config([{ scenario: '', protocol }]));
    const res = await post(proxy, { model: 'chat', input: `${TASK}\n${protocol} whole`, tools: [SHELL] });
    expect(res.status).toBe(200);
    expect(proxy.mock.calls()[0]?.path).toBe(path);
    const answer = (await res.json()) as { id: string; output: Json[]; usage: Json };
    expect(answer.id).toMatch(/^resp_/);
    const call = answer.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ name: 'shell' });
    expect(JSON.parse(String(call?.arguments))).toEqual({ command: 'ls' });
    expect(answer.usage).toMatchObject({ input_tokens: expect.any(Number), output_tokens: expect.any(Number) });
  });

  it('carries Anthropic thinking as a reasoning item whose signature comes back intact on the next turn', async () => {
    const proxy = proxyWith(config([{ scenario: '', protocol: 'anthropic' }]));
    const ask = { model: 'chat', store: false, reasoning: { effort: 'low' }, max_output_tokens: 4000, tools: [SHELL] };
    const first = (await (await post(proxy, { ...ask, input: TASK })).json()) as { output: Json[] };
    const reasoning = first.output.find((item) => item.type === 'reasoning');
    expect(reasoning?.encrypted_content).toMatch(/^anthropic\.thinking:/);
    const call = first.output.find((item) => item.type === 'function_call');
    const input = [
      { role: 'user', content: TASK },
      ...first.output,
      { type: 'function_call_output', call_id: call?.call_id, output: 'a.txt' },
    ];
    const second = await post(proxy, { ...ask, input });
    expect(second.status).toBe(200);
    const sent = proxy.mock.calls()[1]?.body as { messages: { content: Json[] }[] };
    const thinking = sent.messages.flatMap((m) => m.content).find((block) => block.type === 'thinking');
    expect(`anthropic.thinking:${String(thinking?.signature)}`).toBe(reasoning?.encrypted_content);
  });
});

describe('streams', () => {
  it('relays a native stream as the vendor sent it', async () => {
    const proxy = proxyWith(config([native('')]));
    const wires = await sseEvents(await post(proxy, { model: 'chat', input: 'Say hello', stream: true }));
    expect(streamFaults(wires)).toEqual([]);
    expect(types(wires).at(0)).toBe('response.created');
    expect(types(wires).at(-1)).toBe('response.completed');
    await expect(sdkFinalResponse(wires)).resolves.toMatchObject({ status: 'completed' });
  });

  it.each(['openai' as const, 'anthropic' as const])(
    'encodes a translated %s stream the SDK accepts, tool calls included',
    async (protocol) => {
      const proxy = proxyWith(config([{ scenario: '', protocol }]));
      const wires = await sseEvents(
        await post(proxy, { model: 'chat', input: `${TASK}\n${protocol} stream`, tools: [SHELL], stream: true }),
      );
      expect(streamFaults(wires)).toEqual([]);
      expect(types(wires)).toContain('response.function_call_arguments.delta');
      const final = (await sdkFinalResponse(wires)) as { output: Json[] };
      expect(final.output.find((item) => item.type === 'function_call')).toMatchObject({ name: 'shell' });
    },
  );

  it('falls over unseen when the vendor fails after response.created', async () => {
    const proxy = proxyWith(config([native('fail-after-created'), { scenario: '' }]));
    const wires = await sseEvents(await post(proxy, { model: 'chat', input: 'Say hello', stream: true }));
    expect(types(wires)).not.toContain('response.failed');
    expect(streamFaults(wires)).toEqual([]);
    // The failure before any output is transient: retried once on the same target, then the next one.
    expect(proxy.mock.calls().map((c) => c.path)).toEqual(['/v1/responses', '/v1/responses', '/v1/chat/completions']);
  });

  it('ends a stream cut after the commit point with response.failed, then an error event', async () => {
    const proxy = proxyWith(config([native('cut-after=2')]));
    const wires = await sseEvents(await post(proxy, { model: 'chat', input: 'Say hello', stream: true }));
    expect(types(wires).slice(-2)).toEqual(['response.failed', 'error']);
    expect(types(wires)).not.toContain('response.completed');
    await expect(sdkFinalResponse(wires)).rejects.toThrow();
  });
});

describe('stored conversations', () => {
  it.each([
    ['a Responses-native vendor', native(''), '/v1/responses'],
    ['a Chat Completions vendor', { scenario: '' }, '/v1/chat/completions'],
    ['an Anthropic vendor', { scenario: '', protocol: 'anthropic' as const }, '/v1/messages'],
  ])('rebuilds the history of previous_response_id for %s', async (name, target, path) => {
    const proxy = proxyWith(config([target]));
    const input = `${TASK}\nstored ${name}`;
    const first = (await (await post(proxy, { model: 'chat', input, tools: [SHELL] })).json()) as { id: string; output: Json[] };
    await proxy.settle();
    const call = first.output.find((item) => item.type === 'function_call');
    const turn = { model: 'chat', previous_response_id: first.id, tools: [SHELL] };
    const res = await post(proxy, { ...turn, input: [{ type: 'function_call_output', call_id: call?.call_id, output: 'a.txt' }] });
    const second = (await res.json()) as { output: Json[]; previous_response_id: string | null };
    expect(proxy.mock.calls().map((c) => c.path)).toEqual([path, path]);
    const sent = JSON.stringify(proxy.mock.calls()[1]?.body);
    expect(sent).not.toContain('previous_response_id');
    expect(sent).toContain('List the files.');
    expect(sent).toContain('a.txt');
    expect(JSON.stringify(second.output)).toContain('Tool said: a.txt');
    // The vendor was sent the history, not the id; the caller's answer names the id it sent.
    expect(second.previous_response_id).toBe(first.id);
  });

  it('keeps a streamed answer as the caller saw it, and serves it by id', async () => {
    const proxy = proxyWith(config([{ scenario: '' }]));
    const wires = await sseEvents(await post(proxy, { model: 'chat', input: 'Say hello', stream: true }));
    await proxy.settle();
    const completed = wires.at(-1)?.data as { response: { id: string; output: Json[] } };
    const stored = (await (await proxy.request(`/v1/responses/${completed.response.id}`)).json()) as Json;
    expect(stored.id).toBe(completed.response.id);
    expect(stored.output).toEqual(completed.response.output);
  });

  it('keeps a streamed answer cut by max_output_tokens for its conversation, but never caches it', async () => {
    const proxy = proxyWith(config([native('repeat=40')]));
    const body = { model: 'chat', input: 'Say hello at length', max_output_tokens: 16, stream: true };
    const wires = await sseEvents(await post(proxy, body));
    expect(wires.at(-1)?.event).toBe('response.incomplete');
    await proxy.settle();
    const id = (wires.at(-1)?.data as { response: { id: string } } | undefined)?.response.id;
    expect(((await (await proxy.request(`/v1/responses/${id}`)).json()) as Json).status).toBe('incomplete');
    const again = await post(proxy, body);
    expect(again.headers.get('x-proxy-cache')).toBe('MISS');
    await again.text();
  });

  it('answers 400 previous_response_not_found for an id the client does not have, without calling a vendor', async () => {
    const proxy = proxyWith(config([native('')]));
    const res = await post(proxy, { model: 'chat', input: 'go on', previous_response_id: 'resp_nope' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: Json }).error).toMatchObject({
      code: 'previous_response_not_found',
      param: 'previous_response_id',
    });
    expect(proxy.mock.calls()).toEqual([]);
  });
});

describe('the other layers', () => {
  it('serves an identical request from the cache, stored under the same id', async () => {
    const proxy = proxyWith(config([native('')]));
    const body = { model: 'chat', input: 'Say hello, cached' };
    const first = (await (await post(proxy, body)).json()) as Json;
    await proxy.settle();
    const again = await post(proxy, body);
    expect(again.headers.get('x-proxy-cache')).toBe('HIT');
    expect(((await again.json()) as Json).id).toBe(first.id);
    expect(proxy.mock.calls()).toHaveLength(1);
  });

  it.each([false, true])('answers with a degraded Response when every target failed (stream %s)', async (stream) => {
    const proxy = proxyWith(config([native('status=503')], { degraded: { enabled: true, defaultReply: 'Busy.' } }));
    const res = await post(proxy, { model: 'chat', input: 'Say hello', stream });
    expect(res.headers.get('x-proxy-source')).toBe('degraded');
    if (!stream) {
      expect(await res.json()).toMatchObject({
        status: 'completed',
        output: [{ type: 'message', content: [{ text: expect.stringContaining('Busy.') }] }],
      });
      return;
    }
    const wires = await sseEvents(res);
    expect(streamFaults(wires)).toEqual([]);
    await expect(sdkFinalResponse(wires)).resolves.toMatchObject({ status: 'completed' });
  });

  it('holds max_output_tokens against a client budget: a request that cannot fit is a 429 in OpenAI shape, never sent', async () => {
    const secret = `sk-proxy-rs-budget-${Date.now()}`;
    const key = { name: `rs-budget-${Date.now()}`, sha256: await sha256Hex(secret), dailyTokens: 500 };
    const proxy = proxyWith(config([native('')], { auth: { mode: 'keys', keys: [key] } }));
    const res = await post(proxy, { model: 'chat', input: 'Say hello', max_output_tokens: 1000 }, { authorization: `Bearer ${secret}` });
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: Json }).error).toMatchObject({ type: expect.any(String), code: expect.any(String) });
    expect(proxy.mock.calls()).toEqual([]);
  });

  it('shares one vendor call among identical requests in flight', async () => {
    const proxy = proxyWith(config([native('delay=100')]));
    const body = { model: 'chat', input: 'Say hello, together' };
    const answers = await Promise.all([post(proxy, body), post(proxy, body), post(proxy, body)]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    const ids = await Promise.all(answers.map(async (r) => ((await r.json()) as Json).id));
    expect(new Set(ids).size).toBe(1);
    expect(proxy.mock.calls()).toHaveLength(1);
  });

  it('writes one log line naming the route and the way out', async () => {
    const lines: Json[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      if (typeof line === 'string' && line.startsWith('{')) lines.push(JSON.parse(line) as Json);
    });
    const proxy = proxyWith(config([{ scenario: '' }]));
    const res = await post(proxy, { model: 'chat', input: 'Say hello, logged', tools: [SHELL, { type: 'web_search' }] });
    await res.text();
    await proxy.settle();
    const line = lines.find((l) => l.msg === 'request' && l.requestId === res.headers.get('x-request-id'));
    expect(line).toMatchObject({ route: '/v1/responses', source: 'provider', provider: 'p1' });
    expect(line?.dropped).toContain('tools.web_search');
  });
});
