// POST /v1/chat/completions: OpenAI Chat Completions, streaming or not, through the fallback list.
import { Hono } from 'hono';
import { setMetric } from 'hono/timing';
import type { AppEnv } from '../app.ts';
import { badRequest, ProxyError } from '../errors.ts';
import { type ChatOutcome, runChat } from '../gateway.ts';
import { proxyHeaders, SSE_HEADERS } from '../headers.ts';
import { costOf, writeLog } from '../log.ts';
import { chatRequestSchema } from '../protocols/openai-schema.ts';
import { jsonBody, requireJson } from '../validation.ts';
import { runInBackground } from '../wait-until.ts';

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
    const asked = body.max_completion_tokens ?? body.max_tokens;
    if (asked != null && asked > limits.maxTokens) {
      throw badRequest(`max_tokens ${asked} is above this proxy's limit of ${limits.maxTokens}.`, 'max_tokens', 'max_tokens_too_large');
    }
    const targets = config.models.get(body.model);
    if (targets === undefined) {
      throw new ProxyError(404, 'model_not_found', `The model "${body.model}" does not exist on this proxy.`, { param: 'model' });
    }
    const outcome = await runChat({
      targets,
      body,
      requestId,
      env: c.env,
      fetch: upstreamFetch,
      clientSignal: c.req.raw.signal,
      deadlineMs: targets[0]?.retry.deadlineMs ?? config.raw.retry.deadlineMs,
    });
    setMetric(c, 'upstream', outcome.meta.upstreamMs);
    const headers = proxyHeaders('provider', 'BYPASS', outcome.meta);
    const log = (summary: LogSummary) =>
      writeLog({
        requestId,
        route: '/v1/chat/completions',
        client: 'public',
        model: body.model,
        status: 200,
        source: 'provider',
        cache: 'BYPASS',
        stream: outcome.kind === 'stream',
        provider: outcome.meta.provider,
        upstreamModel: outcome.meta.model,
        attempts: outcome.meta.attempts,
        totalMs: Date.now() - info.startedAt,
        ...summary,
        cost: costOf(summary.usage, outcome.meta.pricing),
      });
    if (outcome.kind === 'json') {
      log({ usage: outcome.usage });
      return c.body(outcome.text, 200, { ...headers, 'content-type': 'application/json' });
    }
    runInBackground(c, logStream(outcome, log));
    return c.body(outcome.body, 200, { ...headers, ...SSE_HEADERS });
  });
}

type LogSummary = Pick<Parameters<typeof writeLog>[0], 'usage' | 'streamOutcome' | 'malformedEvents' | 'error'>;

async function logStream(outcome: Extract<ChatOutcome, { kind: 'stream' }>, log: (s: LogSummary) => void): Promise<void> {
  const summary = await outcome.done;
  log({ usage: summary.usage, streamOutcome: summary.outcome, malformedEvents: summary.malformed, error: summary.error });
}
