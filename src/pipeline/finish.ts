// The one hook at the end of every answer: breaker outcomes, the cache entry, the client's spend and the log line.
import { type CacheEntry, writeEntry } from '../cache/store.ts';
import { writeLog } from '../observability/log.ts';
import { answerLog } from '../observability/request-log.ts';
import { spendOf } from '../spend/budget.ts';
import { recordSpend } from '../spend/guard.ts';
import type { Answer, AnswerEnd } from './answer.ts';
import type { RequestContext } from './context.ts';
import { breakerEvent, type Outcome } from './outcome.ts';

/** An answer the request's own targets made: where its cache entry goes, and the followers waiting for it. */
export interface Own {
  key: string | undefined;
  settle: (entry: CacheEntry | undefined) => void;
}

/**
 * Runs when an answer has ended (at once for a whole answer, at the stream's end for a stream).
 * For an answer of the request's own targets (`own`): each provider's breaker gets its outcome
 * (a stream's rescued breaks count against the providers that broke), a storable answer is shared
 * with identical requests waiting for it and written to the cache, and its usage is added to the
 * client's budget. Every answer gets its log line.
 */
export function finish(ctx: RequestContext, answer: Answer, end: AnswerEnd, own: Own | undefined): void {
  const sink = ctx.sink;
  if (own !== undefined) {
    for (const [provider, outcome] of outcomes(answer, end)) ctx.breakers?.report(provider, breakerEvent(outcome), sink);
    const entry = end.store === undefined ? undefined : toEntry(ctx, answer, end.store);
    own.settle(entry);
    const { kv, controls } = ctx.cache;
    if (entry !== undefined && own.key !== undefined && kv !== undefined && controls.store) {
      ctx.waitUntil(writeEntry(kv, own.key, entry, ctx.config.raw.cache.staleIfErrorSeconds));
    }
  }
  const line = answerLog(ctx, answer, end);
  writeLog(line);
  if (own !== undefined) recordSpend(ctx.env.BUDGET, ctx.client, spendOf(end.usage, line.cost ?? undefined), sink);
}

/**
 * Each provider's outcome in an answer: the one that answered, or for a stream every one that
 * broke and the one that ended it. A stream's time to first token (its attempt's time to the
 * commit point, `upstreamMs`) belongs to the provider that started it; each rescue counts for the
 * provider whose stream was continued (`rescued`) and the one that continued it (`rescuer`).
 */
function outcomes(answer: Answer, end: AnswerEnd): [string, Outcome][] {
  const stream = end.stream;
  if (stream === undefined) return answer.provider === undefined ? [] : [[answer.provider, { kind: 'answered', ms: answer.upstreamMs }]];
  const started = (i: number) => (i === 0 ? { ttftMs: answer.upstreamMs } : { rescuer: 1 });
  const out: [string, Outcome][] = stream.rescues.map((r, i) => [
    r.from,
    { kind: 'broke', code: r.error, ms: stream.ms, rescued: true, ...started(i) },
  ]);
  const position = stream.rescues.length;
  const last: Outcome =
    stream.outcome === 'complete'
      ? { kind: 'answered', ms: stream.ms, ...started(position) }
      : stream.outcome === 'error'
        ? { kind: 'broke', code: stream.error ?? 'error', ms: stream.ms, ...started(position) }
        : { kind: 'gone' };
  out.push([stream.provider, last]);
  return out;
}

function toEntry(ctx: RequestContext, answer: Answer, body: string): CacheEntry {
  return {
    v: 2,
    storedAt: Date.now(),
    ttl: ctx.cache.controls.ttlSeconds,
    body,
    provider: answer.provider ?? '',
    model: answer.model ?? '',
  };
}
