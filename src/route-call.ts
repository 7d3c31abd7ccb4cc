// What every model route takes from the request context before handing over to the pipeline.
import type { Context } from 'hono';
import type { AppEnv } from './app.ts';
import { maxTokensCap } from './auth/client.ts';
import { breakerGate } from './breaker/client.ts';
import type { ChatCall } from './chat.ts';
import type { ResolvedTarget } from './config/load.ts';
import { badRequest, ProxyError } from './errors.ts';
import { checkModelAllowed } from './middleware/auth.ts';
import { backgroundOf } from './respond.ts';

/** The targets of a model alias the client may use; 403 outside its allowlist, 404 when unknown. */
export function targetsFor(c: Context<AppEnv>, alias: string): readonly ResolvedTarget[] {
  c.get('info').model = alias;
  checkModelAllowed(c.get('client'), alias);
  const targets = c.get('config').models.get(alias);
  if (targets === undefined) {
    throw new ProxyError(404, 'model_not_found', `The model "${alias}" does not exist on this proxy.`, { param: 'model' });
  }
  return targets;
}

/**
 * Body limits checked before any upstream work: message count (`limits.maxMessages`) and the
 * output tokens asked for, against `limits.maxTokens` and the client's own `maxTokens` (key or token) (refused, not clamped).
 */
export function checkLimits(c: Context<AppEnv>, messages: number, askedTokens: number | null | undefined): void {
  const limits = c.get('config').raw.limits;
  if (messages > limits.maxMessages) {
    throw badRequest(`Too many messages: ${messages} (the limit is ${limits.maxMessages}).`, 'messages', 'too_many_messages');
  }
  const cap = maxTokensCap(c.get('client'), limits.maxTokens);
  if (askedTokens != null && askedTokens > cap) {
    throw badRequest(`max_tokens ${askedTokens} is above the limit of ${cap} for this client.`, 'max_tokens', 'max_tokens_too_large');
  }
}

/** The request's surroundings for the pipeline: config, client, ids, bindings, cache headers. */
export function callContext(c: Context<AppEnv>, upstreamFetch: typeof fetch): Omit<ChatCall, 'body' | 'targets'> {
  const waitUntil = backgroundOf(c);
  return {
    config: c.get('config'),
    client: c.get('client').name,
    requestId: c.get('requestId'),
    env: c.env,
    fetch: upstreamFetch,
    clientSignal: c.req.raw.signal,
    cacheControl: c.req.header('cache-control'),
    cacheTtl: c.req.header('x-proxy-cache-ttl'),
    kv: c.env.CACHE,
    waitUntil,
    breakers: c.env.BREAKER === undefined ? undefined : breakerGate(c.env.BREAKER, c.get('config').raw.breaker, waitUntil),
  };
}
