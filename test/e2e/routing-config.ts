// PROXY_CONFIG and key pool of the routing e2e instance (routing.test.ts starts its own `wrangler dev`).
import { E2E_LIMITS, E2E_RETRY } from './config.ts';

/** A weighted alias over two healthy providers: the first should take 3 of every 4 first attempts. */
export const WEIGHTED = {
  alias: 'rt-weighted',
  heavy: { provider: 'rt-w3', model: 'm-rt-w3', weight: 3 },
  light: { provider: 'rt-w1', model: 'm-rt-w1', weight: 1 },
} as const;

/**
 * One provider with a pool of three keys. The mock accepts keys 2 and 3 only (`key=`) and
 * rate-limits key 3 (`limit-key=`, 429 with `retry-after: 30`): key 1 is refused, key 3 set aside
 * for 30 s, and key 2 answers.
 */
export const POOL = {
  alias: 'rt-pool',
  provider: 'rt-pool',
  model: 'm-rt-pool',
  keyEnvs: ['RT_KEY_1', 'RT_KEY_2', 'RT_KEY_3'],
  /** Fake values, in pool order. */
  keys: ['sk-test-e2e-pool-a7c1', 'sk-test-e2e-pool-b3d9', 'sk-test-e2e-pool-c5e2'],
} as const;

/** A sticky alias drawing 1:1 between two healthy providers. */
export const STICKY = {
  alias: 'rt-sticky',
  providers: [
    { provider: 'rt-s-a', model: 'm-rt-s-a' },
    { provider: 'rt-s-b', model: 'm-rt-s-b' },
  ],
  ttlSeconds: 600,
} as const;

type Json = Record<string, unknown>;

/**
 * Builds PROXY_CONFIG; `mockUrl` is the mock vendor's origin. No retries (every request costs one
 * call per key and target tried, so counts are exact), a breaker that never opens, no cache and
 * no degraded replies; room for a ten-turn conversation (19 messages).
 */
export function buildRoutingProxyConfig(mockUrl: string): Json {
  const [, accepted, limited] = POOL.keys;
  const providers: Json = {};
  const provider = (id: string, scenario: string, apiKeyEnv: string | readonly string[] = 'MOCK_KEY'): void => {
    const path = [scenario, `id=${id}`].filter((item) => item !== '').join(',');
    providers[id] = { protocol: 'openai', baseUrl: `${mockUrl}/${path}/v1`, apiKeyEnv };
  };
  provider(WEIGHTED.heavy.provider, '');
  provider(WEIGHTED.light.provider, '');
  provider(POOL.provider, `key=${accepted}+${limited},limit-key=${limited}`, POOL.keyEnvs);
  for (const t of STICKY.providers) provider(t.provider, '');
  return {
    providers,
    models: {
      [WEIGHTED.alias]: { balance: 'weighted', targets: [WEIGHTED.heavy, WEIGHTED.light] },
      [POOL.alias]: { targets: [{ provider: POOL.provider, model: POOL.model }] },
      [STICKY.alias]: { balance: 'weighted', sticky: { ttlSeconds: STICKY.ttlSeconds }, targets: STICKY.providers },
    },
    retry: { ...E2E_RETRY, maxRetries: 0 },
    limits: { ...E2E_LIMITS, maxMessages: 32 },
    breaker: { windowSize: 1000, minCalls: 1000, consecutiveFailures: 1000 },
    cache: { enabled: false },
    degraded: { enabled: false },
  };
}
