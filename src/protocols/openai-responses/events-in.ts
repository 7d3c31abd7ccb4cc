// A Responses stream's events read into internal events, one at a time.
import type { EventDecoder } from '../adapter.ts';
import { readErrorInfo } from '../error-info.ts';
import { isObject, type Json, numberOr, stringOr } from '../json.ts';
import type { ErrorInfo, ModelEvent } from '../model.ts';
import { readTaggedReasoning, usageOfResponse } from './response-object.ts';

/** What the decoder remembers of one stream: a few numbers per output item, never the answer's text. */
interface StreamState {
  started: boolean;
  /** Function call items by item id: their position among the answer's calls. */
  calls: Map<string, number>;
  /** Item ids by output index, for events that name only the index. */
  ids: Map<number, string>;
  /** Characters already given per text (`<item>:<kind>:<index>`), so a `.done` or a whole item adds only what no delta carried. */
  given: Map<string, number>;
  /** Items whose whole form was read (`output_item.done`). */
  finished: Set<string>;
  /** Reasoning items that gave text: a later part of theirs is set apart by a blank line. */
  reasoned: Set<string>;
}

type Kind = 'text' | 'reasoning' | 'args';

/** Delta and done events: which text of an item they grow, its index field and its field in the done event. */
const TEXTS: Readonly<Record<string, { kind: Kind; key: string; index: string; full?: string }>> = {
  'response.output_text.delta': { kind: 'text', key: 'text', index: 'content_index' },
  'response.output_text.done': { kind: 'text', key: 'text', index: 'content_index', full: 'text' },
  'response.refusal.delta': { kind: 'text', key: 'text', index: 'content_index' },
  'response.refusal.done': { kind: 'text', key: 'text', index: 'content_index', full: 'refusal' },
  'response.reasoning_summary_text.delta': { kind: 'reasoning', key: 'summary', index: 'summary_index' },
  'response.reasoning_summary_text.done': { kind: 'reasoning', key: 'summary', index: 'summary_index', full: 'text' },
  'response.reasoning_text.delta': { kind: 'reasoning', key: 'content', index: 'content_index' },
  'response.reasoning_text.done': { kind: 'reasoning', key: 'content', index: 'content_index', full: 'text' },
  'response.function_call_arguments.delta': { kind: 'args', key: 'args', index: '' },
  'response.function_call_arguments.done': { kind: 'args', key: 'args', index: '', full: 'arguments' },
};

/** Item events that only frame content (its text comes in deltas): not tokens. */
const FRAMING = new Set([
  'response.content_part.added',
  'response.content_part.done',
  'response.reasoning_summary_part.added',
  'response.reasoning_summary_part.done',
]);

/**
 * A decoder for one stream of a vendor that speaks the Responses API. `response.created` starts the
 * answer; text, refusal and reasoning (summary or raw) deltas, function calls (an item added starts
 * one, at its position among the answer's calls; argument deltas grow it) become their events; a
 * `.done` or a whole item adds what no delta carried (for vendors that send text only whole). A
 * reasoning item's `encrypted_content` is a token: an Anthropic signature or redacted thinking the
 * proxy tagged comes back as such, any other blob stays opaque (only its vendor can read it, and
 * another vendor must never get it as Anthropic thinking). Built-in tool items and their events,
 * and citations, are opaque. `response.completed` and `response.incomplete` finish with usage and
 * end the stream; `response.failed` and `error` are errors. Preamble and framing events give
 * nothing; data without a type is malformed.
 */
