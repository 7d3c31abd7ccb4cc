// POST /v1/chat/completions: OpenAI Chat Completions, streaming or not, through the pipeline.
import { Hono } from 'hono';
import type { AppEnv } from '../app.ts';
import { chatAnswer } from '../chat.ts';
import { chatRequestSchema } from '../protocols/openai-schema.ts';
import { respond } from '../respond.ts';
import { callContext, checkLimits, targetsFor } from '../route-call.ts';
import { jsonBody, requireJson } from '../validation.ts';

/** The chat route; `upstreamFetch` is injectable so tests can stand in for vendors. */
export function chatRoutes(upstreamFetch: typeof fetch): Hono<AppEnv> {
  return new Hono<AppEnv>().post('/chat/completions', requireJson(), jsonBody(chatRequestSchema), async (c) => {
    const body = c.req.valid('json');
    // c.get, not c.var: Hono builds a new object on every c.var access.
    const info = c.get('info');
    info.model = body.model;
    info.stream = body.stream === true;
    checkLimits(c, body.messages.length, body.max_completion_tokens ?? body.max_tokens);
    const targets = targetsFor(c, body.model);
    const answer = await chatAnswer({ ...callContext(c, upstreamFetch), body, targets });
    return respond(c, '/v1/chat/completions', answer);
  });
}
