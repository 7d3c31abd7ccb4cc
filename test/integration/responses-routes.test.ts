// The stored-Responses routes (GET, DELETE, input_items) and the caller side (save, context), over the real object in workerd.
import { env } from 'cloudflare:test';
import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import { PUBLIC_CLIENT } from '../../src/auth/client.ts';
import type { AppEnv } from '../../src/env.ts';
import { ProxyError } from '../../src/errors.ts';
import type { Json } from '../../src/protocols/json.ts';
import { loadContext, type ResponsesNamespace, saveResponse } from '../../src/responses/store.ts';
import type { ResponsesObject, StoredRecord } from '../../src/responses/store-object.ts';
import { storedResponsesRoutes } from '../../src/routes/stored-responses.ts';
import { said, storedTurn, user } from './stored-turns.ts';

// Objects persist for the whole file: every test names its own clients.
let n = 0;
const unique = (name: string) => `${name}-${++n}-${Date.now()}`;

/** The routes behind a stand-in for the /v1 guards: `client` set as auth sets it, errors written in OpenAI's shape as the app does. */
function appFor(clientName: string, bindings: Record<string, unknown> = { RESPONSES: env.RESPONSES }) {
  const app = new Hono<AppEnv>();
  app.use('/v1/*', async function asClient(c, next) {
    c.set('client', { ...PUBLIC_CLIENT, name: clientName, via: 'key' });
    await next();
  });
  app.route('/v1', storedResponsesRoutes());
  app.onError((err, c) => {
    if (!(err instanceof ProxyError)) throw err;
    const body = { error: { message: err.message, type: err.type, code: err.code, param: err.param } };
    return c.json(body, err.status as 400, err.headers);
  });
  return (path: string, init?: RequestInit) => app.request(path, init, bindings);
}

async function seed(clientName: string): Promise<void> {
  await saveResponse(env.RESPONSES, clientName, storedTurn('resp_1', [user('Hi')], [said('msg_1', 'Hello!')]), 30);
  await saveResponse(env.RESPONSES, clientName, storedTurn('resp_2', [user('And?'), user('Well?')], [said('msg_2', 'Bye.')], 'resp_1'), 30);
}

type ErrorBody = { error: { message: string; type: string; code: string; param: string | null } };

describe('GET /v1/responses/:id', () => {
  it('answers the stored Response to the client that stored it', async () => {
    const name = unique('web');
    await seed(name);
    const res = await appFor(name)('/v1/responses/resp_1');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ id: 'resp_1', object: 'response', status: 'completed', output: [said('msg_1', 'Hello!')] });
  });

  it("answers OpenAI's 404 to another client asking for the same id", async () => {
    await seed(unique('owner'));
    const res = await appFor(unique('other'))('/v1/responses/resp_1');
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorBody).error).toMatchObject({
      type: 'invalid_request_error',
      code: 'response_not_found',
      message: "No response found with id 'resp_1'.",
    });
  });

  it('answers 503 when the Worker has no RESPONSES binding', async () => {
    const res = await appFor(unique('web'), {})('/v1/responses/resp_1');
    expect(res.status).toBe(503);
    expect(((await res.json()) as ErrorBody).error.code).toBe('responses_store_unavailable');
  });

  it('answers 503 when the store fails, without the error in the log line', async () => {
    const broken = { getByName: () => ({ get: () => Promise.reject(new Error('secret body text')) }) };
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const res = await appFor(unique('web'), { RESPONSES: broken })('/v1/responses/resp_1');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(warn.mock.calls.flat().join(' ')).not.toContain('secret body text');
    warn.mockRestore();
  });
});

describe('DELETE /v1/responses/:id', () => {
  it('deletes the Response and says so; a second delete is a 404', async () => {
    const name = unique('web');
    await seed(name);
    const call = appFor(name);
    const res = await call('/v1/responses/resp_2', { method: 'DELETE' });
    expect(await res.json()).toEqual({ id: 'resp_2', object: 'response', deleted: true });
    expect((await call('/v1/responses/resp_2')).status).toBe(404);
    expect((await call('/v1/responses/resp_2', { method: 'DELETE' })).status).toBe(404);
  });

  it("leaves the owner's Response in place when another client tries to delete it", async () => {
    const owner = unique('owner');
    await seed(owner);
    expect((await appFor(unique('other'))('/v1/responses/resp_1', { method: 'DELETE' })).status).toBe(404);
    expect((await appFor(owner)('/v1/responses/resp_1')).status).toBe(200);
  });
});

