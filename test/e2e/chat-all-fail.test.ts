// Every target failing: the SDK raises a 503, and the raw answer carries retry hints and attempts.
import { type APIError, InternalServerError } from 'openai';
import { beforeEach, describe, expect, it } from 'vitest';
import { ALL_FAIL, DEADLINE_ALIAS, MOCK_KEY } from './config.ts';
import { calledModels, logLineFor, resetMock } from './observers.ts';
import { ask, rawChat, sdk } from './proxy-client.ts';

const client = sdk();

interface AllFailedBody {
  error: { message: string; type: string; code: string; attempts: { provider: string; model: string; status: number | null }[] };
}

beforeEach(resetMock);

describe('when every target fails', () => {
  it.each([false, true])('the SDK raises an APIError with status 503 (streaming: %s)', async (stream) => {
    const error = await client.chat.completions.create({ ...ask(ALL_FAIL.withHint), stream }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as APIError).status).toBe(503);
    expect((error as APIError).code).toBe('all_targets_failed');
    expect((error as APIError).headers?.get('x-should-retry')).toBe('false');
  });

  it('answers 503 with x-should-retry: false, the provider hint as Retry-After and every attempt listed', async () => {
    const res = await rawChat(ask(ALL_FAIL.withHint), { 'x-request-id': 'e2e-all-fail' });
    expect(res.status).toBe(503);
    expect(res.headers.get('x-should-retry')).toBe('false');
    expect(res.headers.get('retry-after')).toBe('1');
    expect(res.headers.get('x-request-id')).toBe('e2e-all-fail');
    expect(res.headers.get('x-proxy-attempts')).toBe('6');
    const text = await res.text();
    const body = JSON.parse(text) as AllFailedBody;
    expect(body.error.code).toBe('all_targets_failed');
    expect(body.error.type).toBe('api_error');
    expect(body.error.attempts.map((a) => [a.provider, a.status])).toEqual([
      ['af-hint', 503],
      ['af-hint', 503],
      ['af-hint', 503],
      ['af-502', 502],
      ['af-502', 502],
      ['af-502', 502],
    ]);
    expect(text).not.toContain(MOCK_KEY);
    expect(text).not.toContain('overloaded');
    expect(await calledModels()).toEqual(['m-af-hint', 'm-af-hint', 'm-af-hint', 'm-af-502', 'm-af-502', 'm-af-502']);
  });

  it('sends a default Retry-After when no provider gave one', async () => {
    const res = await rawChat(ask(ALL_FAIL.noHint));
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res.headers.get('x-should-retry')).toBe('false');
    expect(((await res.json()) as AllFailedBody).error.attempts).toHaveLength(3);
  });

  it('logs the failure with every attempt', async () => {
    await rawChat(ask(ALL_FAIL.withHint), { 'x-request-id': 'e2e-all-fail-log' }).then((res) => res.text());
    const line = await logLineFor('e2e-all-fail-log');
    expect(line).toMatchObject({ status: 503, model: ALL_FAIL.withHint, error: 'all_targets_failed' });
    expect(line.attempts).toHaveLength(6);
  });

  it('gives up at the request deadline even when a later target could still be tried', async () => {
    const started = Date.now();
    const res = await rawChat(ask(DEADLINE_ALIAS));
    const ms = Date.now() - started;
    expect(res.status).toBe(503);
    expect(res.headers.get('x-should-retry')).toBe('false');
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(ms).toBeLessThan(1800);
    const body = (await res.json()) as AllFailedBody;
    expect(body.error.attempts.map((a) => a.model)).toEqual(['m-deadline-1', 'm-deadline-2']);
  });
});
