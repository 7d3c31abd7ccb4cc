// What one upstream outcome means to its provider's circuit breaker and status figures: the one place that decides it. Pure.
import type { BreakerEvent } from '../breaker/policy.ts';
import type { KeySlot } from '../observability/events.ts';
import { type Classification, classify, type UpstreamFailure } from './fallback.ts';
import { describe } from './final-error.ts';

/** How one attempt, or one stream after its commit point, ended. */
export type Outcome =
  /** A whole answer, or a stream that ended well; `ttftMs` for a stream that started with this provider, `rescuer` for streams it continued. */
  | { kind: 'answered'; ms: number; ttftMs?: number; rescuer?: number }
  /** An attempt that failed before any answer reached the caller, with the key slot it was made with. */
  | { kind: 'failed'; failure: UpstreamFailure; ms: number; key?: KeySlot | null }
  /** A stream that broke after its commit point (cut, stalled, an error event); `rescued` when another target continued it. */
  | { kind: 'broke'; code: string; ms: number; ttftMs?: number; rescued?: boolean; rescuer?: number }
  /** The caller went away: nothing is known about the provider. */
  | { kind: 'gone' };

/**
 * Whether a failure is the vendor refusing the key it was called with: `auth` for 401/403 (and the
 * 400 some vendors answer an invalid key with), `quota` for 402 and an out-of-credit 429. A 404
 * (model not found) is a configuration error too, but not the key's.
 */
export function keyRejection(failure: UpstreamFailure, classification: Classification): 'auth' | 'quota' | undefined {
  if (failure.kind !== 'http') return undefined;
  if (classification.reason === 'quota') return 'quota';
  if (classification.reason !== 'provider_config') return undefined;
  if (failure.status === 401 || failure.status === 403 || failure.status === 400) return 'auth';
  return undefined;
}

/**
 * The breaker event of an outcome. Only transient and provider-side failures count against a
 * provider (the classifier says which); a broken stream always does; a client that went away
 * says nothing (it frees a half-open probe). A 429's Retry-After goes along, so a long one keeps
 * the breaker open that long; a rejected key goes along for the status page.
 */
export function breakerEvent(outcome: Outcome): BreakerEvent {
  switch (outcome.kind) {
    case 'answered':
      return { type: 'success', ms: outcome.ms, ...facts(outcome.ttftMs, outcome.rescuer) };
    case 'broke': {
      const event: BreakerEvent = {
        type: 'failure',
        ms: outcome.ms,
        kind: `stream:${outcome.code}`,
        ...facts(outcome.ttftMs, outcome.rescuer),
      };
      if (outcome.rescued === true) event.rescued = true;
      return event;
    }
    case 'gone':
      return { type: 'neutral' };
    case 'failed': {
      const { failure } = outcome;
      const classification = classify(failure);
      if (!classification.breakerFailure) return { type: 'neutral' };
      const event: BreakerEvent = { type: 'failure', ms: outcome.ms, kind: describe(failure) };
      if (failure.kind === 'http' && failure.retryAfterMs !== undefined) event.retryAfterMs = failure.retryAfterMs;
      if (failure.kind === 'http' && keyRejection(failure, classification) !== undefined) {
        const slot = outcome.key ?? null;
        event.key = { position: slot?.position ?? 0, pool: slot?.pool ?? 0, status: failure.status };
      }
      return event;
    }
  }
}

function facts(ttftMs: number | undefined, rescuer: number | undefined): { ttfts?: number[]; rescuer?: number } {
  return { ...(ttftMs === undefined ? {} : { ttfts: [ttftMs] }), ...(rescuer ? { rescuer } : {}) };
}
