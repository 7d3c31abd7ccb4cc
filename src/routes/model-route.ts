// The handler every model route shares: read the body in the caller's protocol, build the request context, run the pipeline.
import type { Context, Handler } from 'hono';
import type { AppEnv } from '../env.ts';
import { buildContext, type KeepPlan, type RequestContext } from '../pipeline/context.ts';
import { answer } from '../pipeline/pipeline.ts';
import type { CallerAdapter, CallerRequest, HttpFacts } from '../protocols/adapter.ts';
import { readJson } from '../validation.ts';
import { runInBackground } from '../wait-until.ts';
import { respond } from './respond.ts';

/** The caller's HTTP request as adapters see it. */
export function httpFacts(c: Context<AppEnv>): HttpFacts {
  const url = c.req.url;
  const q = url.indexOf('?');
  return { header: (name) => c.req.header(name), query: q === -1 ? '' : url.slice(q) };
}

/** The request context of a model request whose body `caller` parses. */
export async function contextOf(c: Context<AppEnv>, caller: CallerAdapter, upstreamFetch: typeof fetch): Promise<RequestContext> {
  return contextFor(c, caller.parse(await readJson(c), httpFacts(c)), upstreamFetch);
}

/** The request context of a parsed model request; `keep` when its answer is to be stored for its conversation. */
export function contextFor(c: Context<AppEnv>, request: CallerRequest, upstreamFetch: typeof fetch, keep?: KeepPlan): RequestContext {
  const info = c.get('info');
  info.model = request.model;
  info.stream = request.stream;
  return buildContext({
    id: c.get('requestId'),
    route: c.req.path,
    startedAt: info.startedAt,
    config: c.get('config'),
    client: c.get('client'),
    request,
    env: c.env,
    fetch: upstreamFetch,
    signal: c.req.raw.signal,
    sessionHeader: c.req.header('x-session-id') ?? c.req.header('x-claude-code-session-id'),
    cacheControl: c.req.header('cache-control'),
    cacheTtl: c.req.header('x-proxy-cache-ttl'),
    waitUntil: (promise) => runInBackground(c, promise),
    keep,
  });
}

/** A model route answered through the pipeline in `caller`'s protocol; `upstreamFetch` is injectable so tests can stand in for vendors. */
export function modelRoute(caller: CallerAdapter, upstreamFetch: typeof fetch): Handler<AppEnv> {
  return async (c) => respond(c, await answer(await contextOf(c, caller, upstreamFetch)));
}
