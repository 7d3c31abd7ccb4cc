// A healthy provider through wrangler dev and the openai SDK: body, stream, headers, log line.
import { beforeEach, describe, expect, it } from 'vitest';
import { MOCK_KEY, REPLY } from './config.ts';
import { logLineFor, mockCalls, resetMock } from './observers.ts';
import { ask, collect, sdk } from './proxy-client.ts';

const client = sdk();

beforeEach(resetMock);

describe('a healthy provider', () => {
  it('answers a non-streaming request with the mock reply and names the upstream model that answered', async () => {
    const { data, response } = await client.chat.completions
      .create(ask('healthy'), { headers: { 'x-request-id': 'e2e-healthy-1' } })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe(REPLY);
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.model).toBe('m-ok');
    expect(data.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
    expect(response.headers.get('x-proxy-source')).toBe('provider');
    expect(response.headers.get('x-proxy-provider')).toBe('ok');
    expect(response.headers.get('x-proxy-model')).toBe('m-ok');
    expect(response.headers.get('x-proxy-attempts')).toBe('1');
    expect(response.headers.get('x-proxy-cache')).toBe('BYPASS');
    expect(response.headers.get('x-request-id')).toBe('e2e-healthy-1');
    expect(response.headers.get('server-timing')).toMatch(/total;dur=/);
    expect(response.headers.get('server-timing')).toMatch(/upstream;dur=/);
  });

  it('sends the vendor key, the request id and the target model upstream', async () => {
    await client.chat.completions.create(ask('healthy'), { headers: { 'x-request-id': 'e2e-healthy-2' } });
    const [call] = await mockCalls();
    expect(call?.authorization).toBe(`Bearer ${MOCK_KEY}`);
    expect(call?.requestId).toBe('e2e-healthy-2');
    expect(call?.model).toBe('m-ok');
    expect(call?.stream).toBe(false);
  });

  it('generates a request id when the caller sends none and passes it upstream', async () => {
    const { response } = await client.chat.completions.create(ask('healthy')).withResponse();
    const id = response.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await mockCalls())[0]?.requestId).toBe(id);
  });

  it('streams the whole answer to a for-await loop and names the upstream model in every chunk', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({ ...ask('healthy'), stream: true }, { headers: { 'x-request-id': 'e2e-healthy-stream' } })
      .withResponse();
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('x-proxy-source')).toBe('provider');
    expect(response.headers.get('x-proxy-provider')).toBe('ok');
    expect(response.headers.get('x-proxy-model')).toBe('m-ok');
    expect(response.headers.get('x-proxy-attempts')).toBe('1');
    expect(response.headers.get('x-request-id')).toBe('e2e-healthy-stream');
    expect(response.headers.get('server-timing')).toMatch(/upstream;dur=/);
    const got = await collect(stream);
    expect(got.error).toBeUndefined();
    expect(got.text).toBe(REPLY);
    expect(got.chunks.every((c) => c.model === 'm-ok')).toBe(true);
    expect(got.chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
  });

  it('forwards the usage chunk only when the caller asks for it', async () => {
    const plain = await collect(await client.chat.completions.create({ ...ask('healthy'), stream: true }));
    expect(plain.chunks.some((c) => c.usage != null)).toBe(false);
    const withUsage = await collect(
      await client.chat.completions.create({ ...ask('healthy'), stream: true, stream_options: { include_usage: true } }),
    );
    expect(withUsage.text).toBe(REPLY);
    expect(withUsage.chunks.at(-1)?.usage).toMatchObject({ completion_tokens: expect.any(Number), total_tokens: expect.any(Number) });
  });

  it('writes one structured log line per request with attempts and cost but no prompt text', async () => {
    const secretPrompt = 'my-private-prompt-text-e2e';
    await client.chat.completions.create(ask('healthy', secretPrompt), { headers: { 'x-request-id': 'e2e-healthy-log' } });
    const line = await logLineFor('e2e-healthy-log');
    expect(line).toMatchObject({ route: '/v1/chat/completions', model: 'healthy', status: 200, source: 'provider', provider: 'ok' });
    expect(line.attempts).toEqual([expect.objectContaining({ provider: 'ok', model: 'm-ok', status: 200 })]);
    expect(line.cost).toEqual(expect.any(Number));
    expect(JSON.stringify(line)).not.toContain(secretPrompt);
  });

  it('lists every configured alias on /v1/models', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toContain('healthy');
    expect(ids).toContain('all-fail');
  });
});
