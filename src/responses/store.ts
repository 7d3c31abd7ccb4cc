// The caller side of stored Responses: one client's object, bounded waits, and the wire errors a missing or silent store gives.
import { ProxyError } from '../errors.ts';
import { writeWarning } from '../observability/log.ts';
import { isObject, type Json, parseJson } from '../protocols/json.ts';
import { withTimeout } from '../timeout.ts';
import { CONTEXT_WAIT_MS, type ItemsQuery, type ItemsReply, type ResponsesObject, type StoredRecord } from './store-object.ts';

/** The `RESPONSES` binding; undefined when the Worker was deployed without it. */
export type ResponsesNamespace = DurableObjectNamespace<ResponsesObject> | undefined;

/** A read or delete: one round trip and a few SQL statements. */
const READ_TIMEOUT_MS = 3000;
/** `context` may itself wait for a save still on its way (CONTEXT_WAIT_MS). */
const CONTEXT_TIMEOUT_MS = CONTEXT_WAIT_MS + READ_TIMEOUT_MS;
/** A save runs in the background after the answer: it may take longer, never forever. */
const SAVE_TIMEOUT_MS = 5000;
const DAY_MS = 86_400_000;

let warnedUnbound = false;

/**
 * Stores a Response (`store` true) in its client's object for `retentionDays`. Never throws: the
 * answer has already gone out, so a store that is missing, fails or does not answer within
 * SAVE_TIMEOUT_MS is logged (no body, no key) and the save skipped; a later `previous_response_id`
 * naming it then gets `previous_response_not_found`.
 */
export async function saveResponse(ns: ResponsesNamespace, clientName: string, record: StoredRecord, retentionDays: number): Promise<void> {
  if (ns === undefined) {
    if (!warnedUnbound) writeWarning('responses store unbound', { binding: 'RESPONSES', effect: 'stored Responses are not saved' });
    warnedUnbound = true;
    return;
  }
  const started = Date.now();
  try {
    await withTimeout(ns.getByName(clientName).put(record, retentionDays * DAY_MS), SAVE_TIMEOUT_MS, 'responses object');
  } catch (err) {
    writeWarning('responses store save failed', { client: clientName, response: record.id, ...failure(err, started, SAVE_TIMEOUT_MS) });
  }
}

/**
 * The items a `previous_response_id` of `id` continues (see ResponsesObject.context), for the
 * request to send upstream. Throws OpenAI's 400 `previous_response_not_found` for an id this
 * client does not have, and a 503 when the store is missing or does not answer: the request
 * cannot be served without its conversation.
 */
export async function loadContext(ns: ResponsesNamespace, clientName: string, id: string): Promise<Json[]> {
  const text = await ask(ns, clientName, CONTEXT_TIMEOUT_MS, (stub) => stub.context(id));
  if (text === null) {
    throw new ProxyError(400, 'previous_response_not_found', `Previous response with id '${shown(id)}' not found.`, {
      type: 'invalid_request_error',
      param: 'previous_response_id',
    });
  }
  const items = parseJson(text);
  return Array.isArray(items) ? items.filter(isObject) : [];
}

/** This client's stored Response `id` as JSON text (sent as is), or null when it has none by that id (unknown, deleted, expired, or another client's). */
export function readResponse(ns: ResponsesNamespace, clientName: string, id: string): Promise<string | null> {
  return ask(ns, clientName, READ_TIMEOUT_MS, (stub) => stub.get(id));
}

/** Deletes this client's Response `id`; false when it had none by that id. */
export function deleteResponse(ns: ResponsesNamespace, clientName: string, id: string): Promise<boolean> {
  return ask(ns, clientName, READ_TIMEOUT_MS, (stub) => stub.delete(id));
}

/** One page of `input_items` of this client's Response `id` (the list as JSON text, sent as is). */
export function listInputItems(ns: ResponsesNamespace, clientName: string, id: string, query: ItemsQuery): Promise<ItemsReply> {
  return ask<ItemsReply>(ns, clientName, READ_TIMEOUT_MS, async (stub) => await stub.inputItems(id, query));
}

/** OpenAI's 404 for a Response the caller does not have (whoever else may have stored that id). */
export function responseNotFound(id: string): ProxyError {
  return new ProxyError(404, 'response_not_found', `No response found with id '${shown(id)}'.`, { type: 'invalid_request_error' });
}

/** One call to the client's object that the request needs: a 503 when there is no binding, or it fails or stays silent past `ms`. */
async function ask<T>(
  ns: ResponsesNamespace,
  clientName: string,
  ms: number,
  call: (stub: DurableObjectStub<ResponsesObject>) => Promise<T>,
): Promise<T> {
  if (ns === undefined) {
    throw new ProxyError(503, 'responses_store_unavailable', 'Stored Responses are not available: this Worker has no RESPONSES binding.');
  }
  const started = Date.now();
  try {
    return await withTimeout(call(ns.getByName(clientName)), ms, 'responses object');
  } catch (err) {
    const why = failure(err, started, ms);
    writeWarning('responses store read failed', { client: clientName, ...why });
    const message =
      why.error === 'timeout' ? 'The store of Responses did not answer in time; try again.' : 'The store of Responses failed; try again.';
    throw new ProxyError(503, 'responses_store_unavailable', message, { headers: { 'retry-after': '1' } });
  }
}

/** What a failed call logs: a timeout, or the error's name (never its message, which may quote stored input). */
function failure(err: unknown, started: number, ms: number): { error: string } {
  if (Date.now() - started >= ms) return { error: 'timeout' };
  return { error: err instanceof Error ? err.name : typeof err };
}

/** An id as quoted back in an error: bounded, since it comes from the caller. */
function shown(id: string): string {
  return id.length > 128 ? `${id.slice(0, 128)}…` : id;
}
