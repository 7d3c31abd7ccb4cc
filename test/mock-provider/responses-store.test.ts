// Tests the mock's stored Responses: previous_response_id continuations, store: false, GET and DELETE by id, and what reset forgets (runs in workerd).

import { describe, expect, it } from 'vitest';
import { createMockProvider } from './handler.ts';
import { byId, errorOf, parsedEvents, responseOf, responses } from './responses-test-client.ts';

const search = { type: 'function', name: 'search', parameters: {} };

describe('stored Responses and previous_response_id', () => {
  it('continues a stored tool call: the output answers its call, the carried history counts as cached input', async () => {
    const provider = createMockProvider();
    const first = await responseOf(await responses(provider, '', { tools: [search], instructions: 'You search.' }));
    expect(first.output[0]).toMatchObject({ type: 'function_call', call_id: 'call_mock_1' });
    const input = [{ type: 'function_call_output', call_id: 'call_mock_1', output: 'two hits' }];
    const second = await responseOf(await responses(provider, '', { tools: [search], previous_response_id: first.id, input }));
    expect(second).toMatchObject({ previous_response_id: 'resp_mock_1', instructions: null });
    expect(second.output[0]).toMatchObject({ type: 'message', content: [{ text: 'Tool said: two hits' }] });
    expect(second.usage).toMatchObject({
      input_tokens: Math.ceil('Say hellotwo hits'.length / 4),
      input_tokens_details: { cached_tokens: 3 },
    });
  });

  it('keeps the whole chain: a third turn sees every earlier user turn', async () => {
    const provider = createMockProvider();
    const first = await responseOf(await responses(provider, '', { input: 'One' }));
    const second = await responseOf(await responses(provider, '', { input: 'Two', previous_response_id: first.id }));
    const third = await responseOf(await responses(provider, '', { input: 'Three', previous_response_id: second.id }));
    const said = 'Hello from the mock provider.';
    expect(third.usage?.input_tokens).toBe(Math.ceil(`One${said}Two${said}Three`.length / 4));
    expect(third.usage?.input_tokens_details.cached_tokens).toBe(Math.ceil(`One${said}Two${said}`.length / 4));
  });

  it.each([
    ['an id it never issued', 'resp_other', {}],
    ['a response created with store: false', 'resp_mock_1', { store: false }],
  ])('refuses a previous_response_id naming %s', async (_, id, firstBody) => {
    const provider = createMockProvider();
    await responses(provider, '', firstBody);
    expect(await errorOf(await responses(provider, '', { previous_response_id: id }))).toEqual({
      status: 400,
      message: `Previous response with id '${id}' not found.`,
      type: 'invalid_request_error',
      param: 'previous_response_id',
      code: 'previous_response_not_found',
    });
  });

  it('stores a streamed response once it completed, and never one that failed', async () => {
    const provider = createMockProvider();
    await (await responses(provider, '', { stream: true })).text();
    await (await responses(provider, 'error-event-after=1', { stream: true })).text();
    expect((await byId(provider, 'GET', 'resp_mock_1')).status).toBe(200);
    expect((await byId(provider, 'GET', 'resp_mock_2')).status).toBe(404);
  });

  it('serves GET /v1/responses/:id as the stored Response and DELETE as response.deleted', async () => {
    const provider = createMockProvider();
    const created = await responseOf(await responses(provider, '', { metadata: { k: 'v' } }));
    expect(await responseOf(await byId(provider, 'GET', created.id))).toEqual(created);
    expect(await (await byId(provider, 'DELETE', created.id)).json()).toEqual({
      id: created.id,
      object: 'response.deleted',
      deleted: true,
    });
    expect(await errorOf(await byId(provider, 'GET', created.id))).toEqual({
      status: 404,
      message: "Response with id 'resp_mock_1' not found.",
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
    expect((await byId(provider, 'DELETE', created.id)).status).toBe(404);
  });

  it('keeps each instance its own store, and forgets it on reset', async () => {
    const provider = createMockProvider();
    const other = createMockProvider();
    await responses(provider, '');
    expect((await byId(other, 'GET', 'resp_mock_1')).status).toBe(404);
    provider.reset();
    expect((await byId(provider, 'GET', 'resp_mock_1')).status).toBe(404);
  });

  it('continues a stream from a stored response, numbering its own events from 0', async () => {
    const provider = createMockProvider();
    const first = await responseOf(await responses(provider, '', { tools: [search] }));
    const input = [{ type: 'function_call_output', call_id: 'call_mock_1', output: 'done' }];
    const events = parsedEvents(await (await responses(provider, '', { stream: true, previous_response_id: first.id, input })).text());
    expect(events[0]?.data?.sequence_number).toBe(0);
    expect(events.at(-1)?.data?.response).toMatchObject({
      previous_response_id: first.id,
      output: [{ content: [{ text: 'Tool said: done' }] }],
    });
  });
});
