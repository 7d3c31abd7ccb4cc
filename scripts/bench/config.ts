// The bench's PROXY_CONFIG and mock scenario: one alias on the mock, the client keys, and the switches each instance flips.
import { createHash } from 'node:crypto';

/** The provider key the bench config names; any value works against the mock. */
export const BENCH_KEY = 'bench-key';

/**
 * The mock's scenario (test/mock-provider/README.md), written before `/v1` in every upstream URL:
 * the default reply four times, so an answer is 20 word-sized pieces, one JSON body or a stream of
 * 20 content events (plus the role chunk, the finish chunk and `[DONE]`).
 */
export const MOCK_SCENARIO = 'repeat=4';

/** Content events in one streamed answer of the mock under MOCK_SCENARIO. */
export const STREAM_EVENTS = 20;

/** Alias of the balance figure (g): `balance: "weighted"` over two targets on the mock, one per provider, weights 1 and 1. */
export const WEIGHTED_ALIAS = 'bench-weighted';

/**
 * Client keys of the `auth.mode = "keys"` instance, sent as `Authorization: Bearer <key>`: `free`
 * (h) has no limits, `budget` (i) a daily and a per-minute token budget (BUDGET_TOKENS), `rpm` (j)
 * a requests-per-minute limit (CLIENT_RPM).
 */
export const CLIENT_KEYS = { free: 'bench-client-free', budget: 'bench-client-budget', rpm: 'bench-client-rpm' } as const;

/** `dailyTokens` and `tpm` of the budget key: every request reserves and settles, none is ever refused. */
export const BUDGET_TOKENS = 1e12;

/** `rpm` of the rpm key: the schema's ceiling, above what one instance serves in a minute here, so none is refused. */
export const CLIENT_RPM = 100_000;

/**
 * `limits.ipRpm` of the IP-limit instance (the schema's ceiling). The bench's requests to it carry
 * `cf-connecting-ip` from IP_POOL addresses in turn, so no address reaches it; Miniflare sets the
 * header (127.0.0.1) only when a request has none.
 */
export const IP_RPM = 10_000;

/** How many caller addresses the IP-limit target cycles through. */
export const IP_POOL = 256;

const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** What sets one bench config apart: the response cache, client keys (`auth.mode = "keys"`), the per-IP limit. */
export interface BenchConfigOptions {
  cache?: boolean;
  clientKeys?: boolean;
  /** `limits.ipRpm`; 0 (the default) turns the per-IP limit off. */
  ipRpm?: number;
}

/** The mock origin with MOCK_SCENARIO: what the forwarder's UPSTREAM and the providers' `baseUrl` (plus `/v1`) start with. */
export function scenarioOrigin(mockOrigin: string): string {
  return `${mockOrigin}/${MOCK_SCENARIO}`;
}

/**
 * PROXY_CONFIG for the bench: alias `bench` with one OpenAI-protocol target on the mock vendor, and
 * WEIGHTED_ALIAS over two providers on the same mock. The KV response cache is off unless `cache`,
 * so the proxy rows measure the provider path; anyone may call unless `clientKeys` (then only the
 * holders of CLIENT_KEYS); no per-IP limit unless `ipRpm`.
 */
export function benchProxyConfig(mockOrigin: string, { cache = false, clientKeys = false, ipRpm = 0 }: BenchConfigOptions = {}): string {
  const provider = { protocol: 'openai', baseUrl: `${scenarioOrigin(mockOrigin)}/v1`, apiKeyEnv: 'BENCH_KEY' };
  const keys = [
    { name: 'bench-free', sha256: sha256Hex(CLIENT_KEYS.free) },
    { name: 'bench-budget', sha256: sha256Hex(CLIENT_KEYS.budget), dailyTokens: BUDGET_TOKENS, tpm: BUDGET_TOKENS },
    { name: 'bench-rpm', sha256: sha256Hex(CLIENT_KEYS.rpm), rpm: CLIENT_RPM },
  ];
  return JSON.stringify({
    providers: { mock: provider, mock2: provider },
    models: {
      bench: { targets: [{ provider: 'mock', model: 'mock-model' }] },
      [WEIGHTED_ALIAS]: {
        balance: 'weighted',
        targets: [
          { provider: 'mock', model: 'mock-model', weight: 1 },
          { provider: 'mock2', model: 'mock-model', weight: 1 },
        ],
      },
    },
    cache: { enabled: cache },
    ...(ipRpm > 0 ? { limits: { ipRpm } } : {}),
    ...(clientKeys ? { auth: { mode: 'keys', keys } } : {}),
  });
}
