// The cause named on each failed attempt (`error`) and whether it is of a transient kind (`retryable`).
import { describe, expect, it } from 'vitest';
import { classify, type UpstreamFailure } from '../../src/pipeline/fallback.ts';
import { describe as describeFailure, transientKind } from '../../src/pipeline/final-error.ts';
import { edgeCause, thrownCause } from '../../src/upstream/network-cause.ts';

const http = (status: number, code = '', type = '', message = ''): UpstreamFailure => ({
  kind: 'http',
  status,
  code,
  type,
  message,
  retryAfterMs: undefined,
});

describe('thrownCause', () => {
  it.each([
    // What workerd throws (measured with wrangler 4.164 / workerd 2026-11): the cause is not in the message.
    ['Network connection lost.', 'connection_lost'],
    ['internal error; reference = ns8e824n6hllunnuu1cl77h2', 'runtime_error:ns8e824n6hllunnuu1cl77h2'],
    // What other runtimes and socket layers say.
    ['getaddrinfo ENOTFOUND api.example.com', 'dns_failure'],
    ['DNS lookup failed.', 'dns_failure'],
    ['failed to lookup address information: Name or service not known', 'dns_failure'],
    ['connect ECONNREFUSED 127.0.0.1:9', 'connection_refused'],
    ['disconnected: connect(): Connection refused', 'connection_refused'],
    ['read ECONNRESET', 'connection_reset'],
    ['Connection reset by peer', 'connection_reset'],
    ['TLS handshake failed: received corrupt message of type InvalidContentType', 'tls_error'],
    ["TLS peer's certificate is not trusted; reason = Hostname mismatch", 'tls_error'],
    ['connect ETIMEDOUT 10.0.0.1:443', 'connect_timeout'],
    ['stream ended before the first token', 'closed_before_first_token'],
    ['socket hang up', 'connection_lost'],
    ['something else entirely', 'other'],
  ])('names %j as %s', (message, cause) => {
    expect(thrownCause(message)).toBe(cause);
  });
});

describe('edgeCause', () => {
  it.each([
    [520, '', 'origin_empty_or_unknown_response'],
    [521, '', 'connection_refused'],
    [522, '', 'connect_timeout'],
    [523, '', 'origin_unreachable'],
    [524, '', 'origin_timeout'],
    [525, '', 'tls_handshake_failed'],
    [526, '', 'tls_certificate_invalid'],
    [530, 'error code: 1016', 'dns_failure'],
    [530, 'error code: 1033', undefined],
    [503, '', undefined],
    [500, 'error code: 1016', undefined],
  ])('reads Cloudflare status %i (%j) as %s', (status, text, cause) => {
    expect(edgeCause(status, text)).toBe(cause);
  });
});

describe('describe (the attempt error)', () => {
  it.each<[string, UpstreamFailure, string]>([
    ['a plain 503', http(503), 'http:503'],
    ["the vendor's error code", http(429, 'insufficient_quota', 'insufficient_quota'), 'http:429:insufficient_quota'],
    ["the vendor's error type when it sends no code", http(529, '', 'overloaded_error'), 'http:529:overloaded_error'],
    ['a refused connection at the edge', http(521), 'http:521:connection_refused'],
    ['a DNS failure at the edge', http(530, '', '', 'error code: 1016'), 'http:530:dns_failure'],
    ['a code that is not an identifier, cleaned', http(400, 'Bad Key!<x>'), 'http:400:badkeyx'],
    ['a lost connection', { kind: 'network', message: 'Network connection lost.' }, 'network:connection_lost'],
    ['a refused connection', { kind: 'network', message: 'connect ECONNREFUSED 127.0.0.1:1' }, 'network:connection_refused'],
    ['the first-token timeout', { kind: 'timeout', phase: 'first_token' }, 'timeout:first_token'],
    ['the connect timeout', { kind: 'timeout', phase: 'connect' }, 'timeout:connect'],
    [
      'an error event before the first token',
      { kind: 'stream_error', code: '', type: 'overloaded_error', message: 'busy' },
      'stream_error:overloaded_error',
    ],
    [
      'an answer that is not an event stream',
      { kind: 'bad_response', message: 'answer is not an event stream' },
      'bad_response:answer_is_not_an_event_stream',
    ],
  ])('names %s', (_name, failure, error) => {
    expect(describeFailure(failure)).toBe(error);
  });

  it('never quotes the vendor message', () => {
    expect(describeFailure(http(500, '', '', 'secret sk-abcdef0123456789 leaked'))).toBe('http:500');
  });
});

describe('transientKind (the attempt retryable flag)', () => {
  it.each<[string, UpstreamFailure, boolean]>([
    ['a 503, even when the retries ran out', http(503), true],
    ['a 429 rate limit', http(429, 'rate_limit_exceeded'), true],
    ['a 529 overload', http(529), true],
    ['a lost connection', { kind: 'network', message: 'Network connection lost.' }, true],
    ['a timeout (moved on, never retried on the same target)', { kind: 'timeout', phase: 'first_token' }, true],
    ['a refused key', http(401, 'invalid_api_key'), false],
    ['an out-of-quota 429', http(429, 'insufficient_quota'), false],
    ['an invalid request', http(400, '', 'invalid_request_error'), false],
    ['a content-policy refusal', http(400, 'content_policy_violation'), false],
    ['a model not found', http(404, 'model_not_found'), false],
    ['an answer that is not a model answer', { kind: 'bad_response', message: 'x' }, false],
  ])('says %s: %s', (_name, failure, retryable) => {
    expect(transientKind(classify(failure))).toBe(retryable);
  });
});
