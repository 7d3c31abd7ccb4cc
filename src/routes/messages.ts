// POST /v1/messages: Anthropic Messages, streaming or not, through the same pipeline as chat.
import { Hono } from 'hono';
import type { AppEnv } from '../app.ts';
import { chatAnswer } from '../chat.ts';
import type { Answer } from '../gateway.ts';
import { anthropicTransformer } from '../protocols/anthropic.ts';
import { completionToMessage } from '../protocols/anthropic-message.ts';
import { messagesRequestSchema } from '../protocols/anthropic-schema.ts';
import { anthropicToChat } from '../protocols/anthropic-to-chat.ts';
import { isObject, parseJson } from '../protocols/openai.ts';
import { pullThrough } from '../pull-through.ts';
import { respond } from '../respond.ts';
import { callContext, checkLimits, targetsFor } from '../route-call.ts';
import { jsonBody, requireJson } from '../validation.ts';

/**
 * The Messages route. The request is translated into the internal chat shape, answered by any
 * target of either protocol (or the cache, or a degraded reply), and the answer translated back.
 */
export function messagesRoutes(upstreamFetch: typeof fetch): Hono<AppEnv> {
  return new Hono<AppEnv>().post('/messages', requireJson(), jsonBody(messagesRequestSchema), async (c) => {
    const request = c.req.valid('json');
    const info = c.get('info');
    info.model = request.model;
    info.stream = request.stream === true;
    checkLimits(c, request.messages.length, request.max_tokens);
    const targets = targetsFor(c, request.model);
    const { body, extras } = anthropicToChat(request);
    // The usage chunk is always wanted: Anthropic streams report usage in message_delta.
    if (body.stream === true) body.stream_options = { include_usage: true };
    const answer = await chatAnswer({ ...callContext(c, upstreamFetch), body, extras, targets });
    return respond(c, '/v1/messages', inAnthropicShape(answer, request.thinking?.type === 'enabled'));
  });
}

/** The answer with its body in Anthropic's shape: a message, or a stream of Anthropic events. */
function inAnthropicShape(answer: Answer, withThinking: boolean): Answer {
  const { outcome } = answer;
  if (outcome.kind === 'stream') {
    return { ...answer, outcome: { ...outcome, body: pullThrough(outcome.body, anthropicTransformer(withThinking)) } };
  }
  const completion = parseJson(outcome.text);
  const text = JSON.stringify(completionToMessage(isObject(completion) ? completion : {}, withThinking));
  return { ...answer, outcome: { ...outcome, text } };
}
