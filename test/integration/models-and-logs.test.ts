import { afterEach, describe, expect, it, vi } from 'vitest';
import { configFor, hello, KEYS, proxyWith, sseData } from './harness.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('GET /v1/models', () => {
  it('lists every alias in the OpenAI list shape with its targets and pricing', async () => {
    const config = configFor([{ scenario: '', extra: { pricing: { input: 0.27, output: 1.1 } } }, { scenario: '' }]);
    const res = await proxyWith(config).request('/v1/models');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      object: 'list',
      data: [
        {
          id: 'chat',
          object: 'model',
          created: expect.any(Number),
          owned_by: 'edge-llm-proxy',
          targets: [
            { provider: 'p1', model: 'model-p1', pricing: { input: 0.27, output: 1.1 } },
            { provider: 'p2', model: 'model-p2', pricing: null },
          ],
        },
      ],
    });
  });
});

describe('GET /healthz', () => {
  it('answers without calling any vendor', async () => {
    const proxy = proxyWith(configFor([{ scenario: '' }]));
    const res = await proxy.request('/healthz');
    expect(await res.json()).toEqual({ status: 'ok', config: 'valid' });
    expect(proxy.mock.calls()).toHaveLength(0);
  });
});

describe('the request log', () => {
  function captureLogs(): string[] {
    const lines: string[] = [];
    const keep = (...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    };
    vi.spyOn(console, 'log').mockImplementation(keep);
    vi.spyOn(console, 'warn').mockImplementation(keep);
    vi.spyOn(console, 'error').mockImplementation(keep);
    return lines;
  }

  it('writes one JSON line per request with attempts, usage and cost, and no prompt text', async () => {
    const lines = captureLogs();
    const config = configFor([{ scenario: 'status=503' }, { scenario: '', extra: { pricing: { input: 1, output: 2 } } }]);
    const proxy = proxyWith(config);
    const res = await proxy.chat(hello({ messages: [{ role: 'user', content: 'my secret prompt' }] }));
    await res.text();
    await proxy.settle();
    const id = res.headers.get('x-request-id');
    const requests = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request' && l.requestId === id);
    expect(requests).toHaveLength(1);
    const line = requests[0];
    expect(line).toMatchObject({
      route: '/v1/chat/completions',
      client: 'public',
      model: 'chat',
      status: 200,
      source: 'provider',
      provider: 'p2',
      requestId: res.headers.get('x-request-id'),
      usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) },
      cost: expect.any(Number),
      totalMs: expect.any(Number),
    });
    expect(line.attempts.map((a: { provider: string; status: number }) => [a.provider, a.status])).toEqual([
      ['p1', 503],
      ['p1', 503],
      ['p2', 200],
    ]);
    expect(lines.join('\n')).not.toContain('my secret prompt');
  });

  it('logs a streamed request once, when the stream ends, with its outcome', async () => {
    const lines = captureLogs();
    const proxy = proxyWith(configFor([{ scenario: 'cut-after=2' }]));
    const res = await proxy.chat(hello({ stream: true }));
    await sseData(res);
    await proxy.settle();
    const id = res.headers.get('x-request-id') ?? '-';
    const mine = lines.filter((l) => l.includes('"msg":"request"') && l.includes(id));
    expect(mine).toHaveLength(1);
    const line = JSON.parse(mine[0] ?? '{}');
    expect(line).toMatchObject({ stream: true, streamOutcome: 'error', error: 'stream_interrupted' });
  });

  it('never writes a provider key into logs, headers or bodies, even when the vendor echoes it', async () => {
    const lines = captureLogs();
    const seen: string[] = [];
    const echo = `status=401,message=Incorrect API key provided: ${KEYS.MOCK_A_KEY}`;
    for (const scenario of [echo, 'status=503', 'cut-after=1', `error-event-after=1,message=bad key ${KEYS.MOCK_A_KEY}`]) {
      const proxy = proxyWith(configFor([{ scenario }, { scenario: 'status=500' }]));
      for (const stream of [false, true]) {
        const res = await proxy.chat(hello({ stream }));
        seen.push(JSON.stringify([...res.headers]), await res.text());
      }
    }
    seen.push(...lines);
    const all = seen.join('\n');
    expect(all.length).toBeGreaterThan(1000);
    for (const key of Object.values(KEYS)) expect(all).not.toContain(key);
  });
});
