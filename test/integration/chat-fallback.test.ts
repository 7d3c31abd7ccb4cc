import { describe, expect, it } from 'vitest';
import { configFor, hello, KEYS, proxyWith } from './harness.ts';

const REPLY = 'Hello from the mock provider.';

describe('POST /v1/chat/completions, non-streaming', () => {
  it('answers from the first healthy target and says who answered', async () => {
    const proxy = proxyWith(configFor([{ scenario: '' }]));
    const res = await proxy.chat(hello(), { headers: { 'x-request-id': 'req-abc-123' } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { model: string; choices: { message: { content: string } }[]; usage: object };
    expect(body.choices[0]?.message.content).toBe(REPLY);
    expect(body.model).toBe('model-p1');
    expect(body.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
    expect(res.headers.get('x-proxy-source')).toBe('provider');
    expect(res.headers.get('x-proxy-provider')).toBe('p1');
    expect(res.headers.get('x-proxy-model')).toBe('model-p1');
    expect(res.headers.get('x-proxy-attempts')).toBe('1');
    expect(res.headers.get('x-proxy-cache')).toBe('BYPASS');
    expect(res.headers.get('x-request-id')).toBe('req-abc-123');
    expect(res.headers.get('server-timing')).toMatch(/upstream;dur=/);
    expect(res.headers.get('server-timing')).toMatch(/total;dur=/);
    const [call] = proxy.mock.calls();
    expect(call?.authorization).toBe(`Bearer ${KEYS.MOCK_A_KEY}`);
    expect(call?.requestId).toBe('req-abc-123');
    expect(call?.model).toBe('model-p1');
  });

  it('generates a request id when the caller sends none', async () => {
    const proxy = proxyWith(configFor([{ scenario: '' }]));
    const res = await proxy.chat(hello());
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(proxy.mock.calls()[0]?.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('retries the same target on 503 and succeeds there', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'status=503,times=1' }, { scenario: '' }]));
    const res = await proxy.chat(hello());
    expect(res.status).toBe(200);
    expect(res.headers.get('x-proxy-provider')).toBe('p1');
    expect(res.headers.get('x-proxy-attempts')).toBe('2');
  });

  it('falls back to the next target on 503 once retries are spent', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'status=503' }, { scenario: '', key: 'MOCK_B_KEY' }]));
    const res = await proxy.chat(hello());
    expect(res.status).toBe(200);
    expect(res.headers.get('x-proxy-provider')).toBe('p2');
    expect(res.headers.get('x-proxy-model')).toBe('model-p2');
    expect(res.headers.get('x-proxy-attempts')).toBe('3');
    const calls = proxy.mock.calls();
    expect(calls.map((c) => c.model)).toEqual(['model-p1', 'model-p1', 'model-p2']);
    expect(calls[2]?.authorization).toBe(`Bearer ${KEYS.MOCK_B_KEY}`);
  });

  it('retries a connection reset on the same target', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'reset,times=1' }]));
    const res = await proxy.chat(hello());
    expect(res.status).toBe(200);
    expect(res.headers.get('x-proxy-attempts')).toBe('2');
  });

  it('waits a Retry-After given in milliseconds instead of the backoff', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'status=429,retry-after-ms=300,times=1' }]));
    const started = Date.now();
    const res = await proxy.chat(hello());
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(proxy.mock.calls()).toHaveLength(2);
  });

  it.each([
    ['seconds', 'retry-after=5'],
    ['an HTTP-date', 'retry-after-date=30'],
  ])('moves on at once when Retry-After in %s is longer than maxRetryWaitMs', async (_name, scenario) => {
    const proxy = proxyWith(configFor([{ scenario: `status=429,${scenario}` }, { scenario: '' }]));
    const res = await proxy.chat(hello());
    expect(res.status).toBe(200);
    expect(res.headers.get('x-proxy-provider')).toBe('p2');
    expect(proxy.mock.calls().map((c) => c.model)).toEqual(['model-p1', 'model-p2']);
  });

  it('returns a 400 from the vendor to the caller without falling back', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'status=400,message=temperature is invalid' }, { scenario: '' }]));
    const res = await proxy.chat(hello());
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string; type: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain('temperature is invalid');
    expect(proxy.mock.calls()).toHaveLength(1);
  });

  it('does not fall over a content-policy rejection', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'status=400,code=content_policy_violation' }, { scenario: '' }]));
    const res = await proxy.chat(hello());
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('content_policy_violation');
    expect(proxy.mock.calls()).toHaveLength(1);
  });

  it('skips a target whose key the vendor refuses, without retrying it', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'status=401' }, { scenario: '' }]));
    const res = await proxy.chat(hello());
    expect(res.status).toBe(200);
    expect(proxy.mock.calls().map((c) => c.model)).toEqual(['model-p1', 'model-p2']);
  });

  it('skips a target that is out of quota', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'status=429,code=insufficient_quota' }, { scenario: '' }]));
    const res = await proxy.chat(hello());
    expect(res.headers.get('x-proxy-provider')).toBe('p2');
    expect(proxy.mock.calls()).toHaveLength(2);
  });

  it('tries the next target on context length exceeded, and returns the original error when none is left', async () => {
    const scenario = 'status=400,code=context_length_exceeded';
    const proxy = proxyWith(configFor([{ scenario }, { scenario }]));
    const res = await proxy.chat(hello());
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('context_length_exceeded');
    expect(proxy.mock.calls()).toHaveLength(2);
  });

  it('skips a target whose key is missing and never calls it without auth', async () => {
    const proxy = proxyWith(configFor([{ scenario: '', key: 'MOCK_B_KEY' }, { scenario: '' }]), { MOCK_A_KEY: KEYS.MOCK_A_KEY });
    const res = await proxy.chat(hello());
    expect(res.status).toBe(200);
    expect(res.headers.get('x-proxy-provider')).toBe('p2');
    expect(res.headers.get('x-proxy-attempts')).toBe('1');
    expect(proxy.mock.calls().every((c) => c.authorization === `Bearer ${KEYS.MOCK_A_KEY}`)).toBe(true);
  });

  it('calls a keyless provider without an Authorization header', async () => {
    const proxy = proxyWith(configFor([{ scenario: '', key: null }]));
    expect((await proxy.chat(hello())).status).toBe(200);
    expect(proxy.mock.calls()[0]?.authorization).toBeNull();
  });

  it('moves on when a target never answers, at the attempt timeout', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'hang', extra: { retry: { attemptTimeoutMs: 200 } } }, { scenario: '' }]));
    const res = await proxy.chat(hello());
    expect(res.status).toBe(200);
    expect(res.headers.get('x-proxy-provider')).toBe('p2');
    expect(proxy.mock.calls()).toHaveLength(2);
  });

  it('treats a 200 that is not a completion as a failure of that target', async () => {
    const proxy = proxyWith(configFor([{ scenario: 'bad-json' }, { scenario: '' }]));
    const res = await proxy.chat(hello());
    expect(res.headers.get('x-proxy-provider')).toBe('p2');
  });

  it('answers 503 listing every attempt when all targets fail', async () => {
    const proxy = proxyWith(
      configFor([{ scenario: 'status=503,retry-after=1' }, { scenario: 'status=502' }], { degraded: { enabled: false } }),
    );
    const res = await proxy.chat(hello());
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.headers.get('x-should-retry')).toBe('false');
    expect(res.headers.get('x-proxy-attempts')).toBe('4');
    const body = (await res.json()) as { error: { code: string; attempts: { provider: string; status: number }[] } };
    expect(body.error.code).toBe('all_targets_failed');
    expect(body.error.attempts.map((a) => [a.provider, a.status])).toEqual([
      ['p1', 503],
      ['p1', 503],
      ['p2', 502],
      ['p2', 502],
    ]);
    const text = JSON.stringify(body);
    for (const key of Object.values(KEYS)) expect(text).not.toContain(key);
  });

  it('stops at the request deadline', async () => {
    const proxy = proxyWith(
      configFor([{ scenario: 'hang' }, { scenario: 'hang' }], {
        retry: { deadlineMs: 300, attemptTimeoutMs: 10_000 },
        degraded: { enabled: false },
      }),
    );
    const res = await proxy.chat(hello());
    expect(res.status).toBe(503);
    expect(proxy.mock.calls()).toHaveLength(1);
  });

  it('passes tool calls through', async () => {
    const proxy = proxyWith(configFor([{ scenario: '' }]));
    const tools = [
      { type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { query: { type: 'string' } } } } },
    ];
    const res = await proxy.chat(hello({ tools }));
    const body = (await res.json()) as { choices: { finish_reason: string; message: { tool_calls: { function: { name: string } }[] } }[] };
    expect(body.choices[0]?.finish_reason).toBe('tool_calls');
    expect(body.choices[0]?.message.tool_calls[0]?.function.name).toBe('lookup');
    expect(proxy.mock.calls()[0]?.body).toMatchObject({ tools });
  });
});
