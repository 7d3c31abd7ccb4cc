// POST /v1/embeddings: OpenAI embeddings through the fallback list, cached.
import { Hono } from 'hono';
import type { AppEnv } from '../app.ts';
import { embeddingsAnswer } from '../embeddings.ts';
import { ProxyError } from '../errors.ts';
import { checkModelAllowed } from '../middleware/auth.ts';
import { embeddingsRequestSchema } from '../protocols/openai-schema.ts';
import { backgroundOf, respond } from '../respond.ts';
import { jsonBody, requireJson } from '../validation.ts';

/** The embeddings route; `upstreamFetch` is injectable so tests can stand in for vendors. */
export function embeddingsRoutes(upstreamFetch: typeof fetch): Hono<AppEnv> {
  return new Hono<AppEnv>().post('/embeddings', requireJson(), jsonBody(embeddingsRequestSchema), async (c) => {
    const body = c.req.valid('json');
    const config = c.get('config');
    c.get('info').model = body.model;
    const client = c.get('client');
    checkModelAllowed(client, body.model);
    const targets = config.models.get(body.model);
    if (targets === undefined) {
      throw new ProxyError(404, 'model_not_found', `The model "${body.model}" does not exist on this proxy.`, { param: 'model' });
    }
    const answer = await embeddingsAnswer({
      body,
      targets,
      config,
      client: client.name,
      requestId: c.get('requestId'),
      env: c.env,
      fetch: upstreamFetch,
      clientSignal: c.req.raw.signal,
      cacheControl: c.req.header('cache-control'),
      cacheTtl: c.req.header('x-proxy-cache-ttl'),
      kv: c.env.CACHE,
      waitUntil: backgroundOf(c),
    });
    return respond(c, '/v1/embeddings', answer);
  });
}
