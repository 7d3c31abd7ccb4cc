// POST /v1/chat/completions: OpenAI Chat Completions, streaming or not, through the fallback list.
import { Hono } from 'hono';
import type { AppEnv } from '../app.ts';
import { chatAnswer } from '../chat.ts';
import { badRequest, ProxyError } from '../errors.ts';
import { checkModelAllowed } from '../middleware/auth.ts';
import { chatRequestSchema } from '../protocols/openai-schema.ts';
import { backgroundOf, respond } from '../respond.ts';
import { jsonBody, requireJson } from '../validation.ts';

/** The chat route; `upstreamFetch` is injectable so tests can stand in for vendors. */
export function chatRoutes(upstreamFetch: typeof fetch): Hono<AppEnv> {
  return new Hono<AppEnv>().post('/chat/completions', requireJson(), jsonBody(chatRequestSchema), async (c) => {
    const body = c.req.valid('json');
    // c.get, not c.var: Hono builds a new object on every c.var access.
    const config = c.get('config');
    const info = c.get('info');
    const requestId = c.get('requestId');
    info.model = body.model;
    info.stream = body.stream === true;
    const limits = config.raw.limits;
    if (body.messages.length > limits.maxMessages) {
      throw badRequest(`Too many messages: ${body.messages.length} (the limit is ${limits.maxMessages}).`, 'messages', 'too_many_messages');
    }
    const client = c.get('client');
    const cap = Math.min(limits.maxTokens, client.key?.maxTokens ?? Number.POSITIVE_INFINITY);
    const asked = body.max_completion_tokens ?? body.max_tokens;
    if (asked != null && asked > cap) {
      throw badRequest(`max_tokens ${asked} is above the limit of ${cap} for this client.`, 'max_tokens', 'max_tokens_too_large');
    }
    checkModelAllowed(client, body.model);
    const targets = config.models.get(body.model);
    if (targets === undefined) {
      throw new ProxyError(404, 'model_not_found', `The model "${body.model}" does not exist on this proxy.`, { param: 'model' });
    }
    const answer = await chatAnswer({
      body,
      targets,
      config,
      client: client.name,
      requestId,
      env: c.env,
      fetch: upstreamFetch,
      clientSignal: c.req.raw.signal,
      cacheControl: c.req.header('cache-control'),
      cacheTtl: c.req.header('x-proxy-cache-ttl'),
      kv: c.env.CACHE,
      waitUntil: backgroundOf(c),
    });
    return respond(c, '/v1/chat/completions', answer);
  });
}
