// Every upstream status fault of the mock, non-streaming, through wrangler dev and the openai SDK.
import { APIError, BadRequestError } from 'openai';
import { beforeEach, describe, expect, it } from 'vitest';
import { FALLBACK, REPLY, SKIP_SCENARIOS, TERMINAL_SCENARIOS, TRANSIENT_STATUSES } from './config.ts';
import { calledModels, resetMock } from './observers.ts';
import { ask, sdk } from './proxy-client.ts';

const client = sdk();

/** Asks `alias` once, non-streaming, and says who answered, after how many attempts, how fast. */
async function answer(alias: string) {
  const started = Date.now();
  const { data, response } = await client.chat.completions.create(ask(alias)).withResponse();
  return {
    text: data.choices[0]?.message.content,
    model: data.model,
    provider: response.headers.get('x-proxy-provider'),
    attempts: Number(response.headers.get('x-proxy-attempts')),
    ms: Date.now() - started,
    calls: await calledModels(),
  };
}

beforeEach(resetMock);

describe('terminal vendor errors', () => {
  it.each(Object.entries(TERMINAL_SCENARIOS))(
    'returns %s to the SDK as an error and never calls the fallback',
    async (alias, { status }) => {
      const error = await client.chat.completions.create(ask(alias)).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(APIError);
      expect((error as APIError).status).toBe(status);
      expect((error as APIError).headers?.get('x-proxy-attempts')).toBe('1');
      expect(await calledModels()).toEqual([`m-${alias}`]);
    },
  );

  it('raises BadRequestError for a 400 and keeps the vendor message', async () => {
    const error = await client.chat.completions.create(ask('s400-terminal')).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).type).toBe('invalid_request_error');
    expect((error as BadRequestError).message).toContain('Invalid request (scripted by the mock provider).');
  });

  it('keeps the content-policy code so a caller can tell a refusal from a bad request', async () => {
    const error = await client.chat.completions.create(ask('policy-terminal')).catch((err: unknown) => err);
    expect((error as APIError).code).toBe('content_policy_violation');
  });
});

describe('provider-side auth, config and quota errors', () => {
  it.each(Object.keys(SKIP_SCENARIOS))('skips the target on %s without retrying it', async (alias) => {
    const got = await answer(alias);
    expect(got.text).toBe(REPLY);
    expect(got.provider).toBe(FALLBACK.provider);
    expect(got.model).toBe(FALLBACK.model);
    expect(got.attempts).toBe(2);
    expect(got.calls).toEqual([`m-${alias}`, FALLBACK.model]);
  });

  it('moves on when the prompt is too long for one target', async () => {
    const got = await answer('context-length');
    expect(got.provider).toBe(FALLBACK.provider);
    expect(got.calls).toEqual(['m-context-length', FALLBACK.model]);
  });
});

describe('transient vendor errors', () => {
  it.each(TRANSIENT_STATUSES)('retries %s on the same target, then falls back', async (status) => {
    const alias = `s${status}-transient`;
    const got = await answer(alias);
    expect(got.text).toBe(REPLY);
    expect(got.provider).toBe(FALLBACK.provider);
    expect(got.attempts).toBe(4);
    expect(got.calls).toEqual([`m-${alias}`, `m-${alias}`, `m-${alias}`, FALLBACK.model]);
  });

  it('succeeds on the same target when a 503 clears on retry', async () => {
    const got = await answer('s503-once');
    expect(got.provider).toBe('s503-once');
    expect(got.model).toBe('m-s503-once');
    expect(got.attempts).toBe(2);
  });

  it('retries a connection reset on the same target', async () => {
    const got = await answer('reset');
    expect(got.provider).toBe('reset');
    expect(got.calls).toEqual(['m-reset', 'm-reset']);
  });

  it('falls back when every retry of a target is reset', async () => {
    const got = await answer('reset-always');
    expect(got.provider).toBe(FALLBACK.provider);
    expect(got.calls).toEqual(['m-reset-always', 'm-reset-always', 'm-reset-always', FALLBACK.model]);
  });

  it('treats a 200 that is not a completion as a failure and moves on', async () => {
    const got = await answer('bad-json');
    expect(got.provider).toBe(FALLBACK.provider);
    expect(got.text).toBe(REPLY);
  });
});

describe('Retry-After', () => {
  it.each([
    ['seconds', 'retry-after-seconds-short', 900],
    ['an HTTP-date', 'retry-after-date-short', 0],
    ['retry-after-ms', 'retry-after-ms-short', 280],
  ])('waits a short Retry-After in %s and retries the same target', async (_form, alias, atLeastMs) => {
    const got = await answer(alias);
    expect(got.provider).toBe(alias);
    expect(got.calls).toEqual([`m-${alias}`, `m-${alias}`]);
    expect(got.ms).toBeGreaterThanOrEqual(atLeastMs);
    expect(got.ms).toBeLessThan(2500);
  });

  it.each([
    ['seconds', 'retry-after-seconds-long'],
    ['an HTTP-date', 'retry-after-date-long'],
    ['retry-after-ms', 'retry-after-ms-long'],
  ])('moves past a long Retry-After in %s to the next target at once', async (_form, alias) => {
    const got = await answer(alias);
    expect(got.provider).toBe(FALLBACK.provider);
    expect(got.calls).toEqual([`m-${alias}`, FALLBACK.model]);
    expect(got.ms).toBeLessThan(1500);
  });
});

describe('slow and silent vendors', () => {
  it('waits for a slow answer that comes within the attempt timeout', async () => {
    const got = await answer('delay');
    expect(got.provider).toBe('delay');
    expect(got.attempts).toBe(1);
    expect(got.ms).toBeGreaterThanOrEqual(200);
  });

  it('moves on at the attempt timeout when an answer is too slow, without retrying', async () => {
    const got = await answer('delay-too-long');
    expect(got.provider).toBe(FALLBACK.provider);
    expect(got.calls).toEqual(['m-delay-too-long', FALLBACK.model]);
    expect(got.ms).toBeGreaterThanOrEqual(950);
    expect(got.ms).toBeLessThan(3000);
  });

  it('moves on at the attempt timeout when a vendor never answers', async () => {
    const got = await answer('hang');
    expect(got.provider).toBe(FALLBACK.provider);
    expect(got.text).toBe(REPLY);
    expect(got.calls).toEqual(['m-hang', FALLBACK.model]);
    expect(got.ms).toBeGreaterThanOrEqual(950);
    expect(got.ms).toBeLessThan(3000);
  });
});
