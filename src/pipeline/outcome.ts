// What one upstream outcome means to its provider's circuit breaker: the one place that decides it. Pure.
import type { BreakerEvent } from '../breaker/policy.ts';
import { classify, type UpstreamFailure } from './fallback.ts';
import { describe } from './final-error.ts';

/** How one attempt, or one stream after its commit point, ended. */
export type Outcome =
  /** A whole answer, or a stream that ended well. */
  | { kind: 'answered'; ms: number }
  /** An attempt that failed before any answer reached the caller. */
  | { kind: 'failed'; failure: UpstreamFailure; ms: number }
  /** A stream that broke after its commit point (cut, stalled, an error event), rescued or not. */
  | { kind: 'broke'; code: string; ms: number }
  /** The caller went away: nothing is known about the provider. */
  | { kind: 'gone' };

/**
 * The breaker event of an outcome. Only transient and provider-side failures count against a
 * provider (the classifier says which); a broken stream always does; a client that went away
 * says nothing (it frees a half-open probe). A 429's Retry-After goes along, so a long one keeps
 * the breaker open that long.
 */
export function breakerEvent(outcome: Outcome): BreakerEvent {
  switch (outcome.kind) {
    case 'answered':
      return { type: 'success', ms: outcome.ms };
    case 'broke':
      return { type: 'failure', ms: outcome.ms, kind: `stream:${outcome.code}` };
    case 'gone':
      return { type: 'neutral' };
    case 'failed': {
      const { failure } = outcome;
      if (!classify(failure).breakerFailure) return { type: 'neutral' };
      const event: BreakerEvent = { type: 'failure', ms: outcome.ms, kind: describe(failure) };
      if (failure.kind === 'http' && failure.retryAfterMs !== undefined) event.retryAfterMs = failure.retryAfterMs;
      return event;
    }
  }
}
