// The one hook at the end of every answer: breaker outcomes, the cache entry, a stored Response, the client's spend and the log line.
import { type CacheEntry, writeEntry } from '../cache/store.ts';
import { costOf, writeLog } from '../observability/log.ts';
import { answerLog } from '../observability/request-log.ts';
import { pinAfterAnswer, type Session } from '../routing/pins.ts';
import type { Answer, AnswerEnd } from './answer.ts';
import { type Held, usedBy } from './budget.ts';
import type { RequestContext } from './context.ts';
import { keep } from './keep.ts';
import { breakerEvent, type Outcome } from './outcome.ts';

/** An answer the request's own targets made: where its cache entry goes, the followers waiting for it, its budget hold. */
export interface Own {
  key: string | undefined;
  settle: (entry: CacheEntry | undefined) => void;
  held?: Held | undefined;
  /** The request's sticky conversation, pinned to the target that answered. */
  session?: Session | undefined;
}

/**
 * Runs when an answer has ended (at once for a whole answer, at the stream's end for a stream).
 * For an answer of the request's own targets (`own`): each provider's breaker gets its outcome
 * (a stream's rescued breaks count against the providers that broke), a storable answer is shared
 * with identical requests waiting for it and written to the cache, and its budget hold is settled
 * with what it used, priced per target that produced it (a stream cut before its usage came:
 * the estimate of what it read and wrote). A Responses answer the caller asked to store is kept
 * for its conversation, whatever its source. Every answer gets its log line.
 */
export function finish(ctx: RequestContext, answer: Answer, end: AnswerEnd, own: Own | undefined): void {
  const sink = ctx.sink;
  if (own !== undefined) {
    for (const [provider, outcome] of outcomes(answer, end)) ctx.breakers?.report(provider, breakerEvent(outcome), sink);
    pin(ctx, answer, end, own.session);
    const entry = end.store === undefined ? undefined : toEntry(ctx, answer, end.store);
    own.settle(entry);
    const { kv, controls } = ctx.cache;
    if (entry !== undefined && own.key !== undefined && kv !== undefined && controls.store) {
      ctx.waitUntil(writeEntry(kv, own.key, entry, ctx.config.raw.cache.staleIfErrorSeconds));
    }
  }
  keep(ctx, end);
  const cost = priceOf(ctx, answer, end);
  writeLog(answerLog(ctx, answer, end, cost));
  const held = own?.held;
  if (held !== undefined) {
    const pieces = end.stream?.segments.reduce((sum, s) => sum + s.pieces, 0) ?? 0;
    held.reservation.finish(usedBy(end.usage?.total_tokens, cost, held, pieces));
  }
}

/** Pins a sticky conversation to the target whose answer ended well (for a rescued stream, the one that finished it). */
function pin(ctx: RequestContext, answer: Answer, end: AnswerEnd, session: Session | undefined): void {
  if (session === undefined || (end.stream !== undefined && end.stream.outcome !== 'complete')) return;
  const index = end.stream?.segments.at(-1)?.index ?? answer.targetIndex;
  const target = index === undefined ? undefined : ctx.targets[index];
  if (target !== undefined) pinAfterAnswer(ctx.env.SESSIONS, session, target.identity, Date.now(), ctx.waitUntil);
}

/**
 * USD cost of an answer at the pricing of the targets that produced it (each part of a rescued
 * stream at its own target's): 0 for cache hits and degraded replies, null when unknown (a target
 * without pricing, no usage reported).
 */
export function priceOf(ctx: RequestContext, answer: Answer, end: AnswerEnd): number | null {
  if (answer.source !== 'provider') return 0;
  const segments = end.stream?.segments ?? [];
  if (segments.length <= 1) return costOf(end.usage, answer.pricing) ?? null;
  let total = 0;
  for (const segment of segments) {
    const cost = costOf(segment.usage, ctx.targets[segment.index]?.pricing);
    if (cost === undefined) return null;
    total += cost;
  }
  return Math.round(total * 1e8) / 1e8;
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
