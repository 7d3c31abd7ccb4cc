// The Hono app: middleware, routes, and the one error exit. Glue only.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { timing } from 'hono/timing';
import type { AppEnv } from './env.ts';
import { countCalls, ProxyError } from './errors.ts';
import { guardModelRoutes } from './middleware/guard.ts';
import { writeError, writeLog } from './observability/log.ts';
import { errorLog } from './observability/request-log.ts';
import { callerForPath } from './protocols/registry.ts';
import { adminRoutes } from './routes/admin.ts';
import { chatRoutes } from './routes/chat.ts';
import { embeddingsRoutes } from './routes/embeddings.ts';
import { healthRoutes } from './routes/health.ts';
import { messagesRoutes } from './routes/messages.ts';
import { modelRoutes } from './routes/models.ts';
import { responsesRoutes } from './routes/responses.ts';
import { statusRoutes } from './routes/status.tsx';

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
  app.use('/v1/*', timing({ crossOrigin: false }), guardModelRoutes());
  app.route('/v1', chatRoutes(upstreamFetch));
  app.route('/v1', messagesRoutes(upstreamFetch));
  app.route('/v1', responsesRoutes(upstreamFetch));
  app.route('/v1', embeddingsRoutes(upstreamFetch));
  app.route('/v1', modelRoutes());
  app.notFound(() => {
    throw new ProxyError(404, 'not_found', 'No such route.');
  });
  app.onError((err, c) => {
    const proxyError = toProxyError(err);
    const path = c.req.path;
    if (path.startsWith('/v1/')) {
      const info = c.get('info');
      const client = c.get('client')?.name ?? 'unknown';
      const request = { requestId: c.get('requestId'), route: path, client, model: info?.model ?? null, stream: info?.stream ?? false };
      writeLog(errorLog({ ...request, startedAt: info?.startedAt ?? Date.now() }, proxyError));
    }
    const headers: Record<string, string> = { ...proxyError.headers };
    if (proxyError.attempts !== undefined) headers['x-proxy-attempts'] = String(countCalls(proxyError.attempts));
    // Each route family answers errors in its callers' protocol.
    return c.json(callerForPath(path).errorBody(proxyError), proxyError.status as 400, headers);
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
