// Test harness: the proxy app wired to the in-process mock vendor, with a config built per test.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { createApp } from '../../src/app.ts';
import { createMockProvider, type MockProvider } from '../mock-provider/handler.ts';

export const KEYS = { MOCK_A_KEY: 'sk-test-alpha-0123456789abcdef', MOCK_B_KEY: 'sk-test-bravo-0123456789abcdef' } as const;

/** Fast timeouts and no real waiting, so fault tests finish quickly. */
export const FAST_RETRY = {
  maxRetries: 1,
  baseDelayMs: 1,
  maxDelayMs: 5,
  maxRetryWaitMs: 2000,
  connectTimeoutMs: 1000,
  firstTokenTimeoutMs: 300,
  idleTimeoutMs: 300,
  attemptTimeoutMs: 2000,
  deadlineMs: 5000,
};

export interface TargetSpec {
  /** Mock scenario for this provider, e.g. `status=503`; '' for healthy. */
  scenario: string;
  model?: string;
  key?: keyof typeof KEYS | null;
  extra?: Record<string, unknown>;
  /** Provider id; `p1`, `p2`... by position when absent. */
  id?: string;
  /** Wire protocol the provider speaks (the mock speaks both); `openai` when absent. */
  protocol?: 'openai' | 'anthropic';
}

/** A PROXY_CONFIG with one provider per target, each pointed at the mock with its own scenario. */
export function configFor(targets: TargetSpec[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const providers: Record<string, unknown> = {};
  const list = targets.map((t, i) => {
    const id = t.id ?? `p${i + 1}`;
    const base = t.scenario === '' ? 'http://mock.test/v1' : `http://mock.test/${t.scenario}/v1`;
    const key = t.key === undefined ? 'MOCK_A_KEY' : t.key;
    providers[id] = { protocol: t.protocol ?? 'openai', baseUrl: base, ...(key === null ? {} : { apiKeyEnv: key }) };
    return { provider: id, model: t.model ?? `model-${id}`, ...t.extra };
  });
  return { providers, models: { chat: { targets: list } }, retry: FAST_RETRY, ...overrides };
}

export interface Proxy {
  /** Waits for the background work (cache writes, stream logs) of every request so far. */
  settle(): Promise<void>;
  mock: MockProvider;
  /** POST a chat body (object, or raw text) to /v1/chat/completions. */
  chat(body: unknown, init?: { headers?: Record<string, string>; signal?: AbortSignal }): Promise<Response>;
  /** POST an Anthropic Messages body to /v1/messages. */
  messages(body: unknown, init?: { headers?: Record<string, string>; signal?: AbortSignal }): Promise<Response>;
  request(path: string, init?: RequestInit): Promise<Response>;
  env: Record<string, unknown>;
}

/** Builds a proxy over a fresh mock vendor. */
export function proxyWith(config: unknown, env: Record<string, unknown> = KEYS): Proxy {
  const mock = createMockProvider();
  const app = createApp({ fetch: (input, init) => mock.fetch(input as Request | string | URL, init) });
  const fullEnv = { ...env, PROXY_CONFIG: typeof config === 'string' ? config : JSON.stringify(config) };
  const contexts: ExecutionContext[] = [];
  const request = async (path: string, init?: RequestInit) => {
    const ctx = createExecutionContext();
    contexts.push(ctx);
    return app.request(path, init, fullEnv, ctx);
  };
  const post =
    (path: string) =>
    (body: unknown, init: { headers?: Record<string, string>; signal?: AbortSignal } = {}) =>
      request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...init.headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
        signal: init.signal,
      });
  return {
    settle: async () => {
      await Promise.all(contexts.splice(0).map((ctx) => waitOnExecutionContext(ctx)));
    },
    mock,
    env: fullEnv,
    request,
    chat: post('/v1/chat/completions'),
    messages: post('/v1/messages'),
  };
}

export const hello = (extra: Record<string, unknown> = {}) => ({
  model: 'chat',
  messages: [{ role: 'user', content: 'Say hello' }],
  ...extra,
});

/** An Anthropic Messages request for the `chat` alias. */
export const helloMessages = (extra: Record<string, unknown> = {}) => ({
  model: 'chat',
  max_tokens: 256,
  messages: [{ role: 'user', content: 'Say hello' }],
  ...extra,
});

/**
 * Reads an SSE body of named events (Anthropic Messages, OpenAI Responses) into its events: each
 * block's `event:` name ('' when it has none) and its `data:` parsed ({} when it has none).
 */
export async function sseEvents(res: Response): Promise<{ event: string; data: Record<string, unknown> }[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice('event: '.length) ?? '';
      const data = lines.find((l) => l.startsWith('data: '))?.slice('data: '.length) ?? '{}';
      return { event, data: JSON.parse(data) as Record<string, unknown> };
    });
}

/** `sseEvents` under the name the Anthropic tests know it by. */
export const anthropicEvents = sseEvents;

/** The text of an Anthropic event stream's text deltas. */
export function anthropicText(events: { data: Record<string, unknown> }[]): string {
  let text = '';
  for (const { data } of events) {
    const delta = data.delta as { type?: string; text?: string } | undefined;
    if (data.type === 'content_block_delta' && delta?.type === 'text_delta') text += delta.text ?? '';
  }
  return text;
}

/** Reads an SSE body into its `data` payloads. */
export async function sseData(res: Response): Promise<string[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice('data: '.length));
}

/** The answer text assembled from streamed chunks. */
export function streamedText(datas: string[]): string {
  let text = '';
  for (const data of datas) {
    if (data === '[DONE]') continue;
    const chunk = JSON.parse(data) as { choices?: { delta?: { content?: string } }[] };
    text += chunk.choices?.[0]?.delta?.content ?? '';
  }
  return text;
}
