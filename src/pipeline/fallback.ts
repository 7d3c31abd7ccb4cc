// Pure fallback policy: classify an upstream failure once, choose the next move, compute delays.
import type { RetryOptions } from '../config/schema.ts';

/** Why an attempt timed out. Timeouts move on to the next target; they are never retried. */
export type TimeoutPhase = 'connect' | 'first_token' | 'idle' | 'attempt' | 'deadline';

/** Everything that can go wrong with one upstream attempt, as data. */
export type UpstreamFailure =
  | {
      kind: 'http';
      status: number;
      /** Upstream error.code / error.type, lower-cased; empty when absent. */
      code: string;
      type: string;
      /** Upstream message, already scrubbed and truncated. */
      message: string;
      retryAfterMs: number | undefined;
    }
  | { kind: 'network'; message: string }
  | { kind: 'timeout'; phase: TimeoutPhase }
  | { kind: 'bad_response'; message: string }
  /** An error event inside a stream before the commit point. */
  | { kind: 'stream_error'; code: string; type: string; message: string };

/**
 * The four verdicts of SPEC section 4. `terminal` goes back to the caller; `skip-target` is a
 * provider configuration/quota error; `retry-same` is transient; `next-target` moves on at once.
 */
export type Verdict = 'terminal' | 'skip-target' | 'retry-same' | 'next-target';

export type FailureReason =
  | 'invalid_request'
  | 'content_policy'
  | 'context_length'
  | 'provider_config'
  | 'quota'
  | 'transient'
  | 'timeout'
  | 'bad_response';

export interface Classification {
  verdict: Verdict;
  reason: FailureReason;
  /** Whether this outcome counts against the provider's circuit breaker. */
  breakerFailure: boolean;
}

const TRANSIENT_STATUS = new Set([408, 409, 429, 500, 502, 503, 504, 524, 529]);
const CONTENT_POLICY = /content_policy|content_filter|content_management|data_inspection_failed/;
const CONTEXT_LENGTH = /context_length_exceeded|prompt is too long|maximum context length|context window/;
const QUOTA = /insufficient_quota|quota|credit|billing|balance/;
// Vendors that refuse a bad key with a 400 rather than a 401 (xAI, Gemini).
const KEY_REFUSED = /incorrect api key|invalid api key|invalid_api_key|api_key_invalid|api key not valid/;
// A code or type naming a rate limit: temporary, whatever the message says about billing.
const RATE_LIMITED = /rate_limit/;

/** Classifies one failure. The only place that decides what a vendor error means. */
export function classify(failure: UpstreamFailure): Classification {
  switch (failure.kind) {
    case 'timeout':
      return { verdict: 'next-target', reason: 'timeout', breakerFailure: true };
    case 'network':
      return { verdict: 'retry-same', reason: 'transient', breakerFailure: true };
    case 'bad_response':
      return { verdict: 'next-target', reason: 'bad_response', breakerFailure: true };
    case 'stream_error':
    case 'http':
      return classifyError(failure);
  }
}

function classifyError(failure: Extract<UpstreamFailure, { kind: 'http' | 'stream_error' }>): Classification {
  const status = failure.kind === 'http' ? failure.status : 500;
  const text = `${failure.code} ${failure.type} ${failure.message}`.toLowerCase();
  if (CONTENT_POLICY.test(text)) return { verdict: 'terminal', reason: 'content_policy', breakerFailure: false };
  if (CONTEXT_LENGTH.test(text)) return { verdict: 'next-target', reason: 'context_length', breakerFailure: false };
  // Auth/config statuses first: vendors often label a bad key or unknown model invalid_request_error.
  if (status === 401 || status === 403 || status === 404) {
    return { verdict: 'skip-target', reason: 'provider_config', breakerFailure: true };
  }
  if (status === 400 && KEY_REFUSED.test(text)) {
    return { verdict: 'skip-target', reason: 'provider_config', breakerFailure: true };
  }
  const rateLimited = RATE_LIMITED.test(`${failure.code} ${failure.type}`);
  if (status === 402 || (status === 429 && !rateLimited && QUOTA.test(text))) {
    return { verdict: 'skip-target', reason: 'quota', breakerFailure: true };
  }
  if (status === 400 || status === 422 || /invalid_request/.test(text)) {
    return { verdict: 'terminal', reason: 'invalid_request', breakerFailure: false };
  }
  if (TRANSIENT_STATUS.has(status) || status >= 500) {
    return { verdict: 'retry-same', reason: 'transient', breakerFailure: true };
  }
  // Any other 4xx is about this request at this vendor; another vendor may accept it.
  return { verdict: 'next-target', reason: 'provider_config', breakerFailure: false };
}

/** What the pipeline does after a failed attempt. */
export type Move = { action: 'terminal' } | { action: 'retry'; delayMs: number } | { action: 'next' };

export interface MoveInput {
  classification: Classification;
  failure: UpstreamFailure;
  /** Retries already made on this target (0 after the first attempt). */
  retriesDone: number;
  options: RetryOptions;
  /** Milliseconds left before the request deadline. */
  remainingMs: number;
  /** A uniform random number in [0, 1), injected for tests. */
  random: number;
}

/**
 * Chooses the next move. Retry-After replaces the backoff; a wait longer than `maxRetryWaitMs`,
 * or one that would pass the deadline, moves on to the next target instead of waiting.
 */
export function nextMove(input: MoveInput): Move {
  const { classification, failure, retriesDone, options, remainingMs, random } = input;
  if (classification.verdict === 'terminal') return { action: 'terminal' };
  if (classification.verdict !== 'retry-same' || retriesDone >= options.maxRetries) return { action: 'next' };
  const retryAfter = failure.kind === 'http' ? failure.retryAfterMs : undefined;
  const delayMs = retryAfter ?? backoffDelay(retriesDone, options, random);
  if (retryAfter !== undefined && retryAfter > options.maxRetryWaitMs) return { action: 'next' };
  if (delayMs >= remainingMs) return { action: 'next' };
  return { action: 'retry', delayMs };
}

/** Exponential backoff with full jitter: uniform in [0, min(maxDelay, base * 2^retry)). */
export function backoffDelay(retry: number, options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>, random: number): number {
  const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
  return Math.floor(random * cap);
}

/**
 * Reads `retry-after-ms`, then `Retry-After` as seconds or an HTTP-date, into milliseconds from
 * `now`. Returns undefined when absent or unreadable; a date in the past gives 0.
 */
export function parseRetryAfter(headers: Headers, now: number): number | undefined {
  const msValue = headers.get('retry-after-ms');
  if (msValue !== null && /^\s*\d+(\.\d+)?\s*$/.test(msValue)) return Math.ceil(Number(msValue));
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
