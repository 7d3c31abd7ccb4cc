// PROXY_CONFIG, client keys and request shapes of the budgets e2e instance (budgets.test.ts starts its own `wrangler dev`).
import { E2E_LIMITS, E2E_RETRY, keyHash } from './config.ts';

/** The output cap of every budget key (`maxTokens`): sent upstream when a request names none. */
export const CAP = 32;

/**
 * Two aliases, each one target behind the vendor tap, which keeps the answer bytes (and so the
 * usage the vendor billed). The OpenAI mock ignores `max_tokens`, so its answer (6 × 5 words = 30
 * tokens) stays under the cap as a real vendor's would; the Anthropic mock honours it, so its
 * 40-word answer is cut at the cap.
 */
export const BUDGET_TARGETS = {
  gpt: { alias: 'budget-gpt', provider: 'bud-openai', model: 'm-bud-openai', protocol: 'openai', scenario: 'repeat=6' },
  claude: { alias: 'budget-claude', provider: 'bud-claude', model: 'm-bud-claude', protocol: 'anthropic', scenario: 'repeat=8' },
} as const;
export type TargetName = keyof typeof BUDGET_TARGETS;

/** The SDK a request goes through: openai on /v1/chat/completions, Anthropic on /v1/messages. */
export type Sdk = 'openai' | 'anthropic';

/**
 * A request body (the params handed to the SDK, which sends them as they are) whose prompt is
 * `<mark> #<nn>: <text>`, so the vendor tap's log can be searched for it by mark and number.
 */
export function ask(mark: string, n: number, target: TargetName, text: string, extra: Record<string, unknown> = {}) {
  return {
    model: BUDGET_TARGETS[target].alias,
    messages: [{ role: 'user', content: `${mark} #${String(n).padStart(2, '0')}: ${text}` }],
    ...extra,
  };
}

/**
 * A prompt long enough that input dominates a request's worst case: the vendor bills it at about
 * 4 characters a token where the proxy reserves 3 bytes a token, so what an admitted request costs
 * comes near what it reserved and admitting more than the budget holds would show in the bill.
 */
const FILLER = `say hello. ${'Budgets hold under concurrency. '.repeat(15)}`.trim();

export const BURST_MARK = 'budgets-burst';
export const BURST_SIZE = 20;

/**
 * Request `i` of the burst: the twenty take every combination of SDK, target protocol and
 * streaming. OpenAI requests name no output limit (the cap is their worst case); Anthropic's SDK
 * must name one, and names the cap.
 */
export function burstRequest(i: number): { i: number; sdk: Sdk; body: Record<string, unknown> } {
  const sdk = i % 2 === 0 ? 'openai' : 'anthropic';
  const target = Math.floor(i / 2) % 2 === 0 ? 'gpt' : 'claude';
  const stream = Math.floor(i / 4) % 2 === 1 ? { stream: true } : {};
  return { i, sdk, body: ask(BURST_MARK, i, target, FILLER, sdk === 'openai' ? stream : { max_tokens: CAP, ...stream }) };
}
export const BURST = Array.from({ length: BURST_SIZE }, (_, i) => burstRequest(i));

/**
 * An upper bound of a request's reservation (SPEC "Budgets": estimated input tokens plus its
 * output limit): the proxy estimates input as ⌈UTF-8 bytes of the body's JSON / 3⌉ (src/spend/
 * estimate.ts, counting no commas, so at most this), and the limit is `max_tokens`, else the cap.
 */
export function worstCase(body: Record<string, unknown>): number {
  const limit = typeof body.max_tokens === 'number' ? body.max_tokens : CAP;
  return Math.ceil(Buffer.byteLength(JSON.stringify(body), 'utf8') / 3) + limit;
}

/** The largest worst case of the burst: the daily budget holds five of them. */
export const BURST_WORST = Math.max(...BURST.map((r) => worstCase(r.body)));

/** The tokens-per-minute requests: all alike, to the OpenAI target. */
export const MINUTE_MARK = 'budgets-minute';
export const minuteBody = (n: number) => ask(MINUTE_MARK, n, 'gpt', 'say hello');
export const MINUTE_WORST = worstCase(minuteBody(0));

/** Client keys (fake), one per test so no state leaks between tests, and the admin token. */
export const BUDGET_KEYS = {
  /** A daily budget of five worst cases. */
  burst: 'client-bud-burst-3e7a91c4',
  /** The output cap alone. */
  capped: 'client-bud-capped-8b20d6f1',
  /** Two worst cases a minute. */
  minute: 'client-bud-minute-51c9e07a',
  /** A roomy daily budget and tokens per minute, read back through the admin route. */
  ledger: 'client-bud-ledger-c4d83b26',
} as const;
export const ADMIN_TOKEN = 'e2e-budgets-admin-token-7f3c2a9e51d0';

export const LIMITS = {
  burst: { dailyTokens: 5 * BURST_WORST },
  minute: { tpm: 2 * MINUTE_WORST },
  ledger: { dailyTokens: 100_000, tpm: 50_000 },
} as const;

/** Builds PROXY_CONFIG; `vendorTapUrl` is the origin of the recording hop in front of the mock. */
export function buildBudgetsProxyConfig(vendorTapUrl: string): Record<string, unknown> {
  const providers: Record<string, unknown> = {};
  const models: Record<string, unknown> = {};
  for (const t of Object.values(BUDGET_TARGETS)) {
    providers[t.provider] = { protocol: t.protocol, baseUrl: `${vendorTapUrl}/${t.scenario},id=${t.provider}/v1`, apiKeyEnv: 'MOCK_KEY' };
    models[t.alias] = { targets: [{ provider: t.provider, model: t.model }] };
  }
  const key = (name: keyof typeof BUDGET_KEYS, policy: Record<string, number>) => ({
    name,
    sha256: keyHash(BUDGET_KEYS[name]),
    maxTokens: CAP,
    ...policy,
  });
  return {
    providers,
    models,
    retry: { ...E2E_RETRY, maxRetries: 0 },
    limits: { ...E2E_LIMITS, ipRpm: 0 },
    breaker: { windowSize: 1000, minCalls: 1000, consecutiveFailures: 1000 },
    cache: { enabled: false },
    degraded: { enabled: false },
    auth: {
      mode: 'keys',
      keys: [key('burst', LIMITS.burst), key('capped', {}), key('minute', LIMITS.minute), key('ledger', LIMITS.ledger)],
    },
  };
}
