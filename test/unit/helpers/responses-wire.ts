// Responses streams in unit tests: a caller's events read back as a vendor stream, checked against the wire's rules, and fed to the OpenAI SDK.
import { ResponseStream } from 'openai/lib/responses/ResponseStream';
import type { SseEvent, WireEvent } from '../../../src/protocols/adapter.ts';
import { isObject, type Json } from '../../../src/protocols/json.ts';
import type { ModelEvent, Usage } from '../../../src/protocols/model.ts';
import { responsesDecoder } from '../../../src/protocols/openai-responses/events-in.ts';
import { decodeAll } from './wire.ts';

/** A caller's events as the SSE events a client reads (the data as sent, or as JSON). */
export function asSse(wires: readonly WireEvent[]): SseEvent[] {
  return wires.map((w) => ({ event: w.event, data: w.raw ?? JSON.stringify(w.data) }));
}

/** A caller's Responses stream read back through the vendor-side decoder. */
export function decodeWires(wires: readonly WireEvent[]): ModelEvent[] {
  return decodeAll(responsesDecoder(), asSse(wires));
}

const dataOf = (wire: WireEvent): Json => (isObject(wire.data) ? wire.data : {});

/**
 * The rules every Responses stream keeps, as a list of what it breaks (empty when none): each event
 * named as its `type`, sequence numbers 0, 1, 2… with no gap, items added at the next output index
 * and done once, every item event naming an item that is open (by id and index), one terminal event
 * last, and the terminal Response's output equal to the items done, in order.
 */
export function streamFaults(wires: readonly WireEvent[]): string[] {
  const faults: string[] = [];
  const open = new Map<number, string>();
  const done: Json[] = [];
  let added = 0;
  for (const [i, wire] of wires.entries()) {
    const data = dataOf(wire);
    if (wire.event !== data.type) faults.push(`#${i}: event ${wire.event} carries type ${String(data.type)}`);
    if (data.sequence_number !== i) faults.push(`#${i}: sequence_number ${String(data.sequence_number)}`);
    const index = typeof data.output_index === 'number' ? data.output_index : undefined;
    if (data.type === 'response.output_item.added') {
      if (index !== added++) faults.push(`#${i}: item added at ${index}`);
      if (index !== undefined && isObject(data.item)) open.set(index, String(data.item.id));
    } else if (data.type === 'response.output_item.done') {
      if (index === undefined || !open.has(index)) faults.push(`#${i}: done for an item not open`);
      if (isObject(data.item) && index !== undefined && data.item.id !== open.get(index)) faults.push(`#${i}: done with another id`);
      if (index !== undefined) open.delete(index);
      if (isObject(data.item)) done.push(data.item);
    } else if (data.item_id !== undefined && (index === undefined || open.get(index) !== data.item_id)) {
      faults.push(`#${i}: ${String(data.type)} names ${String(data.item_id)} at ${index}, not an open item`);
    }
  }
  const last = dataOf(wires.at(-1) ?? { data: {} });
  const terminals = wires.filter((w) => /^response\.(completed|incomplete|failed)$/.test(String(dataOf(w).type)));
  if (terminals.length !== 1 || terminals[0] !== wires.at(-1)) faults.push('not one terminal event, last');
  const output = isObject(last.response) ? last.response.output : undefined;
  if (last.type !== 'response.failed' && JSON.stringify(output) !== JSON.stringify(done))
    faults.push('terminal output is not the items done');
  return faults;
}

/** The final Response the OpenAI SDK's stream helper builds from a caller's events (it checks ids, indexes and order, and throws on an `error` event). */
export async function sdkFinalResponse(wires: readonly WireEvent[]): Promise<unknown> {
  const body = wires.map((w) => `${JSON.stringify(w.data)}\n`).join('');
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(body));
      controller.close();
    },
  });
  return ResponseStream.fromReadableStream(stream).finalResponse();
}

/** What a decoded stream amounts to, however it was cut into events. */
export interface Answer {
  start: Extract<ModelEvent, { type: 'start' }> | undefined;
  text: string;
  reasoning: string;
  calls: { id?: string; name?: string; arguments: string }[];
  sealed: string[];
  /** Whether output only the vendor's protocol can show came (how many events carried it depends on the cut). */
  opaque: boolean;
  finish: string | undefined;
  usage: Usage | undefined;
  errors: number;
}

export function answerOf(events: readonly ModelEvent[]): Answer {
  const answer: Answer = {
    start: undefined,
    text: '',
    reasoning: '',
    calls: [],
    sealed: [],
    opaque: false,
    finish: undefined,
    usage: undefined,
    errors: 0,
  };
  for (const event of events) {
    if (event.type === 'start') answer.start ??= event;
    else if (event.type === 'text') answer.text += event.text;
    else if (event.type === 'reasoning') answer.reasoning += event.text;
    else if (event.type === 'reasoning-signature') answer.sealed.push(`signature:${event.signature}`);
    else if (event.type === 'redacted-reasoning') answer.sealed.push(`redacted:${event.data}`);
    else if (event.type === 'opaque') answer.opaque = true;
    else if (event.type === 'finish') answer.finish = event.reason;
    else if (event.type === 'usage') answer.usage = event.usage;
    else if (event.type === 'error') answer.errors++;
    else if (event.type === 'tool-call') {
      const call = answer.calls[event.index] ?? { arguments: '' };
      answer.calls[event.index] = call;
      if (event.id !== undefined) call.id = event.id;
      if (event.name !== undefined) call.name = event.name;
      call.arguments += event.arguments;
    }
  }
  return answer;
}
