// POST /v1/chat/completions: OpenAI Chat Completions, streaming or not.
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { chatCaller } from '../protocols/openai-chat/caller.ts';
import { requireJson } from '../validation.ts';
import { modelRoute } from './model-route.ts';

export function chatRoutes(upstreamFetch: typeof fetch): Hono<AppEnv> {
  return new Hono<AppEnv>().post('/chat/completions', requireJson(), modelRoute(chatCaller, upstreamFetch));
}
