// The model routes' guard (SPEC "Browser safety"): config, CORS, the per-IP limit, the client and its limits, the body limit, as one middleware.
import type { Context, MiddlewareHandler, Next } from 'hono';
import type { AppEnv } from '../env.ts';
import { checkOrigin, clientOf } from './auth.ts';
import { limitBody, requireConfig } from './config.ts';
import { withinCors } from './cors.ts';
import { limitClient, limitIp } from './limits.ts';

/**
 * Everything a `/v1` request passes before its route, in order: the request's info for its log
 * line, the isolate's config (500 when invalid), CORS (preflights answered here, before any
 * credential), the per-IP limit (before auth, so key guessing is throttled), the client (401/403)
 * and its `rpm`, then the body limit (413). One middleware rather than six: a request of a client
 * without limits from outside a browser passes with no await but its route's.
 */
export function guardModelRoutes(): MiddlewareHandler<AppEnv> {
  return async function guard(c, next) {
    c.set('info', { model: null, stream: false, startedAt: Date.now() });
    const config = requireConfig(c);
    c.set('config', config);
    // A request without an Origin is no browser's: CORS has nothing to do for it.
    if (c.req.method !== 'OPTIONS' && c.req.header('origin') === undefined) return admitted(c, next);
    return withinCors(c, config, () => admitted(c, next));
  };
}

async function admitted(c: Context<AppEnv>, next: Next): Promise<void> {
  const config = c.get('config');
  const ipRpm = config.raw.limits.ipRpm;
  if (ipRpm > 0) await limitIp(c, ipRpm);
  const found = clientOf(c, config);
  const client = found instanceof Promise ? await found : found;
  c.set('client', client);
  checkOrigin(c, client, config);
  if (client.rpm !== undefined) await limitClient(c, client);
  await limitBody(c, config, next);
}
