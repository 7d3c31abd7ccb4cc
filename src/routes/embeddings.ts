// POST /v1/embeddings: OpenAI embeddings through the fallback list, cached.
import { Hono } from 'hono';
import type { AppEnv } from '../app.ts';
import { embeddingsAnswer } from '../embeddings.ts';
import { embeddingsRequestSchema } from '../protocols/openai-schema.ts';
import { respond } from '../respond.ts';
import { callContext, targetsFor } from '../route-call.ts';
import { jsonBody, requireJson } from '../validation.ts';

/** The embeddings route; `upstreamFetch` is injectable so tests can stand in for vendors. */
export function embeddingsRoutes(upstreamFetch: typeof fetch): Hono<AppEnv> {
  return new Hono<AppEnv>().post('/embeddings', requireJson(), jsonBody(embeddingsRequestSchema), async (c) => {
    const body = c.req.valid('json');
    const targets = targetsFor(c, body.model);
    const answer = await embeddingsAnswer({ ...callContext(c, upstreamFetch), body, targets });
    return respond(c, '/v1/embeddings', answer);
  });
}
