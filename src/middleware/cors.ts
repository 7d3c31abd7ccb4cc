// CORS for the model routes (SPEC "Browser safety"): hono/cors over the configured origins only.
import type { Context, MiddlewareHandler, Next } from 'hono';
import { cors } from 'hono/cors';
import { preflightOrigins } from '../auth/origin.ts';
import type { RuntimeConfig } from '../config/load.ts';
import type { AppEnv } from '../env.ts';
import { ProxyError } from '../errors.ts';

/**
 * Request headers the official SDKs send from a browser: the openai SDK (Authorization,
 * X-Stainless-*, OpenAI-Organization/Project/Beta, Idempotency-Key) and @anthropic-ai/sdk
 * (x-api-key, anthropic-version, anthropic-beta, anthropic-dangerous-direct-browser-access,
 * X-Stainless-*), plus the proxy's own request controls.
 */
export const ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'accept',
  'user-agent',
  'x-api-key',
  'anthropic-version',
  'anthropic-beta',
  'anthropic-dangerous-direct-browser-access',
  'openai-organization',
  'openai-project',
  'openai-beta',
  'idempotency-key',
  'x-stainless-arch',
  'x-stainless-lang',
  'x-stainless-os',
  'x-stainless-package-version',
  'x-stainless-runtime',
  'x-stainless-runtime-version',
  'x-stainless-retry-count',
  'x-stainless-timeout',
  'x-stainless-helper',
  'x-stainless-helper-method',
  'x-stainless-async',
  'x-stainless-poll-helper',
  'x-stainless-custom-poll-interval',
  'x-request-id',
  'cache-control',
  'x-proxy-cache-ttl',
  'x-session-id',
];

/** Response headers a page may read: who answered, and what the SDKs use to decide on a retry. */
export const EXPOSED_HEADERS = [
  'x-request-id',
  'x-proxy-source',
  'x-proxy-provider',
  'x-proxy-model',
  'x-proxy-attempts',
  'x-proxy-cache',
  'retry-after',
  'retry-after-ms',
  'x-should-retry',
  'age',
];

const handlers = new WeakMap<RuntimeConfig, { allowed: ReadonlySet<string>; cors: MiddlewareHandler<AppEnv> }>();

/** hono/cors over the config's origins, and the origins a preflight may come from; built once per config. */
function corsOf(config: RuntimeConfig): { allowed: ReadonlySet<string>; cors: MiddlewareHandler<AppEnv> } {
  let entry = handlers.get(config);
  if (entry === undefined) {
    const allowed = preflightOrigins(config.raw);
    entry = {
      allowed,
      cors: cors({
        origin: (origin) => (allowed.has(origin) ? origin : null),
        allowMethods: ['GET', 'POST', 'OPTIONS'],
        allowHeaders: ALLOWED_HEADERS,
        exposeHeaders: EXPOSED_HEADERS,
        maxAge: 600,
      }),
    };
    handlers.set(config, entry);
  }
  return entry;
}

/**
 * Runs `next` under CORS: answers preflights for allowed origins (204 with the allowed methods and
 * headers, cached 10 minutes) and refuses the others with a 403 carrying no CORS header; on other
 * requests sets `Access-Control-Allow-Origin` to the request's Origin only when it is allowed. An
 * arbitrary Origin is never reflected and `*` is never sent. Only for browsers' requests (with an
 * Origin) and preflights: for others hono/cors would build a placeholder Response just to write
 * headers no client reads. Whether the request's own client may be used from that origin is
 * checked after auth.
 */
export async function withinCors(c: Context<AppEnv>, config: RuntimeConfig, next: Next): Promise<Response | undefined> {
  const origin = c.req.header('origin');
  const preflight = c.req.method === 'OPTIONS';
  const entry = corsOf(config);
  if (preflight && origin !== undefined && !entry.allowed.has(origin)) {
    throw new ProxyError(
      403,
      'origin_not_allowed',
      'This proxy does not accept requests from the web page origin that sent the preflight.',
    );
  }
  return (await entry.cors(c, next)) as Response | undefined;
}
