// PROXY_CONFIG of the breaker e2e instances (breaker.test.ts starts its own `wrangler dev`s).
import { E2E_LIMITS, E2E_RETRY } from './config.ts';

/** Breaker options of the fast instance: trips after 3 failures in a row, probes after 1.5 s. */
export const BREAKER = {
  windowSize: 20,
  minCalls: 5,
  failureRate: 0.5,
  consecutiveFailures: 3,
  openMs: 1500,
  openBackoff: 1,
  maxOpenMs: 1500,
  halfOpenProbes: 1,
} as const;

/** The persistence instance: the same, but a breaker stays open for a minute (longer than a restart). */
export const LONG_BREAKER = { ...BREAKER, openMs: 60_000, maxOpenMs: 60_000 } as const;

/** The healthy provider every alias falls back to. */
export const BK_FALLBACK = { provider: 'bk-fallback', model: 'm-bk-fallback' } as const;

/**
 * One alias per test, each with its own provider id (one Durable Object per provider id, so no
 * test sees another's breaker): a faulty first target, then BK_FALLBACK.
 */
export const BK = {
  /** Always 503. */
  dead: { alias: 'bk-dead', provider: 'bk-dead', model: 'm-bk-dead', scenario: 'status=503' },
  /** Three 503s, then healthy for good. */
  flap: { alias: 'bk-flap', provider: 'bk-flap', model: 'm-bk-flap', scenario: 'status=503,times=3' },
  /**
   * Always 503, after 800 ms: the mock applies `delay` only while faults apply, so a provider that
   * heals also answers fast; this one stays slow, so the half-open probe is still in flight while
   * the burst arrives.
   */
  slow: { alias: 'bk-slow', provider: 'bk-slow', model: 'm-bk-slow', scenario: 'status=503,delay=800' },
  /** Always 503; opened on the persistence instance before its restart. */
  kept: { alias: 'bk-kept', provider: 'bk-kept', model: 'm-bk-kept', scenario: 'status=503' },
  /** Healthy; its breaker object is made to fail (storage corrupted) on the persistence instance. */
  broken: { alias: 'bk-broken', provider: 'bk-broken', model: 'm-bk-broken', scenario: '' },
} as const;

/** No retries (one call per request and target, so counts are exact), fast timeouts, no cache. */
export const BK_RETRY = { ...E2E_RETRY, maxRetries: 0 };

type Json = Record<string, unknown>;

/** Builds PROXY_CONFIG; `mockUrl` is the mock vendor's origin. */
export function buildBreakerProxyConfig(mockUrl: string, breaker: typeof BREAKER | typeof LONG_BREAKER): Json {
  const providers: Json = {};
  const models: Json = {};
  const provider = (id: string, scenario: string): void => {
    const path = [scenario, `id=${id}`].filter((item) => item !== '').join(',');
    providers[id] = { protocol: 'openai', baseUrl: `${mockUrl}/${path}/v1`, apiKeyEnv: 'MOCK_KEY' };
  };
  provider(BK_FALLBACK.provider, '');
  for (const t of Object.values(BK)) {
    provider(t.provider, t.scenario);
    models[t.alias] = { targets: [{ provider: t.provider, model: t.model }, BK_FALLBACK] };
  }
  return {
    providers,
    models,
    retry: BK_RETRY,
    limits: E2E_LIMITS,
    breaker,
    cache: { enabled: false },
    degraded: { enabled: true, defaultReply: 'Degraded.', notice: '' },
  };
}
