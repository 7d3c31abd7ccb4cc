// Same protocol is lossless: Claude Code's own requests through the app to an Anthropic target, and across to an OpenAI one.
import { afterEach, describe, expect, it, vi } from 'vitest';
import adaptive1 from '../fixtures/claude-code/adaptive-thinking.01.messages.json?raw';
import redacted2 from '../fixtures/claude-code/two-steps-redacted.02.messages.json?raw';
import { anthropicEvents, configFor, KEYS, proxyWith } from './harness.ts';

type Json = Record<string, unknown>;
interface Recorded {
  query: string;
  headers: Record<string, string>;
  body: Json;
}

const recorded = (text: string): Recorded => JSON.parse(text) as Recorded;
const claude = (scenario = '') => ({ scenario, protocol: 'anthropic' as const });
/** Claude Code asks for up to 128,000 output tokens: above the default `limits.maxTokens`. */
const AGENT_LIMITS = { limits: { maxTokens: 200_000 } };

/** Sends a recorded Claude Code request to the proxy as the CLI did: its query, betas and version, the alias as model. */
function replay(proxy: ReturnType<typeof proxyWith>, request: Recorded) {
  const body = { ...request.body, model: 'chat' };
  const headers = {
    'content-type': 'application/json',
    'anthropic-beta': request.headers['anthropic-beta'] ?? '',
    'anthropic-version': request.headers['anthropic-version'] ?? '',
    'x-api-key': 'unused',
  };
  return { body, res: proxy.request(`/v1/messages${request.query}`, { method: 'POST', headers, body: JSON.stringify(body) }) };
}

/** The proxy's log lines of one run. */
function captureLogs(): Json[] {
  const lines: Json[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
    if (typeof line === 'string' && line.startsWith('{')) lines.push(JSON.parse(line) as Json);
  });
  return lines;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('an Anthropic caller and an Anthropic target', () => {
  it.each([
    ['the first turn (adaptive thinking, output_config, context_management, deferred tools, cache_control)', adaptive1],
    ['a tool-use turn that carries its redacted and signed thinking back', redacted2],
  ])('gives the vendor %s exactly as Claude Code sent it but the model, with its betas, version and query', async (_name, text) => {
    const proxy = proxyWith(configFor([claude()], AGENT_LIMITS));
    const request = recorded(text);
    const { body, res } = replay(proxy, request);
    const answer = await res;
    expect(answer.status).toBe(200);
    await answer.text();
    const [call] = proxy.mock.calls();
    expect(call?.body).toEqual({ ...body, model: 'model-p1' });
    expect(call?.query).toBe('?beta=true');
    expect(call?.anthropicBeta).toBe(request.headers['anthropic-beta']);
    expect(call?.anthropicVersion).toBe(request.headers['anthropic-version']);
    expect(call?.apiKey).toBe(KEYS.MOCK_A_KEY);
  });

  it('streams the vendor events back as sent: redacted thinking, thinking with its signature, tool use', async () => {
    const proxy = proxyWith(configFor([claude('redacted-thinking,citations')], AGENT_LIMITS));
    const { res } = replay(proxy, recorded(adaptive1));
    const events = await anthropicEvents(await res);
    const starts = events.filter((e) => e.event === 'content_block_start').map((e) => (e.data.content_block as Json).type);
    expect(starts).toEqual(['redacted_thinking', 'thinking', 'tool_use']);
    const deltas = events.filter((e) => e.event === 'content_block_delta').map((e) => (e.data.delta as Json).type);
    expect(deltas).toContain('signature_delta');
    // What the caller got is what the vendor sent: replaying the same request to the mock directly gives the same events.
    const direct = await proxy.mock.fetch('http://mock.test/redacted-thinking,citations/v1/messages?beta=true', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': KEYS.MOCK_A_KEY },
      body: JSON.stringify({ ...recorded(adaptive1).body, model: 'model-p1' }),
    });
    const vendorEvents = await anthropicEvents(direct);
    // Only the ids the mock numbers by call differ between the two calls.
    const strip = (list: typeof events) => list.map((e) => ({ ...e, data: JSON.stringify(e.data).replace(/(msg|toolu)_mock_\d+/g, '$1') }));
    expect(strip(events)).toEqual(strip(vendorEvents));
  });

  it('gives back a whole answer with citations and thinking as the vendor wrote it', async () => {
    const proxy = proxyWith(configFor([claude('citations')]));
    const body = {
      model: 'chat',
      max_tokens: 4096,
      thinking: { type: 'enabled', budget_tokens: 2048 },
      messages: [{ role: 'user', content: 'Cite it.' }],
    };
    const text = await (await proxy.messages(body)).text();
    const vendor = await proxy.mock.fetch('http://mock.test/citations/v1/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ ...body, model: 'model-p1' }),
    });
    const message = JSON.parse(text) as { content: Json[] };
    expect(message.content.map((b) => b.type)).toEqual(['thinking', 'text']);
    expect(message.content[1]?.citations).toEqual([expect.objectContaining({ type: 'char_location' })]);
    expect(text.replace(/msg_mock_\d+/, 'msg')).toBe((await vendor.text()).replace(/msg_mock_\d+/, 'msg'));
  });

  it('refuses nothing it does not know: unknown fields and blocks reach the vendor, which judges them', async () => {
    const proxy = proxyWith(configFor([claude()]));
    const body = {
      model: 'chat',
      max_tokens: 64,
      future_option: { level: 3 },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'hi', new_field: true },
            { type: 'search_result', source: 'x', content: [] },
          ],
        },
      ],
    };
    await (await proxy.messages(body)).text();
    expect(proxy.mock.calls()[0]?.body).toEqual({ ...body, model: 'model-p1' });
  });
});

describe('an Anthropic caller falling back to an OpenAI-compatible target', () => {
  it('is translated: custom tools carried, system messages joined, and what has no meaning there logged as dropped', async () => {
    const logs = captureLogs();
    const proxy = proxyWith(configFor([claude('status=529'), { scenario: '' }], AGENT_LIMITS));
    const { res } = replay(proxy, recorded(redacted2));
    const answer = await res;
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-proxy-provider')).toBe('p2');
    const events = await anthropicEvents(answer);
    expect(events.at(-1)?.event).toBe('message_stop');
    await proxy.settle();
    const openai = proxy.mock.calls().find((c) => c.path === '/v1/chat/completions');
    const sent = openai?.body as { messages: Json[]; tools: { function: { name: string } }[] };
    expect(sent.messages[0]).toMatchObject({ role: 'system' });
    expect(sent.messages.some((m) => m.role === 'tool')).toBe(true);
    expect(sent.tools.map((t) => t.function.name)).toContain('Write');
    expect(JSON.stringify(sent)).not.toContain('cache_control');
    const line = logs.find((l) => l.msg === 'request' && l.requestId === answer.headers.get('x-request-id'));
    expect(line?.dropped).toEqual(expect.arrayContaining(['context_management']));
  });
});
