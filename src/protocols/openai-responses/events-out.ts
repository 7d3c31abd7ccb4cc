// Writes a Responses caller's stream: the vendor's own events passed on, or internal events encoded, on one stream.
import type { SseEvent, StreamEncoder, WireEvent } from '../adapter.ts';
import { isObject, type Json, numberOr, stringOr } from '../json.ts';
import type { FinishReason, ModelEvent, Usage } from '../model.ts';
import {
  functionCallItem,
  messageItem,
  newId,
  type ResponseStatus,
  responseIdOf,
  responseObject,
  statusOf,
  taggedReasoning,
} from './response-object.ts';
import { closeItem, followItem, growPart, type OpenItem, openedItem, openPart, wholeItem } from './stream-item.ts';

/**
 * The caller's own name for a function the target called: the request side flattens Codex
 * `namespace` groups and custom (freeform) tools into plain functions. A custom tool's call is
 * written as a `custom_tool_call` carrying its input text.
 */
export type ToolRename = (name: string) => { name: string; namespace?: string; custom?: boolean };

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/**
 * An encoder for one Responses caller (`request`: its body, echoed in every Response the stream
 * carries). Passed-through events keep their bytes and sequence numbers; the encoder only follows
 * where the stream stands (the Response's id, the open item and part with their text, the items
 * done, the last sequence number), so that internal events encoded later (another vendor
 * continuing a broken stream) continue the same item or open the next one, numbered after the
 * vendor's last event. Encoding writes the full event sequence: `response.created` and
 * `response.in_progress` on `start`, a message, reasoning or function call item opened and closed
 * (with its part and `.done` events) as text, reasoning and tool calls come and go, and the terminal
 * event on `done` or `end()` (usage may come after the finish): `response.completed`, or
 * `response.incomplete` for a length or content-filter finish, carrying the whole Response. The
 * Response's output is what was streamed, so the encoder holds the answer (a Response carries it
 * whole). `rename` gives function calls the caller's names. Only choice 0 is read.
 */
export function responsesEncoder(request: Json | undefined, rename?: ToolRename): StreamEncoder {
  return new ResponsesEncoder(request, rename);
}

class ResponsesEncoder implements StreamEncoder {
  private seq = 0;
  private started = false;
  private ended = false;
  private id = '';
  private createdAt = 0;
  private model = '';
  private finish: FinishReason | undefined;
  private usage: Usage | undefined;
  /** Items done, by output index. */
  private readonly items: Json[] = [];
  private open: OpenItem | undefined;
  /** The output index of the next item. */
  private next = 0;
  /** Encoded function calls by their index in the answer. */
  private readonly calls = new Map<number, OpenItem>();
  private readonly emit = (type: string, fields: Json): WireEvent => ({
    event: type,
    data: { type, sequence_number: this.seq++, ...fields },
  });

  private readonly request: Json | undefined;
  private readonly rename: ToolRename | undefined;

  constructor(request: Json | undefined, rename: ToolRename | undefined) {
    this.request = request;
    this.rename = rename;
  }

  pass(sse: SseEvent, parsed: unknown): WireEvent[] {
    if (!isObject(parsed)) return [];
    const type = stringOr(parsed.type) ?? sse.event ?? '';
    this.follow(type, parsed);
    const previous = this.request?.previous_response_id;
    // The vendor was sent the rebuilt history, not the id: its Response says what the caller sent.
    if (typeof previous === 'string' && isObject(parsed.response) && parsed.response.previous_response_id !== previous) {
      return [{ event: sse.event ?? type, data: { ...parsed, response: { ...parsed.response, previous_response_id: previous } } }];
    }
    return [{ event: sse.event ?? type, data: parsed, raw: sse.data }];
  }

