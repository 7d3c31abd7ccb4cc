// The chaos run's PROXY_CONFIG: the aliases of aliases.ts, fast retries, quick breakers, the cache and degraded replies on.
import { ALIASES, DEGRADED_REPLY } from './aliases.ts';
import type { Cycle } from './fault-relay.ts';

/** The fake vendor key; the run fails if it shows up in any answer or in wrangler's output. */
export const CHAOS_KEY = 'mock-chaos-secret-7be21f';

/**
 * Breakers trip after 3 failures in a row (or half of the last 20) and probe every 2 s: a dead
 * vendor then gets at most about one call per 2 s, however many requests come.
 */
export const CHAOS_BREAKER = {
  windowSize: 20,
  minCalls: 5,
  failureRate: 0.5,
  consecutiveFailures: 3,
  openMs: 2000,
  openBackoff: 1,
  maxOpenMs: 2000,
  halfOpenProbes: 1,
} as const;

/** Fast backoff; a 1 s Retry-After is waited for, a 30 s one is not. */
export const CHAOS_RETRY = {
  maxRetries: 2,
  baseDelayMs: 5,
  maxDelayMs: 20,
  maxRetryWaitMs: 1500,
  connectTimeoutMs: 2000,
  firstTokenTimeoutMs: 3000,
  idleTimeoutMs: 3000,
  attemptTimeoutMs: 8000,
  deadlineMs: 15000,
} as const;

/** The streamed long answer of the memory check: ~1 KB pieces. */
export const MEMORY_PIECE = 'x'.repeat(1000);
/** The alias streaming it, through the mock straight (no relay). */
export const MEMORY_ALIAS = 'memory';

type Json = Record<string, unknown>;

/** The relay routes: the providers whose scenario is a cycle. */
export function relayRoutes(): Record<string, Cycle> {
  const routes: Record<string, Cycle> = {};
  for (const alias of Object.values(ALIASES)) {
    for (const t of alias.targets) if (typeof t.scenario !== 'string') routes[t.provider] = t.scenario;
  }
  return routes;
}

/** Builds PROXY_CONFIG; `mockUrl` and `relayUrl` are origins. `memoryRepeat` is the memory check's piece count. */
export function buildChaosConfig(mockUrl: string, relayUrl: string, memoryRepeat: number): Json {
  const providers: Json = {};
  const models: Json = {};
  for (const [name, alias] of Object.entries(ALIASES)) {
    models[name] = {
      targets: alias.targets.map((t) => {
        const baseUrl =
          typeof t.scenario === 'string'
            ? `${mockUrl}/${t.scenario === '' ? '' : `${t.scenario},`}id=${t.provider}/v1`
            : `${relayUrl}/${t.provider}/v1`;
        providers[t.provider] = { protocol: t.protocol, baseUrl, apiKeyEnv: 'CHAOS_KEY' };
        return {
          provider: t.provider,
          model: `m-${t.provider}`,
          ...(t.prefill ? { prefill: true } : {}),
          ...(t.retry ? { retry: t.retry } : {}),
        };
      }),
    };
  }
  const piece = encodeURIComponent(MEMORY_PIECE);
  providers[MEMORY_ALIAS] = {
    protocol: 'openai',
    baseUrl: `${mockUrl}/reply=${piece},repeat=${memoryRepeat},id=memory/v1`,
    apiKeyEnv: 'CHAOS_KEY',
  };
  // A minute-long answer: the attempt's hard stop (8 s above) would end it with an in-band error.
  models[MEMORY_ALIAS] = {
    targets: [{ provider: MEMORY_ALIAS, model: 'm-memory', retry: { attemptTimeoutMs: 600_000, deadlineMs: 600_000 } }],
  };
  return {
    providers,
    models,
    retry: CHAOS_RETRY,
    breaker: CHAOS_BREAKER,
    cache: { enabled: true },
    degraded: { enabled: true, defaultReply: DEGRADED_REPLY, notice: '(degraded)', rules: [] },
    limits: { maxTokens: 1_000_000 },
  };
}
