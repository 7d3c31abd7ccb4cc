// The isolate's validated config for a request (or a 500), and the body limit of the model routes.
import type { Context, MiddlewareHandler, Next } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { type ConfigResult, loadConfig, missingKeys, type RuntimeConfig, webhookEnvOf } from '../config/load.ts';
import type { AppEnv } from '../env.ts';
import { badRequest, ProxyError } from '../errors.ts';
import { alertTarget } from '../observability/alerts.ts';
import { emit } from '../observability/events.ts';
import { writeWarning } from '../observability/log.ts';
import { scrub } from '../observability/scrub.ts';
import { runInBackground } from '../wait-until.ts';

const warned = new Set<string>();
// Invalid configs this isolate has reported, by their issues: one event per isolate and config.
const reported = new Set<string>();

/**
 * The isolate's config (parsed once per isolate). An invalid one is reported once per isolate and
 * config: a `config_invalid` event line listing every bad path, and the same to the alert webhook
 * (its env name read leniently from the invalid config, else `ALERT_WEBHOOK_URL`).
 */
export function configOf(c: Context<AppEnv>): ConfigResult {
  const result = loadConfig(c.env.PROXY_CONFIG);
  if (result.ok) return result;
  const issues = result.issues.map((issue) => scrub(issue));
  const signature = issues.join('\n');
  if (!reported.has(signature)) {
    if (reported.size > 20) reported.clear();
    reported.add(signature);
    const alert = alertTarget(webhookEnvOf(c.env.PROXY_CONFIG), c.env);
    emit({ event: 'config_invalid', issues }, { waitUntil: (promise) => runInBackground(c, promise), alert });
  }
  return { ok: false, issues };
}

/**
 * The isolate's valid config (see `configOf`). An invalid one is a 500 naming every bad path, and
 * no vendor is called. Missing provider keys are logged once per isolate and config.
 */
export function requireConfig(c: Context<AppEnv>): RuntimeConfig {
  const result = configOf(c);
  if (!result.ok) {
    throw new ProxyError(500, 'invalid_config', `PROXY_CONFIG is invalid: ${result.issues.join('; ')}`, { type: 'api_error' });
  }
  const config = result.config;
  if (!warned.has(config.version)) {
    warned.add(config.version);
    const missing = missingKeys(c.env, config);
    if (missing.length > 0) writeWarning('provider keys missing; their targets are skipped', { missing });
  }
  return config;
}

/** Puts the config on the context (see `requireConfig`), for routes outside the model routes' guard. */
export function withConfig(): MiddlewareHandler<AppEnv> {
  return async function withConfig(c, next) {
    c.set('config', requireConfig(c));
    await next();
  };
}

const limiters = new WeakMap<RuntimeConfig, MiddlewareHandler<AppEnv>>();

/**
 * Runs `next` when the body is within `limits.maxBodyBytes`, else a 413. A body that declares its
 * length is judged by its `Content-Length` alone; one that does not is counted as it is read, by
 * hono/body-limit (built once per config).
 */
export async function limitBody(c: Context<AppEnv>, config: RuntimeConfig, next: Next): Promise<Response | undefined> {
  const maxSize = config.raw.limits.maxBodyBytes;
  const raw = c.req.raw;
  const length = raw.headers.get('content-length');
  if (raw.body === null || (length !== null && !raw.headers.has('transfer-encoding'))) {
    if (length !== null && Number.parseInt(length, 10) > maxSize) throw tooLarge(maxSize);
    await next();
    return undefined;
  }
  let limiter = limiters.get(config);
  if (limiter === undefined) {
    limiter = bodyLimit({
      maxSize,
      onError: () => {
        throw tooLarge(maxSize);
      },
    });
    limiters.set(config, limiter);
  }
  // A body without Content-Length that breaks off while read (the client stopped sending, broken
  // chunked framing) is the caller's fault, a 400, not a 500.
  let reading = true;
  try {
    return (await limiter(c, async () => {
      reading = false;
      await next();
    })) as Response | undefined;
  } catch (err) {
    if (reading && !(err instanceof ProxyError)) throw badRequest('The request body could not be read in full.', null, 'invalid_body');
    throw err;
  }
}

function tooLarge(maxSize: number): ProxyError {
  return new ProxyError(413, 'request_too_large', `The request body is larger than ${maxSize} bytes.`);
}
