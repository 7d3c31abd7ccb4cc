// The stored-Responses Durable Object driven through its Miniflare binding: chains, waits, pages, expiry, tenants, upserts, size.
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { Json } from '../../src/protocols/json.ts';
import type { ItemList, ItemsQuery, StoredRecord } from '../../src/responses/store-object.ts';
import { said, storedTurn, user } from './stored-turns.ts';

// Objects persist for the whole file: every test names its own client.
let n = 0;
const client = (name = 'client') => env.RESPONSES.getByName(`${name}-${++n}-${Date.now()}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const DAY = 86_400_000;

/** A stored turn with the fields a vendor's Response carries besides its output. */
function turn(id: string, input: Json[], output: Json[], previousId: string | null = null): StoredRecord {
  return storedTurn(id, input, output, previousId, {
    created_at: 1_700_000_000,
    instructions: 'Be brief.',
    previous_response_id: previousId,
  });
}

/** The object's answers are JSON text. */
const parsed = <T = Json>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));
const ids = (list: ItemList) => list.data.map((item) => String(item.id));
const page = async (stub: ReturnType<typeof client>, id: string, query: Partial<ItemsQuery> = {}): Promise<ItemList> => {
  const reply = await stub.inputItems(id, { limit: 20, order: 'desc', ...query });
  if (!reply.ok) throw new Error(`expected a page, got ${reply.reason}`);
  return JSON.parse(reply.list) as ItemList;
};

/** Three turns of a tool-using conversation: a question, a function call, its output and the answer. */
async function conversation(stub: ReturnType<typeof client>): Promise<void> {
  await stub.put(turn('resp_a', [user('What is the weather?')], [said('msg_a', 'Let me check.')]), DAY);
  const call = { id: 'fc_b', type: 'function_call', call_id: 'call_1', name: 'weather', arguments: '{}' };
  await stub.put(turn('resp_b', [user('In Paris.')], [call], 'resp_a'), DAY);
  await stub.put(
    turn('resp_c', [{ type: 'function_call_output', call_id: 'call_1', output: 'sunny' }], [said('msg_c', 'Sunny.')], 'resp_b'),
    DAY,
  );
}

describe('put and get', () => {
  it('gives back the stored Response whole, output included', async () => {
    const stub = client();
    const record = turn('resp_1', [user('Hi')], [said('msg_1', 'Hello!'), { id: 'rs_1', type: 'reasoning', summary: [] }]);
    await stub.put(record, DAY);
    expect(parsed(await stub.get('resp_1'))).toEqual(record.response);
  });

  it('answers null for an id it never stored', async () => {
    expect(parsed(await client().get('resp_unknown'))).toBeNull();
  });

  it('replaces a Response stored again under the same id instead of adding to it', async () => {
    const stub = client();
    await stub.put(turn('resp_1', [user('first'), user('second')], [said('msg_1', 'one')]), DAY);
    await stub.put(turn('resp_1', [user('only')], [said('msg_2', 'two')]), DAY);
    expect(parsed(await stub.get('resp_1'))?.output).toEqual([said('msg_2', 'two')]);
    expect(parsed<Json[]>(await stub.context('resp_1'))).toEqual([user('only'), said('msg_2', 'two')]);
  });
});

describe('context', () => {
  it('rebuilds the chain oldest first: each turn its input then its output, without instructions', async () => {
    const stub = client();
    await conversation(stub);
    const items = parsed<Json[]>(await stub.context('resp_c'));
    expect(items?.map((item) => item.type ?? item.role)).toEqual([
      'user',
      'message',
      'user',
      'function_call',
      'function_call_output',
      'message',
    ]);
    expect(items?.[0]).toEqual(user('What is the weather?'));
    expect(JSON.stringify(items)).not.toContain('Be brief.');
  });

  it('hands back input items as they were sent, without the ids input_items shows', async () => {
    const stub = client();
    await stub.put(turn('resp_1', [user('Hi')], []), DAY);
    expect(parsed<Json[]>(await stub.context('resp_1'))).toEqual([user('Hi')]);
    expect((await page(stub, 'resp_1')).data[0]?.id).toMatch(/^msg_[0-9a-f]{32}$/);
  });

  it('waits for a Response whose save arrives after the next turn asked for it', async () => {
    const stub = client();
    const started = Date.now();
    const asked = stub.context('resp_late');
    await sleep(150);
    await stub.put(turn('resp_late', [user('Hi')], [said('msg_1', 'Hello!')]), DAY);
    expect(parsed<Json[]>(await asked)).toEqual([user('Hi'), said('msg_1', 'Hello!')]);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('answers null after about two seconds for an id that never arrives', async () => {
    const started = Date.now();
    expect(parsed(await client().context('resp_never'))).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1900);
  });

  it('ends the chain at an ancestor that expired', async () => {
    const stub = client();
    await stub.put(turn('resp_old', [user('old')], [said('msg_old', 'old answer')]), 50);
    await stub.put(turn('resp_new', [user('new')], [said('msg_new', 'new answer')], 'resp_old'), DAY);
    await sleep(80);
    expect(parsed<Json[]>(await stub.context('resp_new'))).toEqual([user('new'), said('msg_new', 'new answer')]);
    expect(parsed<Json[]>(await stub.context('resp_old'))).toBeNull();
  });
});

describe('input items', () => {
  it('lists the items used to generate a Response, newest first by default, without its own output', async () => {
    const stub = client();
    await conversation(stub);
    const list = await page(stub, 'resp_c');
    expect(list.data.map((item) => item.type)).toEqual(['function_call_output', 'function_call', 'message', 'message', 'message']);
    expect(ids(list)).not.toContain('msg_c');
    expect(list).toMatchObject({ object: 'list', has_more: false, first_id: ids(list)[0], last_id: ids(list).at(-1) });
  });

  it('gives every item a stable id, keeping the ones it was sent with', async () => {
    const stub = client();
    await stub.put(turn('resp_1', [user('a'), { id: 'msg_mine', type: 'message', role: 'user', content: 'b' }], []), DAY);
    const first = ids(await page(stub, 'resp_1', { order: 'asc' }));
    expect(first[1]).toBe('msg_mine');
    expect(ids(await page(stub, 'resp_1', { order: 'asc' }))).toEqual(first);
  });

  it.each([
    ['asc', [0, 1], [2, 3], [4]],
    ['desc', [4, 3], [2, 1], [0]],
  ] as const)('pages in %s order with after and has_more', async (order, one, two, three) => {
    const stub = client();
    await conversation(stub);
    const all = ids(await page(stub, 'resp_c', { order: 'asc' }));
    const pick = (positions: readonly number[]) => positions.map((i) => all[i]);
    const p1 = await page(stub, 'resp_c', { order, limit: 2 });
    const p2 = await page(stub, 'resp_c', { order, limit: 2, after: p1.last_id ?? '' });
    const p3 = await page(stub, 'resp_c', { order, limit: 2, after: p2.last_id ?? '' });
    expect([ids(p1), ids(p2), ids(p3)]).toEqual([pick(one), pick(two), pick(three)]);
    expect([p1.has_more, p2.has_more, p3.has_more]).toEqual([true, true, false]);
  });

  it('gives the page just before a `before` cursor, in list order', async () => {
    const stub = client();
    await conversation(stub);
    const all = ids(await page(stub, 'resp_c', { order: 'asc' }));
    const before = await page(stub, 'resp_c', { order: 'asc', limit: 2, before: all[4] });
    expect(ids(before)).toEqual([all[2], all[3]]);
    expect(before.has_more).toBe(true);
  });

  it('refuses a cursor that is not in the list, and an unknown Response', async () => {
    const stub = client();
    await conversation(stub);
    expect(await stub.inputItems('resp_c', { limit: 20, order: 'desc', after: 'msg_c' })).toEqual({ ok: false, reason: 'unknown_after' });
    expect(await stub.inputItems('resp_x', { limit: 20, order: 'desc' })).toEqual({ ok: false, reason: 'not_found' });
  });
});

describe('delete and expiry', () => {
  it('deletes a Response once: the second delete finds nothing', async () => {
    const stub = client();
    await stub.put(turn('resp_1', [user('Hi')], [said('msg_1', 'Hello!')]), DAY);
    expect(await stub.delete('resp_1')).toBe(true);
    expect(parsed(await stub.get('resp_1'))).toBeNull();
    expect(await stub.delete('resp_1')).toBe(false);
  });

  it('removes expired Responses and their items by alarm, and sets itself for the next expiry', async () => {
    const stub = client();
    await stub.put(turn('resp_short', [user('a')], [said('msg_a', 'A')]), 50);
    await stub.put(turn('resp_long', [user('b')], [said('msg_b', 'B')]), DAY);
    await sleep(80);
    await runDurableObjectAlarm(stub);
    // Run it again by hand: the alarm is idempotent, whether or not Miniflare already ran it.
    const left = await runInDurableObject(stub, async (object, state) => {
      await object.alarm();
      const count = (table: string) => state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n;
      return { responses: count('responses'), items: count('items'), alarm: await state.storage.getAlarm() };
    });
    expect(left).toMatchObject({ responses: 1, items: 2 });
    expect(left.alarm).toBeGreaterThan(Date.now() + DAY / 2);
    expect(parsed(await stub.get('resp_long'))).not.toBeNull();
  });
});

describe('tenants', () => {
  it('never shows one client a Response another stored under the same id', async () => {
    const [a, b] = [client('a'), client('b')];
    await a.put(turn('resp_shared', [user('secret of a')], [said('msg_a', 'A')]), DAY);
    expect(parsed(await b.get('resp_shared'))).toBeNull();
    expect(await b.inputItems('resp_shared', { limit: 20, order: 'desc' })).toEqual({ ok: false, reason: 'not_found' });
    expect(await b.delete('resp_shared')).toBe(false);
    expect(parsed(await a.get('resp_shared'))).not.toBeNull();
  });
});

describe('size', () => {
  it('stores a Codex-style turn (5 KB of input, a function call) in about its JSON size', async () => {
    const stub = client();
    const prompt = 'Refactor the parser so it never throws on malformed input. '.repeat(85);
    const input = [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: prompt }] }];
    const call = {
      id: 'fc_1',
      type: 'function_call',
      status: 'completed',
      call_id: 'call_1',
      name: 'shell',
      arguments: '{"command":["rg","parse"]}',
    };
    const record = (i: number) =>
      turn(`resp_codex_${i}`, input, [
        { id: `rs_${i}`, type: 'reasoning', summary: [] },
        { ...call, id: `fc_${i}` },
      ]);
    const turns = 20;
    const stored = await runInDurableObject(stub, async (object, state) => {
      await object.put(record(0), DAY);
      const before = state.storage.sql.databaseSize;
      for (let i = 1; i <= turns; i++) await object.put(record(i), DAY);
      const bytes = state.storage.sql.exec<{ bytes: number }>('SELECT bytes FROM responses WHERE id = ?', 'resp_codex_1').one().bytes;
      return { bytes, perTurn: (state.storage.sql.databaseSize - before) / turns };
    });
    const json = JSON.stringify(record(1).response).length + JSON.stringify(input).length;
    console.log(
      `stored Codex-style turn: ${stored.bytes} bytes of JSON (its request and response: ${json}); database grows ${stored.perTurn} bytes a turn`,
    );
    expect(stored.bytes).toBeGreaterThan(5000);
    expect(stored.bytes).toBeLessThanOrEqual(json);
    expect(stored.perTurn).toBeLessThan(stored.bytes * 2);
  });
});
