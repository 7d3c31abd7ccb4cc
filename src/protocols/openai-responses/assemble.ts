// The whole Response a Responses caller's stream amounts to: for the cache and for stored conversations.
import type { Assembler, WireEvent } from '../adapter.ts';
import { isObject, type Json } from '../json.ts';
import type { Usage } from '../model.ts';
import { responseUsage } from './response-object.ts';

/**
 * Takes the Response that `response.completed` carries (a passed-through vendor's or the encoder's:
 * both streams end with the whole Response), so a cache hit or a stored conversation holds exactly
 * what the caller was sent. Items from `output_item.done` are kept only to fill a terminal Response
 * whose `output` came empty (vendors that stream items and end with an envelope). An incomplete
 * Response (cut by `max_output_tokens`) is whole too: kept for its conversation, though never
 * cached (see `readResponse`). A failed stream, or an `error` event, gives no Response.
 * `size` counts the characters held.
 */
export class ResponsesAssembler implements Assembler {
  size = 0;
  private response: Json | undefined;
  private readonly items: Json[] = [];
  private broken = false;

  add(wire: WireEvent): void {
    const data = wire.data;
    if (this.broken || !isObject(data)) return;
    switch (data.type) {
      case 'response.output_item.done':
        if (!isObject(data.item)) return;
        this.items[typeof data.output_index === 'number' ? data.output_index : this.items.length] = data.item;
        this.size += lengthOf(data.item);
        return;
      case 'response.completed':
      case 'response.incomplete':
        if (!isObject(data.response)) return;
        this.response = data.response;
        this.size += lengthOf(data.response);
        return;
      case 'response.failed':
      case 'error':
        this.broken = true;
        this.response = undefined;
        return;
    }
  }

  /** The completed (or incomplete) Response, its usage filled from the stream's report when it carries none. */
  result(usage: Usage | undefined): Json | undefined {
    const response = this.response;
    if (this.broken || response === undefined || (response.status !== 'completed' && response.status !== 'incomplete')) return undefined;
    const whole: Json = { ...response };
    const streamed = this.items.filter(isObject);
    if ((!Array.isArray(whole.output) || whole.output.length === 0) && streamed.length > 0) whole.output = streamed;
    if (!isObject(whole.usage) && usage !== undefined) whole.usage = responseUsage(usage);
    return whole;
  }
}

/** Characters an object holds, as JSON. */
function lengthOf(value: Json): number {
  return JSON.stringify(value).length;
}
