// PROXY_CONFIG and secrets of the browser-safety e2e instance (edge-guard.test.ts starts its own `wrangler dev`).
import { E2E_LIMITS, E2E_RETRY, keyHash } from './config.ts';

/** The HS256 secret the Worker verifies tokens with (PROXY_JWT_SECRET). */
export const JWT_SECRET = 'e2e-guard-jwt-secret-5b0c7e19a4d2f8c3';

/** Client keys, each with the policy its tests need. */
export const GUARD_KEYS = {
  /** Allowed from APP_ORIGIN only, 2 requests a minute. */
  web: 'client-web-7d1e0a55',
  /** 80 tokens a day, requests of at most 16 output tokens. */
  budget: 'client-budget-0c4f9e21',
  /** 80 tokens a day, requests of at most 16 output tokens, streamed. */
  stream: 'client-stream-a93b6d04',
  /** No limits of its own. */
  srv: 'client-srv-5e2a8c61',
} as const;

export const APP_ORIGIN = 'https://app.example';
export const DOCS_ORIGIN = 'https://docs.example';
/** Requests a minute per caller IP, on the Rate Limiting binding. */
export const IP_RPM = 5;

export const GUARD = { alias: 'guarded', provider: 'g-ok', model: 'm-guard' } as const;

/** Builds PROXY_CONFIG; `mockUrl` is the mock vendor's origin. */
export function buildGuardProxyConfig(mockUrl: string): Record<string, unknown> {
  return {
    providers: { [GUARD.provider]: { protocol: 'openai', baseUrl: `${mockUrl}/id=${GUARD.provider}/v1`, apiKeyEnv: 'MOCK_KEY' } },
    models: { [GUARD.alias]: { targets: [{ provider: GUARD.provider, model: GUARD.model, pricing: { input: 1, output: 2 } }] } },
    retry: { ...E2E_RETRY, maxRetries: 0 },
    limits: { ...E2E_LIMITS, ipRpm: IP_RPM },
    cache: { enabled: false },
    degraded: { enabled: false },
    cors: { origins: [DOCS_ORIGIN] },
    auth: {
      mode: 'keys+jwt',
      keys: [
        { name: 'web', sha256: keyHash(GUARD_KEYS.web), origins: [APP_ORIGIN], rpm: 2 },
        { name: 'budget', sha256: keyHash(GUARD_KEYS.budget), dailyTokens: 80, maxTokens: 16 },
        { name: 'stream', sha256: keyHash(GUARD_KEYS.stream), dailyTokens: 80, maxTokens: 16 },
        { name: 'srv', sha256: keyHash(GUARD_KEYS.srv) },
      ],
    },
  };
}
