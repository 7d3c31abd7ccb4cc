// Tests the mock provider's pure parts: the scenario grammar, reply text and the OpenAI error table.

import { describe, expect, it } from 'vitest';
import { replyText, splitPieces } from './chat-reply.ts';
import { errorBody } from './openai-wire.ts';
import { faultsApply, parseScenario, splitMockPath, withoutFaults } from './scenario.ts';

describe('parseScenario', () => {
  it.each([
    ['', { raw: '', id: '' }],
    ['status=429,retry-after=2,times=1', { status: 429, retryAfter: 2, times: 1 }],
    ['status=503,after=1', { status: 503, after: 1 }],
    ['after=2,times=1,status=500', { after: 2, times: 1, status: 500 }],
    ['status=500,type=invalid_request_error', { status: 500, type: 'invalid_request_error' }],
    ['status=429,code=insufficient_quota', { code: 'insufficient_quota' }],
    ['id=a,status=503', { id: 'a', raw: 'id=a,status=503' }],
    ['reply=Hi%2C%20there,repeat=3', { reply: 'Hi, there', repeat: 3 }],
    ['first-token-delay=50,token-delay=5,delay=10', { firstTokenDelay: 50, tokenDelay: 5, delay: 10 }],
    ['cut-after=2,malformed-at=1', { cutAfter: 2, malformedAt: 1 }],
    ['stall-after=3,error-event-after=4', { stallAfter: 3, errorEventAfter: 4 }],
    ['retry-after-ms=150,retry-after-date=5', { retryAfterMs: 150, retryAfterDate: 5 }],
    ['no-done,reset,hang,bad-json', { noDone: true, reset: true, hang: true, badJson: true }],
    ['key=sk-expected', { key: 'sk-expected' }],
    ['key=sk-1+sk-2,limit-key=sk-1', { key: 'sk-1+sk-2', limitKey: 'sk-1' }],
    ['citations,redacted-thinking', { citations: true, redactedThinking: true, noDone: false }],
    ['', { citations: false, redactedThinking: false }],
    ['provider-a/status=502', undefined],
    ['status=502/times=2', { status: 502, times: 2, raw: 'status=502,times=2' }],
  ])('parses %j', (input, expected) => {
    const result = parseScenario(input);
    if (expected === undefined) {
      expect(result.ok).toBe(false);
      return;
    }
    expect(result).toMatchObject({ ok: true, scenario: expected });
  });

  it.each([
    ['statu=500', 'unknown'],
    ['status=abc', 'integer'],
    ['status=200', '400-599'],
    ['times', 'unknown flag'],
    ['hang=1', 'no value'],
    ['delay=-5', 'integer'],
    ['after=one', 'integer'],
    ['after', 'unknown flag'],
  ])('rejects %j', (input, reason) => {
    const result = parseScenario(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(reason);
  });

  it.each([
    ['/v1/chat/completions', '', '/v1/chat/completions'],
    ['/status=429,times=1/v1/chat/completions', 'status=429,times=1', '/v1/chat/completions'],
    ['/a/b/v1/models', 'a/b', '/v1/models'],
    ['/healthz', '', '/healthz'],
  ])('splits %s', (path, scenario, apiPath) => {
    expect(splitMockPath(path)).toEqual({ scenario, apiPath });
  });
});

describe('withoutFaults', () => {
  it('keeps the content flags and drops the faults', () => {
    const parsed = parseScenario('status=500,reset,citations,redacted-thinking,reply=Hi,key=k,limit-key=k');
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(withoutFaults(parsed.scenario)).toMatchObject({
      citations: true,
      redactedThinking: true,
      reply: 'Hi',
      key: 'k',
      limitKey: 'k',
      reset: false,
    });
    expect(withoutFaults(parsed.scenario).status).toBeUndefined();
  });
});

describe('faultsApply', () => {
  const faulted = (encoded: string) => {
    const result = parseScenario(encoded);
    if (!result.ok) throw new Error(result.reason);
    return [1, 2, 3, 4, 5].filter((count) => faultsApply(result.scenario, count));
  };

  it.each([
    ['status=500', [1, 2, 3, 4, 5]],
    ['status=500,times=2', [1, 2]],
    ['status=500,after=1', [2, 3, 4, 5]],
    ['status=500,after=3', [4, 5]],
    ['status=500,after=0', [1, 2, 3, 4, 5]],
    ['status=500,after=1,times=2', [2, 3]],
    ['status=500,times=0', []],
  ])('faults %j on calls %j of 1..5', (encoded, calls) => {
    expect(faulted(encoded)).toEqual(calls);
  });
});

describe('errorBody', () => {
  it.each([
    [401, {}, 'authentication_error', 'invalid_api_key'],
    [404, {}, 'invalid_request_error', 'model_not_found'],
    [429, {}, 'requests', 'rate_limit_exceeded'],
    [429, { code: 'insufficient_quota' }, 'insufficient_quota', 'insufficient_quota'],
    [400, { code: 'context_length_exceeded' }, 'invalid_request_error', 'context_length_exceeded'],
    [500, { type: 'invalid_request_error' }, 'invalid_request_error', null],
    [529, {}, 'overloaded_error', 'overloaded'],
  ])('builds status %i %j as type %s code %s', (status, overrides, type, code) => {
    expect(errorBody(status, overrides, 'gpt-4o-mini').error).toMatchObject({ type, code });
  });
});

describe('replyText', () => {
  const ask = (messages: Array<{ role: string; content: unknown }>) => ({ model: 'm', messages, stream: false, includeUsage: false });

  it('splits a reply into word pieces that keep their spaces', () => {
    expect(splitPieces(' Hello  from the\nmock. ')).toEqual([' Hello', '  from', ' the', '\nmock.', ' ']);
  });

  it('repeats the reply joined by spaces', () => {
    expect(replyText(ask([{ role: 'user', content: 'x' }]), 'Hi.', 3)).toBe('Hi. Hi. Hi.');
  });

  it('continues after an assistant prefix of the reply, as a stream rescue asks', () => {
    const messages = [
      { role: 'user', content: 'x' },
      { role: 'assistant', content: 'Hello from' },
    ];
    expect(replyText(ask(messages))).toBe(' the mock provider.');
  });
});
