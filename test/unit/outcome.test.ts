// breakerEvent: what one attempt's outcome tells its provider's circuit breaker, as a table.
import { describe, expect, it } from 'vitest';
import type { UpstreamFailure } from '../../src/pipeline/fallback.ts';
import { describe as causeOf } from '../../src/pipeline/final-error.ts';
import { breakerEvent, type Outcome } from '../../src/pipeline/outcome.ts';

const http = (status: number, code = '', message = '', retryAfterMs?: number): UpstreamFailure => ({
  kind: 'http',
  status,
  code,
  type: '',
  message,
  retryAfterMs,
});
const failed = (failure: UpstreamFailure): Outcome => ({ kind: 'failed', failure, ms: 40 });

describe('breakerEvent', () => {
  it('counts an answer as a success with its latency', () => {
    expect(breakerEvent({ kind: 'answered', ms: 120 })).toMatchObject({ type: 'success', ms: 120 });
  });

  it('says nothing about the provider when the caller went away (it frees a half-open probe)', () => {
    expect(breakerEvent({ kind: 'gone' })).toEqual({ type: 'neutral' });
  });

  it('always counts a stream broken after its commit point, named for its in-band error', () => {
    expect(breakerEvent({ kind: 'broke', code: 'idle_timeout', ms: 900 })).toMatchObject({
      type: 'failure',
      ms: 900,
      kind: 'stream:idle_timeout',
    });
  });

  it.each<[string, UpstreamFailure]>([
    ['a 503 (transient)', http(503)],
    ['a 500 with a vendor code', http(500, 'server_error')],
    ['a 529 overload', http(529, 'overloaded_error')],
    ['a network error', { kind: 'network', message: 'connection reset' }],
    ['a first-token timeout', { kind: 'timeout', phase: 'first_token' }],
    ['a bad response', { kind: 'bad_response', message: 'not JSON' }],
    ['an error event before the commit point', { kind: 'stream_error', code: 'overloaded_error', type: '', message: '' }],
    ['a 401 (provider config: a bad key)', http(401)],
    ['a 403 (provider config)', http(403)],
    ['a 404 (provider config: an unknown model)', http(404)],
    ['a 400 naming a refused key (provider config)', http(400, '', 'Incorrect API key provided')],
    ['a 402 (out of credit)', http(402)],
    ['a 429 out of quota', http(429, 'insufficient_quota', 'You exceeded your current quota')],
  ])('counts %s against the provider, described for the status page', (_name, failure) => {
    const event = breakerEvent(failed(failure));
    expect(event).toMatchObject({ type: 'failure', ms: 40, kind: causeOf(failure) });
    expect(event).not.toHaveProperty('retryAfterMs');
  });

  it('carries a 429’s Retry-After, so a long one keeps the breaker open that long', () => {
    const failure = http(429, 'rate_limit_exceeded', 'slow down', 30_000);
    expect(breakerEvent(failed(failure))).toMatchObject({ type: 'failure', kind: causeOf(failure), retryAfterMs: 30_000 });
  });

  it.each<[string, UpstreamFailure]>([
    ['a 400 (the client’s own request)', http(400, 'invalid_request_error')],
    ['a 422', http(422)],
    ['a content-policy refusal', http(400, 'content_filter')],
    ['a content-policy error event', { kind: 'stream_error', code: 'content_filter', type: '', message: '' }],
    ['a prompt too long', http(400, '', 'prompt is too long: 300000 tokens')],
    ['a 413 (another 4xx about this request at this vendor)', http(413)],
  ])('is neutral for %s: a client error says nothing about the provider', (_name, failure) => {
    expect(breakerEvent(failed(failure))).toEqual({ type: 'neutral' });
  });
});
