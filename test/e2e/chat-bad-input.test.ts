// Requests the proxy refuses itself: none of them may reach a vendor.
import { APIError, BadRequestError, NotFoundError } from 'openai';
import { beforeEach, describe, expect, it } from 'vitest';
import { E2E_LIMITS } from './config.ts';
import { mockCalls, resetMock } from './observers.ts';
import { ask, proxyUrl, rawChat, sdk } from './proxy-client.ts';
import { recordingFetch } from './recorder.ts';

const client = sdk();

interface ErrorBody {
  error: { message: string; type: string; code: string; param: string | null };
}

const many = Array.from({ length: E2E_LIMITS.maxMessages + 1 }, (_, i) => ({ role: 'user' as const, content: `message ${i}` }));
const huge = ask('healthy', 'x'.repeat(E2E_LIMITS.maxBodyBytes + 1024));

beforeEach(resetMock);

describe('bad input never reaches a vendor', () => {
  it.each([
    ['a body that is not JSON', '{"model": "healthy", "messages": [', 400, 'invalid_json'],
    ['a body that fails the schema', { model: 'healthy', messages: 'hello' }, 400, 'invalid_request_body'],
    [
      'a message of a known role in a bad shape',
      { model: 'healthy', messages: [{ role: 'tool', content: 'hi' }] },
      400,
      'invalid_request_body',
    ],
    ['an empty body', '', 400, undefined],
    ['an unknown model alias', ask('no-such-alias'), 404, 'model_not_found'],
    ['too many messages', { model: 'healthy', messages: many }, 400, 'too_many_messages'],
    ['max_tokens above the limit', { ...ask('healthy'), max_tokens: E2E_LIMITS.maxTokens + 1 }, 400, 'max_tokens_too_large'],
    ['a body larger than maxBodyBytes', huge, 413, 'request_too_large'],
  ])('answers %s with an OpenAI error and calls no vendor', async (_what, body, status, code) => {
    const res = await rawChat(body);
    expect(res.status).toBe(status);
    const error = ((await res.json()) as ErrorBody).error;
    expect(error.message).toEqual(expect.any(String));
    expect(error.type).toEqual(expect.any(String));
    if (code !== undefined) expect(error.code).toBe(code);
    expect(await mockCalls()).toEqual([]);
  });

  it('refuses a body that is not declared as JSON', async () => {
    const res = await recordingFetch(`${proxyUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify(ask('healthy')),
    });
    expect(res.status).toBe(400);
    expect(await mockCalls()).toEqual([]);
  });

  it('raises NotFoundError in the SDK for an unknown alias', async () => {
    const error = await client.chat.completions.create(ask('no-such-alias')).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).code).toBe('model_not_found');
    expect((error as NotFoundError).param).toBe('model');
  });

  it('raises BadRequestError in the SDK for too many messages, streaming or not', async () => {
    for (const stream of [false, true]) {
      const error = await client.chat.completions.create({ model: 'healthy', messages: many, stream }).catch((err: unknown) => err);
      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).code).toBe('too_many_messages');
    }
    expect(await mockCalls()).toEqual([]);
  });

  it('raises an APIError with status 413 in the SDK for a body that is too large', async () => {
    const error = await client.chat.completions.create(huge).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(413);
    expect(await mockCalls()).toEqual([]);
  });

  it('answers an unknown route with a 404 in the OpenAI error shape', async () => {
    const res = await recordingFetch(`${proxyUrl}/v1/nothing-here`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorBody).error.code).toBe('not_found');
  });
});