describe('GET /v1/responses/:id/input_items', () => {
  it('lists the items the Response was generated from, newest first, each with an id', async () => {
    const name = unique('web');
    await seed(name);
    const res = await appFor(name)('/v1/responses/resp_2/input_items');
    expect(res.status).toBe(200);
    const list = (await res.json()) as { object: string; data: Json[]; first_id: string; last_id: string; has_more: boolean };
    expect(list.data.map((item) => item.content)).toEqual(['Well?', 'And?', said('msg_1', 'Hello!').content, 'Hi']);
    expect(list.data.every((item) => typeof item.id === 'string' && item.type === 'message')).toBe(true);
    expect(list).toMatchObject({ object: 'list', has_more: false, first_id: list.data[0]?.id, last_id: list.data[3]?.id });
  });

  it('pages with limit, order and after, accepting include', async () => {
    const name = unique('web');
    await seed(name);
    const call = appFor(name);
    const first = (await (
      await call('/v1/responses/resp_2/input_items?limit=3&order=asc&include[]=message.input_image.image_url')
    ).json()) as {
      data: Json[];
      last_id: string;
      has_more: boolean;
    };
    expect(first.data.map((item) => item.content)).toEqual(['Hi', said('msg_1', 'Hello!').content, 'And?']);
    expect(first.has_more).toBe(true);
    const next = (await (await call(`/v1/responses/resp_2/input_items?limit=3&order=asc&after=${first.last_id}`)).json()) as {
      data: Json[];
    };
    expect(next.data.map((item) => item.content)).toEqual(['Well?']);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['limit=2.5', 'limit'],
    ['order=newest', 'order'],
    ['after=msg_unknown', 'after'],
    ['before=msg_unknown', 'before'],
  ])('refuses %s with a 400 naming the parameter', async (query, param) => {
    const name = unique('web');
    await seed(name);
    const res = await appFor(name)(`/v1/responses/resp_2/input_items?${query}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as ErrorBody).error).toMatchObject({ type: 'invalid_request_error', param });
  });

  it('answers 404 for a Response the client does not have', async () => {
    await seed(unique('owner'));
    expect((await appFor(unique('other'))('/v1/responses/resp_2/input_items')).status).toBe(404);
  });
});

describe('saving and loading a conversation', () => {
  it('loads the chain a previous_response_id continues', async () => {
    const name = unique('web');
    await seed(name);
    const items = await loadContext(env.RESPONSES, name, 'resp_2');
    expect(items).toEqual([user('Hi'), said('msg_1', 'Hello!'), user('And?'), user('Well?'), said('msg_2', 'Bye.')]);
  });

  it("refuses an unknown previous_response_id with OpenAI's 400", async () => {
    const err = await loadContext(env.RESPONSES, unique('web'), 'resp_gone').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProxyError);
    expect(err).toMatchObject({
      status: 400,
      code: 'previous_response_not_found',
      param: 'previous_response_id',
      message: "Previous response with id 'resp_gone' not found.",
    });
  });

  it('fails a request that needs a conversation with 503 when there is no binding', async () => {
    await expect(loadContext(undefined, 'web', 'resp_1')).rejects.toMatchObject({ status: 503, code: 'responses_store_unavailable' });
  });

  it.each([
    ['there is no binding', undefined, 'responses store unbound'],
    [
      'the store fails',
      { getByName: () => ({ put: () => Promise.reject(new Error('SQLITE_TOOBIG: body text')) }) },
      'responses store save failed',
    ],
  ])('skips a save and logs a warning when %s', async (_, ns, msg) => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const namespace = ns as unknown as ResponsesNamespace;
    await expect(saveResponse(namespace, 'web', storedTurn('resp_1', [user('Hi')], []), 30)).resolves.toBeUndefined();
    const lines = warn.mock.calls.map((call) => JSON.parse(String(call[0])) as { msg: string });
    warn.mockRestore();
    expect(lines.map((line) => line.msg)).toEqual([msg]);
    expect(JSON.stringify(lines)).not.toContain('body text');
  });

  it('keeps one client name per object: a save under one name is not read under another', async () => {
    const name = unique('web');
    await seed(name);
    const stub: DurableObjectStub<ResponsesObject> = env.RESPONSES.getByName(name);
    expect(await stub.get('resp_2')).not.toBeNull();
    expect(await env.RESPONSES.getByName(`${name}-x`).get('resp_2')).toBeNull();
  });
});
