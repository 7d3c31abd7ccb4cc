// The PROXY_CONFIG of the second `wrangler dev`: the KV cache and degraded replies turned on.
import { E2E_LIMITS, E2E_RETRY, keyHash, MOCK_KEY } from './config.ts';

/** Client keys of two tenants: this proxy runs with `auth.mode: "keys"`. */
export const TENANT_KEYS = { alpha: 'client-alpha-3e8b1f77', beta: 'client-beta-9c2d4a10' } as const;

/** A healthy alias whose answers are cached. */
export const CACHED = { alias: 'cached', provider: 'c-ok', model: 'm-c-ok' } as const;

/** Answers its first call, then fails every later one (mock `after=1`): a stored entry then goes stale. */
export const FLAKY = { alias: 'flaky', provider: 'c-flaky', model: 'm-flaky' } as const;

/**
 * Every target fails: chat gets a degraded reply, embeddings a 503. The second target's error
 * echoes the vendor key, for the secret-hygiene checks of zz-secrets.test.ts.
 */
export const DOWN = { alias: 'down', models: ['m-down-a', 'm-down-b'] } as const;

/** Embeddings: the first target fails, the second answers. */
export const EMBED = { alias: 'embed', failing: 'm-e-down', provider: 'e-ok', model: 'm-e-ok' } as const;

/** One retry per target: each failing target costs two mock calls. */
export const CACHE_E2E_RETRY = { ...E2E_RETRY, maxRetries: 1 };

export const NOTICE = '(Automatic reply: the assistant is unavailable.)';
export const DEFAULT_REPLY = 'Sorry, no model can answer right now.';
export const PRICE_REPLY = 'Plans start at 10 USD a month; see the pricing page.';
export const HOURS_REPLY = 'Support is open 9:00-17:00 on weekdays.';

/** What a degraded answer says for `reply`: the reply, a blank line, the notice. */
export const degradedText = (reply: string): string => `${reply}\n\n${NOTICE}`;

const leakMessage = encodeURIComponent(`Bad gateway for key ${MOCK_KEY}`);

type Json = Record<string, unknown>;

/** Builds the cache instance's PROXY_CONFIG; `mockUrl` is the mock vendor's origin. */
export function buildCacheProxyConfig(mockUrl: string): Json {
  const providers: Json = {};
  const provider = (id: string, scenario: string): string => {
    const path = [scenario, `id=${id}`].filter((item) => item !== '').join(',');
    providers[id] = { protocol: 'openai', baseUrl: `${mockUrl}/${path}/v1`, apiKeyEnv: 'MOCK_KEY' };
    return id;
  };
  const models: Json = {
    [CACHED.alias]: { targets: [{ provider: provider(CACHED.provider, ''), model: CACHED.model }] },
    [FLAKY.alias]: { targets: [{ provider: provider(FLAKY.provider, 'status=503,after=1'), model: FLAKY.model }] },
    [DOWN.alias]: {
      targets: [
        { provider: provider('c-down-a', 'status=503'), model: DOWN.models[0] },
        { provider: provider('c-down-b', `status=502,message=${leakMessage}`), model: DOWN.models[1] },
      ],
    },
    [EMBED.alias]: {
      targets: [
        { provider: provider('e-down', 'status=500'), model: EMBED.failing },
        { provider: provider(EMBED.provider, ''), model: EMBED.model },
      ],
    },
  };
  return {
    providers,
    models,
    retry: CACHE_E2E_RETRY,
    limits: E2E_LIMITS,
    // Fault aliases fail on purpose again and again: the breaker must never open.
    breaker: { windowSize: 1000, minCalls: 1000, consecutiveFailures: 1000 },
    cache: { enabled: true, ttlSeconds: 3600, staleIfErrorSeconds: 86400 },
    auth: {
      mode: 'keys',
      keys: Object.entries(TENANT_KEYS).map(([name, key]) => ({ name, sha256: keyHash(key) })),
    },
    degraded: {
      enabled: true,
      notice: NOTICE,
      defaultReply: DEFAULT_REPLY,
      rules: [
        { match: ['price', '价格'], reply: PRICE_REPLY },
        { match: ['^(opening|office) hours?\\b'], regex: true, reply: HOURS_REPLY },
      ],
    },
  };
}
