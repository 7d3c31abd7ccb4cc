// The stored-Responses Durable Object: one per client; its Responses, their input and output items, expiry by alarm. RPC only.
import { DurableObject } from 'cloudflare:workers';
import { isObject, type Json, parseJson } from '../protocols/json.ts';

/** What `put` stores: a Response (`store` true) and the input items it was asked with. */
export interface StoredRecord {
  id: string;
  /** The `previous_response_id` it continued, or null. */
  previousId: string | null;
  /** Unix seconds, as the Response's `created_at`. */
  createdAt: number;
  response: Json;
  input: Json[];
}

/** A page request of `input_items` (OpenAI's list parameters; limit already checked to 1..100). */
export interface ItemsQuery {
  limit: number;
  order: 'asc' | 'desc';
  /** An item id: the page starts after it, in `order`. */
  after?: string;
  /** An item id: the page ends before it, in `order`. */
  before?: string;
}

/** OpenAI's list shape (sent as JSON text: see ResponsesObject). */
export interface ItemList {
  object: 'list';
  data: Json[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/** `inputItems`' answer: the page, or why there is none (an unknown Response, or a cursor not in its list). */
export type ItemsReply = { ok: true; list: string } | { ok: false; reason: 'not_found' | 'unknown_after' | 'unknown_before' };

/** How long `context` waits for a Response whose save has not arrived yet (saved in the background after its answer). */
export const CONTEXT_WAIT_MS = 2000;
/** A chain longer than this is cut (its oldest turns dropped): a bound on work, far beyond any real conversation. */
const MAX_CHAIN = 10_000;
const INPUT = 0;
const OUTPUT = 1;

/**
 * Tables: `responses` holds each Response without its output (`output: []` keeps the key in place);
 * `items` holds one row per input item and per output item, so no row nears SQLite's 2 MB value
 * limit however long the conversation. Items of a chain are ordered by `ord` (oldest Response
 * first, inputs before outputs, then position), one integer so cursors compare in SQL.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS responses (id TEXT PRIMARY KEY, previous_id TEXT, created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL, bytes INTEGER NOT NULL, response TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS responses_by_expiry ON responses (expires_at);
CREATE TABLE IF NOT EXISTS items (response_id TEXT NOT NULL, kind INTEGER NOT NULL, position INTEGER NOT NULL,
  item_id TEXT NOT NULL, item TEXT NOT NULL, PRIMARY KEY (response_id, kind, position));`;

const INSERT_RESPONSE =
  'INSERT OR REPLACE INTO responses (id, previous_id, created_at, expires_at, bytes, response) VALUES (?, ?, ?, ?, ?, ?)';
const INSERT_ITEM = 'INSERT INTO items (response_id, kind, position, item_id, item) VALUES (?, ?, ?, ?, ?)';

/** The live chain ending at `?` (bound twice more with now): depth 0 is the Response itself. A missing or expired ancestor ends it. */
const CHAIN = `WITH RECURSIVE chain(id, previous_id, depth) AS (
  SELECT id, previous_id, 0 FROM responses WHERE id = ? AND expires_at > ?
  UNION ALL
  SELECT r.id, r.previous_id, chain.depth + 1 FROM responses r JOIN chain ON r.id = chain.previous_id
  WHERE r.expires_at > ? AND chain.depth < ${MAX_CHAIN - 1})`;

/** What `input_items` lists: the chain's items up to the Response's own input (not its output). */
const LISTED = `${CHAIN}, listed AS (
  SELECT (${MAX_CHAIN} - chain.depth) * 4294967296 + i.kind * 2147483648 + i.position AS ord, i.item_id, i.item
  FROM chain JOIN items i ON i.response_id = chain.id WHERE chain.depth > 0 OR i.kind = ${INPUT})`;

/**
 * SQLite-backed, strongly consistent: a Response saved after its answer is what the next turn's
 * `previous_response_id` reads, from any location. One object per client (`getByName(client.name)`),
 * so a client can never read, list or delete another's Responses. Answers carrying items travel as
 * JSON text: the rows are JSON already (a conversation is joined, not parsed and cloned again), and
 * RPC types cannot carry `unknown`-valued JSON.
 */
export class ResponsesObject extends DurableObject<Env> {
  /** `context` calls waiting for a Response not saved yet, woken by its `put`. */
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(SCHEMA);
  }

  /** Stores (or replaces: a cache hit may store an id again) a Response and its input items for `retentionMs`. */
  async put(record: StoredRecord, retentionMs: number): Promise<void> {
    const expiresAt = Date.now() + retentionMs;
    const output = Array.isArray(record.response.output) ? record.response.output.filter(isObject) : [];
    const envelope = JSON.stringify({ ...record.response, output: [] });
    const rows = [
      ...record.input.map((item, position) => ({ kind: INPUT, position, itemId: itemIdOf(item), text: JSON.stringify(item) })),
      ...output.map((item, position) => ({ kind: OUTPUT, position, itemId: itemIdOf(item), text: JSON.stringify(item) })),
    ];
    const bytes = rows.reduce((sum, row) => sum + utf8Length(row.text), utf8Length(envelope));
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      sql.exec('DELETE FROM items WHERE response_id = ?', record.id);
      sql.exec(INSERT_RESPONSE, record.id, record.previousId, record.createdAt, expiresAt, bytes, envelope);
      for (const row of rows) sql.exec(INSERT_ITEM, record.id, row.kind, row.position, row.itemId, row.text);
    });
    for (const wake of this.waiters.get(record.id) ?? []) wake();
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || expiresAt < alarm) await this.ctx.storage.setAlarm(expiresAt);
  }

  /** The Response with its output (JSON text), or null when unknown, deleted or expired. */
  async get(id: string): Promise<string | null> {
    const row = this.rows<{ response: string }>('SELECT response FROM responses WHERE id = ? AND expires_at > ?', id, Date.now())[0];
    if (row === undefined) return null;
    const output = this.rows<{ item: string }>('SELECT item FROM items WHERE response_id = ? AND kind = ? ORDER BY position', id, OUTPUT);
    return JSON.stringify({ ...parseItem(row.response), output: output.map((r) => parseItem(r.item)) });
  }

  /**
   * The conversation a `previous_response_id` of `id` continues, as OpenAI rebuilds it: for each
   * Response of the chain, oldest first, its input items then its output items (instructions are
   * not items, so they are not carried over). A Response not saved yet is waited for up to
   * CONTEXT_WAIT_MS, since its save runs after its answer and the next turn may arrive first.
   * JSON text of the item array (the rows joined, never parsed here); null when it is unknown (or expired) still.
   */
  async context(id: string): Promise<string | null> {
    if (!this.live(id) && (this.exists(id) || !(await this.arrival(id, CONTEXT_WAIT_MS)))) return null;
    const order = 'ORDER BY chain.depth DESC, i.kind, i.position';
    const rows = this.rows<{ item: string }>(
      `${CHAIN} SELECT i.item FROM chain JOIN items i ON i.response_id = chain.id ${order}`,
      ...this.head(id),
    );
    return rows.length === 0 && !this.live(id) ? null : `[${rows.map((r) => r.item).join(',')}]`;
  }

  /**
   * One page of the items used to generate `id` (OpenAI's `input_items`): the inputs and outputs of
   * the Responses it continued, then its own inputs; every item has an `id` (one was given at `put`
   * to those sent without). `after` pages forward; `before` alone gives the page just before it.
   */
  async inputItems(id: string, query: ItemsQuery): Promise<ItemsReply> {
    if (!this.live(id)) return { ok: false, reason: 'not_found' };
    const asc = query.order === 'asc';
    const after = query.after === undefined ? undefined : this.ordOf(id, query.after);
    const before = query.before === undefined ? undefined : this.ordOf(id, query.before);
    if (after === null) return { ok: false, reason: 'unknown_after' };
    if (before === null) return { ok: false, reason: 'unknown_before' };
    // In list order from `after`; backwards from `before` when it is the only cursor.
    const forward = after !== undefined || before === undefined;
    const [low, high] = asc ? [after, before] : [before, after];
    const ascending = forward === asc;
    const page = `SELECT item_id, item FROM listed WHERE ord > ? AND ord < ? ORDER BY ord ${ascending ? 'ASC' : 'DESC'} LIMIT ?`;
    const bounds = [low ?? -1, high ?? Number.MAX_SAFE_INTEGER, query.limit + 1];
    const rows = this.rows<{ item_id: string; item: string }>(`${LISTED} ${page}`, ...this.head(id), ...bounds);
    const data = rows.slice(0, query.limit).map((r) => listedItem(r.item_id, r.item));
    if (!forward) data.reverse();
    const list: ItemList = {
      object: 'list',
      data,
      first_id: idOf(data[0]),
      last_id: idOf(data.at(-1)),
      has_more: rows.length > query.limit,
    };
    return { ok: true, list: JSON.stringify(list) };
  }

  /** Deletes a Response and its items; false when there was none (or it had expired). */
  async delete(id: string): Promise<boolean> {
    const existed = this.live(id);
    this.ctx.storage.transactionSync(() => {
      this.ctx.storage.sql.exec('DELETE FROM items WHERE response_id = ?', id);
      this.ctx.storage.sql.exec('DELETE FROM responses WHERE id = ?', id);
    });
    return existed;
  }

  /** Idempotent: removes the expired Responses and their items, then sets itself for the next expiry. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      sql.exec('DELETE FROM items WHERE response_id IN (SELECT id FROM responses WHERE expires_at <= ?)', now);
      sql.exec('DELETE FROM responses WHERE expires_at <= ?', now);
    });
    const next = sql.exec<{ next: number | null }>('SELECT MIN(expires_at) AS next FROM responses').one().next;
    if (next !== null) await this.ctx.storage.setAlarm(next);
  }

  private rows<T extends Record<string, SqlStorageValue>>(query: string, ...bindings: unknown[]): T[] {
    return this.ctx.storage.sql.exec<T>(query, ...bindings).toArray();
  }

  /** The bindings of CHAIN: the Response it ends at, and now (twice). */
  private head(id: string): [string, number, number] {
    const now = Date.now();
    return [id, now, now];
  }

  private live(id: string): boolean {
    return this.rows('SELECT 1 FROM responses WHERE id = ? AND expires_at > ?', id, Date.now()).length > 0;
  }

  private exists(id: string): boolean {
    return this.rows('SELECT 1 FROM responses WHERE id = ?', id).length > 0;
  }

  /** The list position of an item of `id`'s list, or null when it is not in it. */
  private ordOf(id: string, itemId: string): number | null {
    return (
      this.rows<{ ord: number }>(`${LISTED} SELECT ord FROM listed WHERE item_id = ? ORDER BY ord LIMIT 1`, ...this.head(id), itemId)[0]
        ?.ord ?? null
    );
  }

  /** True once `put` stores `id`; false after `ms`. RPCs interleave while this waits on a timer, so the `put` can run. */
  private arrival(id: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const waiting = this.waiters.get(id) ?? new Set<() => void>();
      this.waiters.set(id, waiting);
      const done = (arrived: boolean) => {
        clearTimeout(timer);
        waiting.delete(wake);
        if (waiting.size === 0) this.waiters.delete(id);
        resolve(arrived);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      waiting.add(wake);
    });
  }
}

/** The item's own id, else a fresh one in OpenAI's style (`msg_…` for a message, `fco_…` for a tool output …). */
function itemIdOf(item: Json): string {
  if (typeof item.id === 'string' && item.id !== '') return item.id;
  const type = typeof item.type === 'string' ? item.type : 'message';
  const prefix = type === 'message' ? 'msg' : type === 'function_call_output' ? 'fco' : type === 'function_call' ? 'fc' : 'item';
  return `${prefix}_${crypto.randomUUID().replaceAll('-', '')}`;
}

/** An item as `input_items` shows it: with its id, and typed (an easy message `{role, content}` is a `message`). */
function listedItem(itemId: string, text: string): Json {
  const item = parseItem(text);
  return { id: itemId, ...(item.type === undefined ? { type: 'message' } : {}), ...item };
}

function parseItem(text: string): Json {
  const value = parseJson(text);
  return isObject(value) ? value : {};
}

function idOf(item: Json | undefined): string | null {
  return typeof item?.id === 'string' ? item.id : null;
}

const encoder = new TextEncoder();

function utf8Length(text: string): number {
  return encoder.encode(text).byteLength;
}
