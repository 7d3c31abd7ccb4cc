// The caller once identified: its name (cache namespace, limiter key) and what it may do.
import type { ClientKey } from '../config/schema.ts';
import type { DailyBudget } from '../spend/budget.ts';
import type { TokenClaims } from './token.ts';

/** The caller as the pipeline sees it; built from a key entry, a token's claims, or nobody. */
export interface Client {
  /** Cache namespace and limiter key: `public`, a key's `name`, or `jwt:<sub>` for a token. */
  name: string;
  via: 'none' | 'key' | 'jwt';
  /** The matched key entry; undefined for tokens and `auth.mode = "none"`. */
  key: ClientKey | undefined;
  /** Model aliases it may use; all when undefined. */
  models: readonly string[] | undefined;
  /** Browser origins it may be used from; `cors.origins` when undefined. */
  origins: readonly string[] | undefined;
  /** Refuse its requests that carry no Origin header. */
  requireOrigin: boolean;
  /** Requests per minute (exact, Durable Object); unlimited when undefined. */
  rpm: number | undefined;
  /** Output tokens one request may ask for; `limits.maxTokens` applies as well. */
  maxTokens: number | undefined;
  /** Daily budget (Durable Object per client per UTC day); none when undefined. */
  budget: DailyBudget | undefined;
  /** Tokens per minute (Durable Object per client per UTC minute); none when undefined. */
  tpm: number | undefined;
}

/** Everyone, when `auth.mode` is `none`. */
export const PUBLIC_CLIENT: Client = {
  name: 'public',
  via: 'none',
  key: undefined,
  models: undefined,
  origins: undefined,
  requireOrigin: false,
  rpm: undefined,
  maxTokens: undefined,
  budget: undefined,
  tpm: undefined,
};

/** The client of a key entry from `auth.keys`. */
export function keyClient(key: ClientKey): Client {
  return { ...policyOf(key), name: key.name, via: 'key', key, requireOrigin: key.requireOrigin ?? false };
}

/** The client of a verified token: named `jwt:<sub>`, so it never shares a namespace with a key (key names cannot start with `jwt:`). */
export function tokenClient(claims: TokenClaims): Client {
  return { ...policyOf(claims), name: `jwt:${claims.sub}`, via: 'jwt', key: undefined, requireOrigin: false };
}

function policyOf(source: ClientKey | TokenClaims): Pick<Client, 'models' | 'origins' | 'rpm' | 'maxTokens' | 'budget' | 'tpm'> {
  const budget: DailyBudget = {};
  if (source.dailyTokens !== undefined) budget.tokens = source.dailyTokens;
  if (source.dailyUsd !== undefined) budget.usd = source.dailyUsd;
  return {
    models: source.models,
    origins: source.origins,
    rpm: source.rpm,
    maxTokens: source.maxTokens,
    budget: budget.tokens === undefined && budget.usd === undefined ? undefined : budget,
    tpm: source.tpm,
  };
}

/** The largest `max_tokens` a request of this client may ask for: the smaller of `limits.maxTokens` and its own cap. */
export function maxTokensCap(client: Client, limitsMaxTokens: number): number {
  return Math.min(limitsMaxTokens, client.maxTokens ?? Number.POSITIVE_INFINITY);
}
