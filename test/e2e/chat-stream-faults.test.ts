// Streaming faults of the mock, before and after the commit point, as the openai SDK sees them.
import { APIError, BadRequestError } from 'openai';
import { beforeEach, describe, expect, it } from 'vitest';
import { FALLBACK, REPLY } from './config.ts';
import { calledModels, logLineFor, resetMock } from './observers.ts';
import { ask, type Collected, collect, sdk } from './proxy-client.ts';

const client = sdk();

/** Streams `alias` with the SDK and reads it to the end, catching what the iteration raises. */
async function stream(alias: string, requestId?: string) {
  const started = Date.now();
  const headers = requestId === undefined ? {} : { 'x-request-id': requestId };
  const { data, response } = await client.chat.completions.create({ ...ask(alias), stream: true }, { headers }).withResponse();
  const got: Collected = await collect(data);
  return {
    ...got,
    ms: Date.now() - started,
    provider: response.headers.get('x-proxy-provider'),
    attempts: Number(response.headers.get('x-proxy-attempts')),
    calls: await calledModels(),
  };
}

beforeEach(resetMock);

describe('streaming faults before the first token fall over like non-streaming ones', () => {
  it.each([
    ['a 503 retried to exhaustion', 's503-transient', 4],
    ['a 401', 's401-skip', 2],
    ['a cut before the first token', 'cut-before-first-token', 4],
    ['an error event before the first token', 'error-event-before-first-token', 4],
    ['a 200 that is not an event stream', 'bad-json', 2],
  ])('falls back on %s and streams the whole answer from the next target', async (_fault, alias, attempts) => {
    const got = await stream(alias);
    expect(got.error).toBeUndefined();
    expect(got.text).toBe(REPLY);
    expect(got.provider).toBe(FALLBACK.provider);
    expect(got.attempts).toBe(attempts);
    expect(got.chunks.every((c) => c.model === FALLBACK.model)).toBe(true);
    expect(got.calls.at(-1)).toBe(FALLBACK.model);
  });

  it('falls over when the first token is slower than firstTokenTimeoutMs, before anything is sent', async () => {
    const got = await stream('slow-first-token');
    expect(got.error).toBeUndefined();
    expect(got.text).toBe(REPLY);
    expect(got.provider).toBe(FALLBACK.provider);
    expect(got.calls).toEqual(['m-slow-first-token', FALLBACK.model]);
    expect(got.ms).toBeGreaterThanOrEqual(450);
    expect(got.ms).toBeLessThan(2000);
  });

  it('moves on at the attempt timeout when a vendor never answers a streaming request', async () => {
    const got = await stream('hang');
    expect(got.text).toBe(REPLY);
    expect(got.provider).toBe(FALLBACK.provider);
    expect(got.calls).toEqual(['m-hang', FALLBACK.model]);
    expect(got.ms).toBeGreaterThanOrEqual(950);
    expect(got.ms).toBeLessThan(3000);
  });

  it('streams a slow-to-start answer that still beats the first-token timeout', async () => {
    const got = await stream('delay');
    expect(got.text).toBe(REPLY);
    expect(got.provider).toBe('delay');
    expect(got.attempts).toBe(1);
  });

  it('retries a connection reset before streaming from the same target', async () => {
    const got = await stream('reset');
    expect(got.text).toBe(REPLY);
    expect(got.provider).toBe('reset');
    expect(got.calls).toEqual(['m-reset', 'm-reset']);
  });

  it('waits a short retry-after-ms before streaming from the same target', async () => {
    const got = await stream('retry-after-ms-short');
    expect(got.text).toBe(REPLY);
    expect(got.calls).toEqual(['m-retry-after-ms-short', 'm-retry-after-ms-short']);
    expect(got.ms).toBeGreaterThanOrEqual(280);
  });

  it('raises BadRequestError for a terminal 400 before any chunk and never calls the fallback', async () => {
    const error = await client.chat.completions.create({ ...ask('s400-terminal'), stream: true }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(await calledModels()).toEqual(['m-s400-terminal']);
  });
});

describe('streaming faults after the first token end in an error the SDK raises', () => {
  it.each([
    ['stalls', 'stall-after', 'idle_timeout'],
    ['cuts the connection', 'cut-after', 'stream_interrupted'],
    ['sends an error event', 'error-event-after', 'upstream_error'],
  ])('raises when the vendor %s mid-answer, after a prefix of the reply', async (_fault, alias, code) => {
    const got = await stream(alias);
    expect(got.error).toBeInstanceOf(APIError);
    expect((got.error as APIError).code).toBe(code);
    expect(got.text.length).toBeGreaterThan(0);
    expect(got.text.length).toBeLessThan(REPLY.length);
    expect(REPLY.startsWith(got.text)).toBe(true);
    expect(got.text).toBe('Hello from');
    expect(got.calls).toEqual([`m-${alias}`]);
  });

  it('ends a stalled stream at the idle timeout, not the attempt timeout', async () => {
    const got = await stream('stall-after');
    expect(got.error).toBeInstanceOf(APIError);
    expect(got.ms).toBeGreaterThanOrEqual(450);
    expect(got.ms).toBeLessThan(2500);
  });

  it('logs a cut stream as an error with its in-band code', async () => {
    await stream('cut-after', 'e2e-stream-cut');
    const line = await logLineFor('e2e-stream-cut');
    expect(line).toMatchObject({ status: 200, stream: true, streamOutcome: 'error', error: 'stream_interrupted' });
  });
});

describe('streams that are odd but complete', () => {
  it('skips a malformed event and delivers the whole answer', async () => {
    const got = await stream('malformed', 'e2e-stream-malformed');
    expect(got.error).toBeUndefined();
    expect(got.text).toBe(REPLY);
    expect(await logLineFor('e2e-stream-malformed')).toMatchObject({ streamOutcome: 'complete', malformedEvents: 1 });
  });

  it('finishes promptly and completely, with usage, when the vendor never sends [DONE]', async () => {
    const started = Date.now();
    const created = await client.chat.completions.create({ ...ask('no-done'), stream: true, stream_options: { include_usage: true } });
    const got = await collect(created);
    expect(got.error).toBeUndefined();
    expect(got.text).toBe(REPLY);
    expect(got.chunks.some((c) => c.choices[0]?.finish_reason === 'stop')).toBe(true);
    expect(got.chunks.at(-1)?.usage).toMatchObject({ total_tokens: expect.any(Number) });
    // The target's idle timeout is 5 s: only finalising on the finish reason ends it this fast.
    expect(Date.now() - started).toBeLessThan(2500);
  });
});
