import { describe, expect, it } from 'vitest';
import { retrySchema } from '../../src/config/schema.ts';
import { backoffDelay, classify, nextMove, parseRetryAfter, type UpstreamFailure } from '../../src/pipeline/fallback.ts';

const http = (status: number, code = '', type = '', message = '', retryAfterMs?: number): UpstreamFailure => ({
  kind: 'http',
  status,
  code,
  type,
  message,
  retryAfterMs,
});
const options = retrySchema.parse({});

describe('classify', () => {
  it.each([
    ['400 bad request', http(400, '', 'invalid_request_error', 'bad'), 'terminal', 'invalid_request'],
    ['422 unprocessable', http(422), 'terminal', 'invalid_request'],
    ['500 whose body says invalid_request', http(500, '', 'invalid_request_error', 'x'), 'terminal', 'invalid_request'],
    ['content_policy_violation', http(400, 'content_policy_violation'), 'terminal', 'content_policy'],
    [
      'content_filter in a 200 stream error',
      { kind: 'stream_error', code: 'content_filter', type: '', message: '' },
      'terminal',
      'content_policy',
    ],
    ['context_length_exceeded', http(400, 'context_length_exceeded', 'invalid_request_error'), 'next-target', 'context_length'],
    [
      "Anthropic's prompt is too long",
      http(400, '', 'invalid_request_error', 'prompt is too long: 210000 tokens > 200000 maximum'),
      'next-target',
      'context_length',
    ],
    ['401 bad key', http(401, 'invalid_api_key', 'invalid_request_error'), 'skip-target', 'provider_config'],
    ['402 payment required', http(402), 'skip-target', 'quota'],
    ['403 forbidden', http(403), 'skip-target', 'provider_config'],
    ['404 model not found', http(404, 'model_not_found', 'invalid_request_error'), 'skip-target', 'provider_config'],
    ['429 insufficient_quota', http(429, 'insufficient_quota', 'insufficient_quota'), 'skip-target', 'quota'],
    ['429 rate limited', http(429, 'rate_limit_exceeded'), 'retry-same', 'transient'],
    [
      'a 429 rate limit whose message points at billing (Groq)',
      http(
        429,
        'rate_limit_exceeded',
        'tokens',
        'Rate limit reached. Need more tokens? Upgrade at https://console.groq.com/settings/billing',
      ),
      'retry-same',
      'transient',
    ],
    [
      "xAI's 400 for a bad key",
      http(400, '', '', 'Incorrect API key provided: xa***. You can obtain an API key from https://console.x.ai.'),
      'skip-target',
      'provider_config',
    ],
    [
      "Gemini's 400 API_KEY_INVALID",
      http(400, 'invalid_argument', 'invalid_argument', 'API key not valid. Please pass a valid API key.'),
      'skip-target',
      'provider_config',
    ],
    ...[408, 409, 500, 502, 503, 504, 524, 529].map((s) => [`${s}`, http(s), 'retry-same', 'transient'] as const),
    ['connection reset', { kind: 'network', message: 'Network connection lost.' }, 'retry-same', 'transient'],
    ['connect timeout', { kind: 'timeout', phase: 'connect' }, 'next-target', 'timeout'],
    ['first token timeout', { kind: 'timeout', phase: 'first_token' }, 'next-target', 'timeout'],
    ['attempt timeout', { kind: 'timeout', phase: 'attempt' }, 'next-target', 'timeout'],
    ['a 200 that is not a completion', { kind: 'bad_response', message: 'x' }, 'next-target', 'bad_response'],
    ['an unknown 418', http(418), 'next-target', 'provider_config'],
  ] as [string, UpstreamFailure, string, string][])('classifies %s', (_name, failure, verdict, reason) => {
    const c = classify(failure);
    expect(c.verdict).toBe(verdict);
    expect(c.reason).toBe(reason);
  });

  it('never counts client errors against the breaker', () => {
    expect(classify(http(400)).breakerFailure).toBe(false);
    expect(classify(http(400, 'context_length_exceeded')).breakerFailure).toBe(false);
    expect(classify(http(503)).breakerFailure).toBe(true);
    expect(classify(http(401)).breakerFailure).toBe(true);
  });
});

describe('nextMove', () => {
  const move = (failure: UpstreamFailure, retriesDone = 0, remainingMs = 100_000, random = 0.5) =>
    nextMove({ classification: classify(failure), failure, retriesDone, options, remainingMs, random });

  it('returns terminal errors to the caller', () => {
    expect(move(http(400))).toEqual({ action: 'terminal' });
  });
  it('retries a transient error with full-jitter backoff', () => {
    expect(move(http(503), 0, 100_000, 0.5)).toEqual({ action: 'retry', delayMs: 125 });
    expect(move(http(503), 1, 100_000, 0.5)).toEqual({ action: 'retry', delayMs: 250 });
  });
  it('moves on once maxRetries retries were made', () => {
    expect(move(http(503), 2)).toEqual({ action: 'next' });
  });
  it('uses Retry-After instead of the backoff', () => {
    expect(move(http(429, '', '', '', 1500))).toEqual({ action: 'retry', delayMs: 1500 });
  });
  it('moves on at once when Retry-After is longer than maxRetryWaitMs', () => {
    expect(move(http(429, '', '', '', 2001))).toEqual({ action: 'next' });
  });
  it('never waits past the deadline', () => {
    expect(move(http(503), 0, 100, 0.99)).toEqual({ action: 'next' });
  });
  it('moves on after a timeout without retrying', () => {
    expect(move({ kind: 'timeout', phase: 'first_token' })).toEqual({ action: 'next' });
  });
  it('skips a target with a provider-side auth error without retrying', () => {
    expect(move(http(401))).toEqual({ action: 'next' });
  });
});

describe('backoffDelay', () => {
  it.each([
    [0, 0, 0],
    [0, 0.999, 249],
    [3, 0.5, 1000],
    [10, 0.999, 3996],
  ])('retry %i with random %f waits %i ms', (retry, random, expected) => {
    expect(backoffDelay(retry, options, random)).toBe(expected);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-23T12:00:00Z');
  it.each([
    [{ 'retry-after': '3' }, 3000],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'retry-after-ms': '1234' }, 1234],
    [{ 'retry-after-ms': '250', 'retry-after': '9' }, 250],
    [{ 'retry-after': 'Mon, 23 Nov 2026 12:00:07 GMT' }, 7000],
    [{ 'retry-after': 'Mon, 23 Nov 2026 11:00:00 GMT' }, 0],
    [{ 'retry-after': 'soon' }, undefined],
    [{}, undefined],
  ])('reads %o as %s ms', (headers, expected) => {
    expect(parseRetryAfter(new Headers(headers), now)).toBe(expected);
  });
});
