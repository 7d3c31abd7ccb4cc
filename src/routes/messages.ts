// POST /v1/messages (Anthropic Messages, streaming or not) and POST /v1/messages/count_tokens.
import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { writeLog } from '../observability/log.ts';
import { countLog } from '../observability/request-log.ts';
import { countTokens } from '../pipeline/count-tokens.ts';
import { messagesCaller } from '../protocols/anthropic/caller.ts';
import { parseCountTokens } from '../protocols/anthropic/count-tokens.ts';
import { readJson, requireJson } from '../validation.ts';
import { runInBackground } from '../wait-until.ts';
import { httpFacts, modelRoute } from './model-route.ts';

export function messagesRoutes(upstreamFetch: typeof fetch): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .post('/messages', requireJson(), modelRoute(messagesCaller, upstreamFetch))
    .post('/messages/count_tokens', requireJson(), async (c) => {
      const info = c.get('info');
      const call = parseCountTokens(await readJson(c), httpFacts(c));
      info.model = call.model;
      const count = await countTokens({
        id: c.get('requestId'),
        config: c.get('config'),
        client: c.get('client'),
        call,
        env: c.env,
        fetch: upstreamFetch,
        signal: c.req.raw.signal,
        waitUntil: (promise) => runInBackground(c, promise),
      });
      writeLog(
        countLog(
          {
            requestId: c.get('requestId'),
            route: c.req.path,
            client: c.get('client').name,
            model: call.model,
            stream: false,
            startedAt: info.startedAt,
          },
          count,
        ),
      );
      const headers: Record<string, string> = { 'content-type': 'application/json', 'x-proxy-attempts': String(count.attempts.length) };
      if (count.estimated) headers['x-proxy-estimated'] = 'true';
      if (count.provider !== undefined) headers['x-proxy-provider'] = count.provider;
      return c.body(count.text, 200, headers);
    });
}
