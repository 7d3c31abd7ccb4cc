// Turns a pipeline answer into the HTTP response and its log line, for every model route.
import type { Context } from 'hono';
import { setMetric } from 'hono/timing';
import type { AppEnv } from './app.ts';
import type { Answer } from './gateway.ts';
import { proxyHeaders, SSE_HEADERS } from './headers.ts';
import { costOf, type RequestLog, writeLog } from './log.ts';
import { spendOf } from './spend/budget.ts';
import { recordSpend } from './spend/guard.ts';
import { runInBackground } from './wait-until.ts';

type LogSummary = Pick<RequestLog, 'usage' | 'streamOutcome' | 'malformedEvents' | 'error' | 'rescues'>;

/**
 * The response for an answer: x-proxy-* headers, Server-Timing, and one log line, written at once
 * for a JSON body and when the stream ends for a stream. A provider answer's usage and cost are
 * then added to the client's daily budget in the background; cache hits and degraded replies cost nothing.
 */
export function respond(c: Context<AppEnv>, route: string, answer: Answer): Response {
  const { outcome, source, cache } = answer;
  const info = c.get('info');
  setMetric(c, 'upstream', outcome.meta.upstreamMs);
  const headers = proxyHeaders(source, cache, outcome.meta, answer.ageSeconds);
  const client = c.get('client');
  const log = (summary: LogSummary): void => {
    const cost = source === 'provider' ? (costOf(summary.usage ?? undefined, outcome.meta.pricing) ?? null) : 0;
    writeLog({
      requestId: c.get('requestId'),
      route,
      client: client.name,
      model: info.model,
      status: 200,
      source,
      cache,
      stream: outcome.kind === 'stream',
      provider: outcome.meta.provider,
      upstreamModel: outcome.meta.model,
      attempts: outcome.meta.attempts,
      totalMs: Date.now() - info.startedAt,
      ...summary,
      usage: summary.usage ?? null,
      cost,
    });
    // A follower of an identical request in flight (no attempt of its own) spent nothing either.
    if (source === 'provider' && outcome.meta.attemptCount > 0)
      recordSpend(c.env.BUDGET, client, spendOf(summary.usage ?? undefined, cost ?? undefined), backgroundOf(c));
  };
  if (outcome.kind === 'json') {
    log({ usage: outcome.usage });
    return c.body(outcome.text, 200, { ...headers, 'content-type': 'application/json' });
  }
  runInBackground(
    c,
    outcome.done.then((s) =>
      log({
        usage: s.usage,
        streamOutcome: s.outcome,
        malformedEvents: s.malformed,
        error: s.error,
        ...(s.rescues.length > 0 ? { rescues: s.rescues } : {}),
      }),
    ),
  );
  return c.body(outcome.body, 200, { ...headers, ...SSE_HEADERS });
}

/** `waitUntil` of the request, or running the promise when there is no ExecutionContext (tests). */
export function backgroundOf(c: Context<AppEnv>): (promise: Promise<unknown>) => void {
  return (promise) => runInBackground(c, promise);
}
