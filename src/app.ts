// The Hono app: middleware, routes, and the one error exit. Glue only.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { type RequestIdVariables, requestId } from 'hono/request-id';
import { type TimingVariables, timing } from 'hono/timing';
import type { RuntimeConfig } from './config/load.ts';
import { countCalls, ProxyError } from './errors.ts';
import { writeError, writeLog } from './log.ts';
import { type Client, withClient } from './middleware/auth.ts';
import { withBodyLimit, withConfig } from './middleware/config.ts';
import { withCors } from './middleware/cors.ts';
import { withClientLimits, withIpLimit } from './middleware/limits.ts';
import { anthropicErrorBody } from './protocols/anthropic.ts';
import { openaiErrorBody } from './protocols/openai.ts';
import { adminRoutes } from './routes/admin.ts';
import { chatRoutes } from './routes/chat.ts';
import { embeddingsRoutes } from './routes/embeddings.ts';
import { healthRoutes } from './routes/health.ts';
import { messagesRoutes } from './routes/messages.ts';
import { modelRoutes } from './routes/models.ts';
import { statusRoutes } from './routes/status.tsx';

/** What a request carries for the log line written when it fails. */
export interface RequestInfo {
  model: string | null;
  stream: boolean;
  startedAt: number;
}

export type AppEnv = {
  Bindings: Env;
  Variables: RequestIdVariables & TimingVariables & { config: RuntimeConfig; info: RequestInfo; client: Client };
};

/** Things the app takes from outside, injectable for tests. */
export interface AppDeps {
  /** The upstream fetch; defaults to the global one. */
  fetch?: typeof fetch;
}

/** Builds the proxy app. The Worker entry calls this once per isolate. */
export function createApp(deps: AppDeps = {}): Hono<AppEnv> {
  const upstreamFetch = deps.fetch ?? ((input, init) => fetch(input, init));
  const app = new Hono<AppEnv>();
  app.use(requestId({ headerName: 'x-request-id' }));
  app.route('/', healthRoutes());
  app.route('/', statusRoutes());
  app.route('/', adminRoutes());
  app.use('/v1/*', async function requestInfo(c, next) {
    c.set('info', { model: null, stream: false, startedAt: Date.now() });
    await next();
  });
  // CORS first (preflights need no credential), the per-IP limit before auth (throttles key guessing).
  app.use(
    '/v1/*',
    timing({ crossOrigin: false }),
    withConfig(),
    withCors(),
    withIpLimit(),
    withClient(),
    withClientLimits(),
    withBodyLimit(),
  );
  app.route('/v1', chatRoutes(upstreamFetch));
  app.route('/v1', messagesRoutes(upstreamFetch));
  app.route('/v1', embeddingsRoutes(upstreamFetch));
  app.route('/v1', modelRoutes());
  app.notFound(() => {
    throw new ProxyError(404, 'not_found', 'No such route.');
  });
  app.onError((err, c) => {
    const proxyError = toProxyError(err);
    if (c.req.path.startsWith('/v1/')) {
      const info = c.get('info');
      writeLog({
        requestId: c.get('requestId'),
        route: c.req.path,
        client: c.get('client')?.name ?? 'unknown',
        model: info?.model ?? null,
        status: proxyError.status,
        source: null,
        cache: null,
        stream: info?.stream ?? false,
        attempts: proxyError.attempts ?? [],
        error: proxyError.code,
        totalMs: info === undefined ? 0 : Date.now() - info.startedAt,
      });
    }
    const headers: Record<string, string> = { ...proxyError.headers };
    if (proxyError.attempts !== undefined) headers['x-proxy-attempts'] = String(countCalls(proxyError.attempts));
    // Anthropic callers (`/v1/messages` and below) get Anthropic's error shape; everyone else OpenAI's.
    const body = c.req.path.startsWith('/v1/messages') ? anthropicErrorBody(proxyError) : openaiErrorBody(proxyError);
    return c.json(body, proxyError.status as 400, headers);
  });
  return app;
}

function toProxyError(err: unknown): ProxyError {
  if (err instanceof ProxyError) return err;
  if (err instanceof HTTPException) {
    const code = err.status === 400 ? 'invalid_json' : 'http_error';
    return new ProxyError(err.status, code, err.message || 'Bad request.');
  }
  writeError('unhandled error', err);
  return new ProxyError(500, 'internal_error', 'The proxy failed unexpectedly.');
}