export function responsesDecoder(): EventDecoder {
  const state: StreamState = {
    started: false,
    calls: new Map(),
    ids: new Map(),
    given: new Map(),
    finished: new Set(),
    reasoned: new Set(),
  };
  return (sse, event) => {
    if (!isObject(event)) return undefined;
    const type = stringOr(event.type) ?? sse.event;
    if (type === undefined) return undefined;
    const text = TEXTS[type];
    if (text !== undefined) return textEvent(event, text, state);
    switch (type) {
      case 'response.created':
      case 'response.queued':
      case 'response.in_progress':
        return begin(event, state);
      case 'response.output_item.added':
        return isObject(event.item) ? itemAdded(event.item, numberOr(event.output_index), state) : undefined;
      case 'response.output_item.done':
        return isObject(event.item) ? itemDone(event.item, numberOr(event.output_index), state) : undefined;
      case 'response.completed':
      case 'response.incomplete':
        return ended(type, isObject(event.response) ? event.response : {}, state);
      case 'response.failed':
        return [{ type: 'error', error: failure(isObject(event.response) ? event.response.error : undefined) }];
      case 'error':
        return [{ type: 'error', error: failure(isObject(event.error) ? event.error : event) }];
      default:
        if (FRAMING.has(type)) return [];
        // Built-in tool calls (web_search_call.*, code_interpreter_call.*, …), citations and item
        // events added later: output only this protocol can show. Other events say nothing.
        return event.item_id !== undefined || event.output_index !== undefined ? [{ type: 'opaque', choice: 0 }] : [];
    }
  };
}

function begin(event: Json, state: StreamState): ModelEvent[] {
  if (state.started) return [];
  state.started = true;
  const response = isObject(event.response) ? event.response : {};
  const start: ModelEvent = { type: 'start' };
  if (typeof response.id === 'string') start.id = response.id;
  if (typeof response.model === 'string') start.model = response.model;
  if (typeof response.created_at === 'number') start.created = response.created_at;
  return [start];
}

/** The id of the item an event is about. */
function itemOf(event: Json, state: StreamState): string {
  const index = numberOr(event.output_index);
  return stringOr(event.item_id) ?? (index === undefined ? '' : (state.ids.get(index) ?? `#${index}`));
}

function textEvent(event: Json, text: (typeof TEXTS)[string], state: StreamState): ModelEvent[] | undefined {
  const item = itemOf(event, state);
  const key = `${item}:${text.key}:${numberOr(event[text.index]) ?? 0}`;
  if (text.full === undefined) {
    const delta = stringOr(event.delta);
    if (delta === undefined) return undefined;
    return piece(state, item, key, text.kind, delta);
  }
  const full = stringOr(event[text.full]);
  return full === undefined ? undefined : rest(state, item, key, text.kind, full);
}

/** One piece of an item's text as its event: text, reasoning (set apart from the item's earlier parts) or a call's arguments. */
function piece(state: StreamState, item: string, key: string, kind: Kind, delta: string): ModelEvent[] {
  const fresh = !state.given.has(key);
  state.given.set(key, (state.given.get(key) ?? 0) + delta.length);
  if (delta === '') return [];
  switch (kind) {
    case 'text':
      return [{ type: 'text', text: delta, choice: 0 }];
    case 'reasoning': {
      const apart = fresh && state.reasoned.has(item) ? '\n\n' : '';
      state.reasoned.add(item);
      return [{ type: 'reasoning', text: apart + delta, choice: 0 }];
    }
    case 'args': {
      const index = state.calls.get(item);
      return index === undefined ? [] : [{ type: 'tool-call', choice: 0, index, arguments: delta }];
    }
  }
}

/** What a whole text holds beyond the characters its deltas gave. */
function rest(state: StreamState, item: string, key: string, kind: Kind, full: string): ModelEvent[] {
  const given = state.given.get(key) ?? 0;
  if (full.length <= given) return [];
  const out = piece(state, item, key, kind, full.slice(given));
  state.given.set(key, full.length);
  return out;
}

function itemId(item: Json, index: number | undefined, state: StreamState): string {
  const id = stringOr(item.id) ?? (index === undefined ? undefined : state.ids.get(index)) ?? `#${index ?? state.ids.size}`;
  if (index !== undefined) state.ids.set(index, id);
  return id;
}

function itemAdded(item: Json, index: number | undefined, state: StreamState): ModelEvent[] {
  const id = itemId(item, index, state);
  switch (item.type) {
    case 'message':
    case 'reasoning':
      return [];
    case 'function_call':
      return startCall(item, id, state);
    default:
      return [{ type: 'opaque', choice: 0 }];
  }
}

