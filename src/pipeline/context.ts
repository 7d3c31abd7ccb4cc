// The request context: everything one model request needs on its way down, built once per request.
import { type Client, maxTokensCap } from '../auth/client.ts';
import type { BreakerGate } from '../breaker/client.ts';
import { type CacheControls, cacheControls } from '../cache/store.ts';
import { isolateOf } from '../config/isolate.ts';
import type { ResolvedTarget, RuntimeConfig } from '../config/load.ts';
import type { AttemptSummary } from '../errors.ts';
import { alertTarget } from '../observability/alerts.ts';
import type { EventSink } from '../observability/events.ts';
import type { CallerRequest } from '../protocols/adapter.ts';
import type { Json } from '../protocols/json.ts';
import { admit } from './admit.ts';

/**
 * A Responses answer to keep for its conversation (`store` true): the request's own input items
 * and the Response it continues, so `previous_response_id` can rebuild the history later.
 */
export interface KeepPlan {
  previousId: string | null;
  input: Json[];
}

/** Where the answer may come from and go to in the cache. */
export interface CachePlan {
  kv: KVNamespace | undefined;
  controls: CacheControls;
}

/**
 * One model request. Read-only but for `attempts`, which grows as targets are tried (the log line
 * and error bodies list it).
 */
export interface RequestContext {
  /** The request id (the caller's `x-request-id`, else generated). */
  readonly id: string;
  readonly route: string;
  readonly startedAt: number;
  readonly config: RuntimeConfig;
  readonly client: Client;
  readonly request: CallerRequest;
  readonly targets: readonly ResolvedTarget[];
  /** The most output tokens a request of this client may ask for (`limits.maxTokens`, the client's own): what a request naming none is sent. */
  readonly outputCap: number;
  /** The Worker's env: provider keys are read from it by name. */
  readonly env: Env;
  readonly fetch: typeof fetch;
  /** Fires when the caller goes away. */
  readonly signal: AbortSignal | undefined;
  /** The caller's session header (`x-session-id`, else `x-claude-code-session-id`), for sticky routing. */
  readonly sessionHeader: string | undefined;
  readonly cache: CachePlan;
  readonly breakers: BreakerGate | undefined;
  readonly secrets: readonly string[];
  /** Nothing waits past this (ms), before a stream's commit point. */
  readonly deadlineAt: number;
  readonly waitUntil: (promise: Promise<unknown>) => void;
  /** Where the events the request causes go: breaker transitions, a rejected key, a budget exhausted. */
  readonly sink: EventSink;
  /** Uniform in [0, 1): backoff jitter (injectable for tests). */
  readonly random: () => number;
  readonly attempts: AttemptSummary[];
  /** Set when the answer is to be stored for the caller's conversation. */
  readonly keep: KeepPlan | undefined;
}

/** What the route hands over. */
export interface ContextInput {
  id: string;
  route: string;
  startedAt: number;
  config: RuntimeConfig;
  client: Client;
  request: CallerRequest;
  env: Env;
  fetch: typeof fetch;
  signal: AbortSignal | undefined;
  sessionHeader: string | undefined;
  /** The `Cache-Control` and `x-proxy-cache-ttl` request headers. */
  cacheControl: string | undefined;
  cacheTtl: string | undefined;
  waitUntil: (promise: Promise<unknown>) => void;
  keep?: KeepPlan | undefined;
}

/** Admits the request (see `admit`) and builds its context. */
export function buildContext(input: ContextInput): RequestContext {
  const { config, env } = input;
  const targets = admit(config, input.client, input.request);
  const isolate = isolateOf(config, env);
  return {
    id: input.id,
    route: input.route,
    startedAt: input.startedAt,
    config,
    client: input.client,
    request: input.request,
    targets,
    outputCap: maxTokensCap(input.client, config.raw.limits.maxTokens),
    env,
    fetch: input.fetch,
    signal: input.signal,
    sessionHeader: input.sessionHeader,
    cache: { kv: env.CACHE, controls: cacheControls(input.cacheControl, input.cacheTtl, config.raw.cache) },
    breakers: isolate.breakers,
    secrets: isolate.secrets,
    deadlineAt: input.startedAt + (targets[0]?.retry.deadlineMs ?? config.raw.retry.deadlineMs),
    waitUntil: input.waitUntil,
    sink: { waitUntil: input.waitUntil, alert: alertTarget(config.raw.alerts.webhookEnv, env) },
    random: Math.random,
    attempts: [],
    keep: input.keep,
  };
}