  encode(event: ModelEvent): WireEvent[] {
    if (this.ended || ('choice' in event && event.choice !== 0)) return [];
    switch (event.type) {
      case 'start':
        if (event.model !== undefined) this.model = event.model;
        return this.begin(event.id, event.created);
      case 'text':
        return event.text === '' ? [] : this.write('message', event.text);
      case 'reasoning':
        return event.text === '' ? [] : this.write('reasoning', event.text);
      case 'reasoning-signature': {
        const out = [...this.begin(), ...this.into('reasoning')];
        (this.open as OpenItem).encrypted = taggedReasoning({ type: 'reasoning', text: '', signature: event.signature });
        return out;
      }
      case 'redacted-reasoning': {
        const out = [...this.begin(), ...this.openItem({ id: newId('rs'), type: 'reasoning', summary: [] })];
        (this.open as OpenItem).encrypted = taggedReasoning({ type: 'redacted-reasoning', data: event.data });
        return [...out, ...this.closeOpen()];
      }
      case 'tool-call':
        return [...this.begin(), ...this.toolCall(event)];
      case 'finish':
        this.finish = event.reason;
        return this.closeOpen();
      case 'usage':
        this.usage = event.usage;
        return [];
      case 'done':
        return this.terminal();
      default:
        // Opaque output has no equivalent here; errors end the stream through `fail`.
        return [];
    }
  }

  end(): WireEvent[] {
    return this.ended ? [] : this.terminal();
  }

  /**
   * An `error` event (what the SDKs raise on: openai-node on its name, openai-python on its `error`
   * object), then `response.failed` carrying the Response with the error (what Codex reads), then nothing.
   */
  fail(code: string, message: string): WireEvent[] {
    if (this.ended) return [];
    const out = this.begin();
    // `response.failed` first, for clients that read the failed Response (Codex); then an `error`
    // event, the one the SDKs raise on (openai-node on its event name, openai-python on its `error` key).
    const output = this.items.filter(isObject);
    if (this.open !== undefined) output.push(wholeItem(this.open, 'incomplete'));
    out.push(this.emit('response.failed', { response: this.response('failed', output, { error: { code, message } }) }));
    out.push(this.emit('error', { code, message, param: null, error: { type: 'upstream_error', code, message, param: null } }));
    this.ended = true;
    return out;
  }

  private response(status: ResponseStatus, output: Json[], extra: { error?: Json; incompleteDetails?: Json | null } = {}): Json {
    return responseObject(
      { id: this.id, createdAt: this.createdAt, model: this.model, status, output, usage: this.usage, ...extra },
      this.request,
    );
  }

  /** `response.created` and `response.in_progress`, once per stream (a continuing vendor's start only names the model). */
  private begin(id?: string, created?: number): WireEvent[] {
    if (this.started) return [];
    this.started = true;
    this.id = responseIdOf(id);
    this.createdAt = created ?? Math.floor(Date.now() / 1000);
    return [
      this.emit('response.created', { response: this.response('in_progress', []) }),
      this.emit('response.in_progress', { response: this.response('in_progress', []) }),
    ];
  }

  private terminal(): WireEvent[] {
    const out = [...this.begin(), ...this.closeOpen()];
    const { status, incomplete_details } = statusOf(this.finish ?? 'stop');
    const name = status === 'incomplete' ? 'response.incomplete' : 'response.completed';
    out.push(this.emit(name, { response: this.response(status, this.items.filter(isObject), { incompleteDetails: incomplete_details }) }));
    this.ended = true;
    return out;
  }

  /** Text or reasoning written into the open part of its kind, opening the item and part it needs. */
  private write(kind: 'message' | 'reasoning', text: string): WireEvent[] {
    const out = [...this.begin(), ...this.into(kind)];
    const open = this.open as OpenItem;
    const part = kind === 'message' ? 'output_text' : 'summary_text';
    if (open.part?.base.type !== part) out.push(...openPart(open, part, this.emit));
    out.push(...growPart(open, text, this.emit));
    return out;
  }

