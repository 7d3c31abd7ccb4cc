// PROXY_CONFIG and client key of the Claude Code e2e instance (claude-code.test.ts starts its own `wrangler dev`).
import { E2E_RETRY, keyHash, MOCK_KEY } from './config.ts';

/** The proxy client key Claude Code gets as ANTHROPIC_API_KEY; the proxy runs with `auth.mode: "keys"` and knows only its hash. */
export const CLAUDE_CODE_KEY = 'client-claude-code-8d3a61f0c2';
/** The client name that key is logged under. */
export const CLAUDE_CODE_CLIENT = 'claude-code';

/** The two ways a Claude Code turn is served. */
export const CC = {
  /** Claude Code's default model name as the alias: one healthy Anthropic-protocol target, passed through. */
  direct: { alias: 'claude-opus-5-5', provider: 'cc-claude', model: 'claude-mock-cc' },
  /** A gateway alias (`--model`): an overloaded Anthropic target (529), then an OpenAI-compatible one, translated. */
  fallback: { alias: 'cc-fallback', failing: 'cc-overloaded', provider: 'cc-openai', model: 'm-cc-openai' },
} as const;

/** Builds PROXY_CONFIG; `mockUrl` is the mock vendor's origin. */
export function buildClaudeCodeProxyConfig(mockUrl: string): Record<string, unknown> {
  const anthropic = (id: string, scenario: string) => ({
    protocol: 'anthropic',
    baseUrl: `${mockUrl}/${scenario}key=${MOCK_KEY},id=${id}/v1`,
    apiKeyEnv: 'MOCK_KEY',
  });
  return {
    providers: {
      [CC.direct.provider]: anthropic(CC.direct.provider, ''),
      [CC.fallback.failing]: anthropic(CC.fallback.failing, 'status=529,'),
      [CC.fallback.provider]: { protocol: 'openai', baseUrl: `${mockUrl}/id=${CC.fallback.provider}/v1`, apiKeyEnv: 'MOCK_KEY' },
    },
    models: {
      [CC.direct.alias]: { targets: [{ provider: CC.direct.provider, model: CC.direct.model }] },
      [CC.fallback.alias]: {
        targets: [
          { provider: CC.fallback.failing, model: 'claude-mock-overloaded' },
          { provider: CC.fallback.provider, model: CC.fallback.model },
        ],
      },
    },
    retry: E2E_RETRY,
    // Claude Code asks for up to 128,000 output tokens and sends about 50 KB a turn.
    limits: { maxTokens: 128_000 },
    // The failing target fails on purpose on every turn: its breaker must not open, so each turn takes the same path.
    breaker: { windowSize: 1000, minCalls: 1000, consecutiveFailures: 1000 },
    cache: { enabled: false },
    degraded: { enabled: false },
    auth: { mode: 'keys', keys: [{ name: CLAUDE_CODE_CLIENT, sha256: keyHash(CLAUDE_CODE_KEY) }] },
  };
}
