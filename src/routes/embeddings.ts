// POST /v1/embeddings: OpenAI embeddings through the fallback list, cached.
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { embeddingsCaller } from '../protocols/openai-chat/embeddings.ts';
import { requireJson } from '../validation.ts';
import { modelRoute } from './model-route.ts';

export function embeddingsRoutes(upstreamFetch: typeof fetch): Hono<AppEnv> {
  return new Hono<AppEnv>().post('/embeddings', requireJson(), modelRoute(embeddingsCaller, upstreamFetch));
}