  /** The open item when it is of `kind`, else a new one (a signed or redacted reasoning item is whole: reasoning after it is another). */
  private into(kind: 'message' | 'reasoning'): WireEvent[] {
    if (this.open?.base.type === kind && this.open.encrypted === undefined) return [];
    return this.openItem(
      kind === 'message' ? messageItem(newId('msg'), [], 'in_progress') : { id: newId('rs'), type: 'reasoning', summary: [] },
    );
  }

  private toolCall(event: Extract<ModelEvent, { type: 'tool-call' }>): WireEvent[] {
    const out: WireEvent[] = [];
    let call = this.calls.get(event.index);
    if (call === undefined) {
      out.push(...this.openItem(this.callItem(event)));
      call = this.open as OpenItem;
      this.calls.set(event.index, call);
    }
    if (event.arguments === '') return out;
    call.text += event.arguments;
    // Arguments of a call already closed (a vendor interleaving parallel calls) reach the Response's
    // output only: its item was given whole. A custom tool's input is JSON arguments while it
    // streams: given whole when the call closes.
    const closed = this.items[call.index];
    if (closed !== undefined) this.items[call.index] = wholeItem(call, 'completed');
    else if (call.base.type === 'function_call')
      out.push(this.emit('response.function_call_arguments.delta', { item_id: call.id, output_index: call.index, delta: event.arguments }));
    return out;
  }

  /** A new call's item as the caller names it: a function call (in its namespace), or a custom tool call. */
  private callItem(event: Extract<ModelEvent, { type: 'tool-call' }>): Json {
    const name = event.name ?? '';
    const tool = this.rename?.(name) ?? { name };
    const callId = event.id ?? newId('call');
    const namespace = tool.namespace === undefined ? {} : { namespace: tool.namespace };
    if (tool.custom === true) {
      return {
        id: newId('fc').replace(/^fc_/, 'ctc_'),
        type: 'custom_tool_call',
        status: 'in_progress',
        call_id: callId,
        name: tool.name,
        input: '',
        ...namespace,
      };
    }
    return { ...functionCallItem(newId('fc'), callId, tool.name, '', 'in_progress'), ...namespace };
  }

  private openItem(base: Json): WireEvent[] {
    const out = this.closeOpen();
    this.open = openedItem(base, this.next++);
    out.push(this.emit('response.output_item.added', { output_index: this.open.index, item: base }));
    return out;
  }

  private closeOpen(): WireEvent[] {
    const open = this.open;
    if (open === undefined) return [];
    this.open = undefined;
    const status = this.finish === 'length' || this.finish === 'content_filter' ? 'incomplete' : 'completed';
    const { item, events } = closeItem(open, status, this.emit);
    this.items[open.index] = item;
    return events;
  }

  /** Follows a passed-through event: where the stream stands, so encoded events can continue it. */
  private follow(type: string, event: Json): void {
    const seq = numberOr(event.sequence_number);
    if (seq !== undefined) this.seq = Math.max(this.seq, seq + 1);
    if (type === 'response.created' || type === 'response.in_progress' || type === 'response.queued') this.learn(event.response);
    else if (TERMINAL.has(type)) this.ended = true;
    else if (type === 'response.output_item.added' && isObject(event.item)) {
      const index = numberOr(event.output_index) ?? this.next;
      this.next = Math.max(this.next, index + 1);
      this.open = openedItem(event.item, index);
    } else if (type === 'response.output_item.done' && isObject(event.item)) {
      this.items[numberOr(event.output_index) ?? this.open?.index ?? this.items.length] = event.item;
      this.open = undefined;
    } else if (this.open !== undefined) followItem(this.open, type, event);
  }

  private learn(response: unknown): void {
    this.started = true;
    if (!isObject(response)) return;
    if (typeof response.id === 'string') this.id = response.id;
    if (typeof response.created_at === 'number') this.createdAt = response.created_at;
    if (typeof response.model === 'string') this.model = response.model;
  }
}
