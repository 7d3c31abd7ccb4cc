// The errors a request through the targets can end with: terminal refusals, the final error, a client gone.
import type { ResolvedTarget } from '../config/load.ts';
import { type AttemptSummary, isSkip, ProxyError } from '../errors.ts';
import { edgeCause, thrownCause } from '../upstream/network-cause.ts';
import type { Classification, UpstreamFailure } from './fallback.ts';

/** A failed attempt kept for the final error. */
export interface Failed {
  target: ResolvedTarget;
  failure: UpstreamFailure;
  classification: Classification;
}

/** The client went away before an answer. */
export function clientGone(attempts: AttemptSummary[]): ProxyError {
  return new ProxyError(499, 'client_closed_request', 'The client closed the request.', { attempts });
}

/**
 * The cause of a failed attempt, machine-readable and as precise as the runtime allows (the
 * attempt list's `error`): `http:<status>[:<vendor code or type>]`, `http:521:connection_refused`
 * for Cloudflare's edge statuses, `network:<cause>` (see network-cause.ts), `timeout:<phase>`
 * (`connect`, `first_token`, `idle`, `attempt`, `deadline`), `stream_error[:<code>]`,
 * `bad_response:<what>`. Never quotes a vendor message.
 */
export function describe(failure: UpstreamFailure): string {
  switch (failure.kind) {
    case 'http': {
      const vendor = token(failure.code) || token(failure.type);
      if (vendor) return `http:${failure.status}:${vendor}`;
      const edge = edgeCause(failure.status, failure.message);
      return edge === undefined ? `http:${failure.status}` : `http:${failure.status}:${edge}`;
    }
    case 'network':
      return `network:${thrownCause(failure.message)}`;
    case 'timeout':
      return `timeout:${failure.phase}`;
    case 'stream_error': {
      const vendor = token(failure.code) || token(failure.type);
      return vendor ? `stream_error:${vendor}` : 'stream_error';
    }
    case 'bad_response':
      return `bad_response:${token(failure.message.replace(/\s+/g, '_'))}`;
  }
}

/** A vendor code or type kept as a short identifier: lower case, `[a-z0-9_.-]`, at most 64 characters. */
function token(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9_.-]/g, '')
    .slice(0, 64);
}

/**
 * Whether a failure is of a transient kind (the attempt list's `retryable`): a transient status, a
 * lost connection or a timeout, so the same call may well succeed later. True even when the
 * proxy's own retries ran out or it moved on at once (timeouts); false for refusals of the
 * request and for key, quota and configuration errors.
 */
export function transientKind(classification: Classification): boolean {
  return classification.reason === 'transient' || classification.reason === 'timeout';
}

/** A terminal vendor refusal, returned to the caller as a 400 (or the vendor's 422). */
export function terminalError(target: ResolvedTarget, failure: UpstreamFailure, c: Classification, attempts: AttemptSummary[]): ProxyError {
  const status = failure.kind === 'http' && (failure.status === 400 || failure.status === 422) ? failure.status : 400;
  const detail = 'message' in failure && failure.message ? `: ${failure.message}` : '';
  const code = c.reason === 'content_policy' ? 'content_policy_violation' : (failure.kind === 'http' && failure.code) || 'invalid_request';
  return new ProxyError(status, code, `Provider "${target.provider.id}" rejected the request${detail}`, { attempts });
}

/**
 * The most useful error once nothing is left: context length over the generic 503, and a 400 when
 * no target could serve the request as asked.
 */
export function finalError(
  attempts: AttemptSummary[],
  failures: readonly Failed[],
  unsupported: readonly string[],
  why: 'deadline' | 'exhausted',
): ProxyError {
  if (unsupported.length > 0 && attempts.every(isSkip)) {
    return new ProxyError(400, 'unsupported_request', `No target can serve this request: ${unsupported.join('; ')}.`, {
      attempts,
    });
  }
  const context = failures.find((f) => f.classification.reason === 'context_length');
  if (context !== undefined) {
    const detail = 'message' in context.failure && context.failure.message ? `: ${context.failure.message}` : '';
    return new ProxyError(400, 'context_length_exceeded', `The request is too long for every target${detail}`, { attempts });
  }
  const waits = failures.flatMap((f) =>
    f.failure.kind === 'http' && f.failure.retryAfterMs !== undefined ? [f.failure.retryAfterMs] : [],
  );
  const retryAfter = waits.length > 0 ? Math.max(1, Math.ceil(Math.max(...waits) / 1000)) : 5;
  const message =
    why === 'deadline'
      ? 'The request deadline passed before any provider answered.'
      : attempts.every((a) => a.status === null && a.error === 'missing_key')
        ? 'No provider could be called: every target is missing its API key.'
        : attempts.every((a) => a.status === null && (a.error === 'missing_key' || a.error === 'breaker_open'))
          ? 'No provider could be called: every circuit breaker is open.'
          : 'Every provider failed to answer.';
  return new ProxyError(503, 'all_targets_failed', message, {
    type: 'api_error',
    attempts,
    headers: { 'retry-after': String(retryAfter), 'x-should-retry': 'false' },
  });
}
