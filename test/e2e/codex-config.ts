// PROXY_CONFIG and client key of the Codex e2e instance (codex.test.ts starts its own `wrangler dev`).
import { E2E_RETRY, keyHash, MOCK_KEY } from './config.ts';

/** The proxy client key Codex gets (through config.toml's `env_key`); the proxy runs with `auth.mode: "keys"` and knows only its hash. */
export const CODEX_KEY = 'client-codex-6e1f0a93b7';
/** The client name that key is logged under. */
export const CODEX_CLIENT = 'codex';

/** The two ways a Codex turn is served. */
export const CX = {
  /** A Responses-native vendor (the `openai` preset pointed at the mock): each turn passed through. */
  native: { alias: 'codex-native', provider: 'codex-openai', model: 'gpt-mock-codex' },
  /** A Responses-native vendor answering 503, then a chat-only one: each turn translated to Chat Completions. */
  fallback: { alias: 'codex-fallback', failing: 'codex-down', provider: 'codex-chat', model: 'm-codex-chat' },
} as const;

/** Builds PROXY_CONFIG; `mockUrl` is the mock vendor's origin. Every target requires the vendor key (`key=`), never the client's. */
export function buildCodexProxyConfig(mockUrl: string): Record<string, unknown> {
  const base = (id: string, scenario = '') => `${mockUrl}/${scenario}key=${MOCK_KEY},id=${id}/v1`;
  return {
    providers: {
      [CX.native.provider]: { preset: 'openai', baseUrl: base(CX.native.provider), apiKeyEnv: 'MOCK_KEY' },
      [CX.fallback.failing]: { preset: 'openai', baseUrl: base(CX.fallback.failing, 'status=503,'), apiKeyEnv: 'MOCK_KEY' },
      [CX.fallback.provider]: { protocol: 'openai', baseUrl: base(CX.fallback.provider), apiKeyEnv: 'MOCK_KEY' },
    },
    models: {
      [CX.native.alias]: { targets: [{ provider: CX.native.provider, model: CX.native.model }] },
      [CX.fallback.alias]: {
        targets: [
          { provider: CX.fallback.failing, model: 'gpt-mock-down' },
          { provider: CX.fallback.provider, model: CX.fallback.model },
        ],
      },
    },
    retry: E2E_RETRY,
    // The failing target fails on purpose on every turn: its breaker must not open, so each turn takes the same path.
    breaker: { windowSize: 1000, minCalls: 1000, consecutiveFailures: 1000 },
    cache: { enabled: false },
    degraded: { enabled: false },
    auth: { mode: 'keys', keys: [{ name: CODEX_CLIENT, sha256: keyHash(CODEX_KEY) }] },
  };
}