/** A function call begins: its position among the answer's calls, its call id and name, any arguments it came with. */
function startCall(item: Json, id: string, state: StreamState): ModelEvent[] {
  const index = state.calls.size;
  state.calls.set(id, index);
  const args = stringOr(item.arguments) ?? '';
  state.given.set(`${id}:args:0`, args.length);
  return [{ type: 'tool-call', choice: 0, index, id: stringOr(item.call_id) ?? id, name: stringOr(item.name) ?? '', arguments: args }];
}

/** A whole item: what its deltas did not carry, its encrypted reasoning, or an opaque token. */
function itemDone(item: Json, index: number | undefined, state: StreamState): ModelEvent[] {
  const id = itemId(item, index, state);
  if (state.finished.has(id)) return [];
  state.finished.add(id);
  const parts = (field: unknown) => (Array.isArray(field) ? field.entries() : []);
  const out: ModelEvent[] = [];
  switch (item.type) {
    case 'message':
      for (const [i, part] of parts(item.content)) {
        const text = isObject(part) ? (stringOr(part.text) ?? stringOr(part.refusal)) : undefined;
        if (text !== undefined) out.push(...rest(state, id, `${id}:text:${i}`, 'text', text));
      }
      return out;
    case 'reasoning': {
      for (const [i, part] of parts(item.summary))
        if (isObject(part) && typeof part.text === 'string') out.push(...rest(state, id, `${id}:summary:${i}`, 'reasoning', part.text));
      for (const [i, part] of parts(item.content))
        if (isObject(part) && typeof part.text === 'string') out.push(...rest(state, id, `${id}:content:${i}`, 'reasoning', part.text));
      const encrypted = stringOr(item.encrypted_content);
      if (encrypted !== undefined && encrypted !== '') out.push(sealed(encrypted));
      return out;
    }
    case 'function_call':
      if (!state.calls.has(id)) return startCall(item, id, state);
      return rest(state, id, `${id}:args:0`, 'args', stringOr(item.arguments) ?? '');
    default:
      return [{ type: 'opaque', choice: 0 }];
  }
}

/** Encrypted reasoning: an Anthropic signature or redacted thinking the proxy tagged, else the vendor's own blob (opaque). */
function sealed(encrypted: string): ModelEvent {
  const tagged = readTaggedReasoning(encrypted);
  if (tagged.kind === 'thinking') return { type: 'reasoning-signature', signature: tagged.signature, choice: 0 };
  if (tagged.kind === 'redacted') return { type: 'redacted-reasoning', data: tagged.data, choice: 0 };
  return { type: 'opaque', choice: 0 };
}

/** The end of the answer: items no event carried (a vendor that sends the output only whole), the finish, usage, the end. */
function ended(type: string, response: Json, state: StreamState): ModelEvent[] {
  const out: ModelEvent[] = [];
  if (Array.isArray(response.output)) {
    for (const [index, item] of response.output.entries()) if (isObject(item)) out.push(...itemDone(item, index, state));
  }
  const details = isObject(response.incomplete_details) ? response.incomplete_details : {};
  const reason =
    type === 'response.completed'
      ? state.calls.size > 0
        ? 'tool_calls'
        : 'stop'
      : details.reason === 'content_filter'
        ? 'content_filter'
        : 'length';
  out.push({ type: 'finish', choice: 0, reason });
  const usage = usageOfResponse(response);
  if (usage !== undefined) out.push({ type: 'usage', usage });
  out.push({ type: 'done' });
  return out;
}

/** A `response.failed` error (`{code, message}`) or an `error` event (its fields flat, or nested as OpenAI sends them). */
function failure(error: unknown): ErrorInfo {
  const source = isObject(error) ? { code: error.code, type: error.type === 'error' ? undefined : error.type, message: error.message } : {};
  const info = readErrorInfo({ error: source });
  return info.message === '' ? { ...info, message: 'The vendor reported the response failed.' } : info;
}
