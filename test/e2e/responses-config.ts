// PROXY_CONFIG and client keys of the Responses API e2e instance (responses.test.ts starts its own `wrangler dev`).
import { E2E_RETRY, keyHash, MOCK_KEY } from './config.ts';

/** Two tenants: what one stores, the other must never read. */
export const RESPONSES_KEYS = { first: 'client-responses-a-5b1e09', second: 'client-responses-b-77c2d4' } as const;

/** The aliases, by the way a Responses request reaches the vendor. */
export const RS = {
  /** A Responses-native vendor (the `openai` preset pointed at the mock): passed through. */
  native: 'rs-native',
  /** An OpenAI-compatible chat-only vendor: translated to Chat Completions and back. */
  chat: 'rs-chat',
  /** An Anthropic vendor: translated to Messages and back (thinking as reasoning). */
  claude: 'rs-claude',
  /** A native vendor that cuts its stream after two deltas, alone: the caller's SDK must raise. */
  cut: 'rs-cut',
  /** A native vendor that fails after `response.created`, then the chat-only one: falls over unseen. */
  failsAfterCreated: 'rs-fails-after-created',
  /** A native vendor answering 503, then the chat-only one. */
  fallback: 'rs-fallback',
} as const;

/** Builds PROXY_CONFIG; `mockUrl` is the mock vendor's origin. */
export function buildResponsesProxyConfig(mockUrl: string): Record<string, unknown> {
  const base = (id: string, scenario = '') => `${mockUrl}/${scenario}key=${MOCK_KEY},id=${id}/v1`;
  const native = (id: string, scenario?: string) => ({ preset: 'openai', baseUrl: base(id, scenario), apiKeyEnv: 'MOCK_KEY' });
  return {
    providers: {
      'rs-openai': native('rs-openai'),
      'rs-compat': { protocol: 'openai', baseUrl: base('rs-compat'), apiKeyEnv: 'MOCK_KEY' },
      'rs-anthropic': { protocol: 'anthropic', baseUrl: base('rs-anthropic'), apiKeyEnv: 'MOCK_KEY' },
      'rs-cutting': native('rs-cutting', 'cut-after=2,'),
      'rs-failing-late': native('rs-failing-late', 'fail-after-created,'),
      'rs-down': native('rs-down', 'status=503,'),
    },
    models: {
      [RS.native]: { targets: [{ provider: 'rs-openai', model: 'gpt-mock-native' }] },
      [RS.chat]: { targets: [{ provider: 'rs-compat', model: 'm-chat-only' }] },
      [RS.claude]: { targets: [{ provider: 'rs-anthropic', model: 'claude-mock-rs' }] },
      [RS.cut]: { targets: [{ provider: 'rs-cutting', model: 'gpt-mock-cut' }] },
      [RS.failsAfterCreated]: {
        targets: [
          { provider: 'rs-failing-late', model: 'gpt-mock-late' },
          { provider: 'rs-compat', model: 'm-chat-only' },
        ],
      },
      [RS.fallback]: {
        targets: [
          { provider: 'rs-down', model: 'gpt-mock-down' },
          { provider: 'rs-compat', model: 'm-chat-only' },
        ],
      },
    },
    retry: { ...E2E_RETRY, maxRetries: 0 },
    // The failing targets fail on purpose on every call: their breakers must not open.
    breaker: { windowSize: 1000, minCalls: 1000, consecutiveFailures: 1000 },
    cache: { enabled: false },
    degraded: { enabled: false },
    limits: { maxTokens: 32_000 },
    auth: {
      mode: 'keys',
      keys: [
        { name: 'rs-first', sha256: keyHash(RESPONSES_KEYS.first) },
        { name: 'rs-second', sha256: keyHash(RESPONSES_KEYS.second) },
      ],
    },
  };
}
