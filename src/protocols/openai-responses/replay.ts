// A stored whole Response replayed as the event stream a vendor would have sent for it.
import type { WireEvent } from '../adapter.ts';
import { isObject, type Json } from '../json.ts';

/** A replayed stream being written: events numbered from 0. */
class Replay {
  readonly events: WireEvent[] = [];

  emit(type: string, fields: Json): void {
    this.events.push({ event: type, data: { type, sequence_number: this.events.length, ...fields } });
  }
}

/** A message content part's wire, by part type: its delta and done events and the field holding its text. */
const CONTENT_TEXT: Readonly<Record<string, { delta: string; done: string; field: string }>> = {
  output_text: { delta: 'response.output_text.delta', done: 'response.output_text.done', field: 'text' },
  refusal: { delta: 'response.refusal.delta', done: 'response.refusal.done', field: 'refusal' },
};

/**
 * Replays a stored Response (a cache hit on a streaming request) as its stream: `response.created`
 * and `response.in_progress` (the Response in progress, no output yet), then each output item added
 * empty and filled the way a vendor fills it (message parts and their text with citations, a
 * function call's arguments, reasoning summary and text parts; `encrypted_content` and any other
 * item arrive whole in `output_item.done`), and the terminal event carrying the Response itself:
 * `response.completed`, or `response.incomplete` for an incomplete one. Sequence numbers run from 0.
 */
export function responseToEvents(response: Json): WireEvent[] {
  const replay = new Replay();
  const pending: Json = { ...response, status: 'in_progress', output: [], usage: null, incomplete_details: null, error: null };
  replay.emit('response.created', { response: pending });
  replay.emit('response.in_progress', { response: pending });
  const output = Array.isArray(response.output) ? response.output.filter(isObject) : [];
  for (const [index, item] of output.entries()) {
    const id = typeof item.id === 'string' ? item.id : '';
    const at = { item_id: id, output_index: index };
    switch (item.type) {
      case 'message':
        replay.emit('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', content: [] } });
        for (const [i, part] of partsOf(item.content).entries()) messagePart(replay, { ...at, content_index: i }, part);
        break;
      case 'function_call': {
        const args = typeof item.arguments === 'string' ? item.arguments : '';
        replay.emit('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', arguments: '' } });
        if (args !== '') replay.emit('response.function_call_arguments.delta', { ...at, delta: args });
        replay.emit('response.function_call_arguments.done', { ...at, arguments: args });
        break;
      }
      case 'reasoning':
        reasoning(replay, at, item);
        break;
      default:
        replay.emit('response.output_item.added', { output_index: index, item });
    }
    replay.emit('response.output_item.done', { output_index: index, item });
  }
  replay.emit(response.status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response });
  return replay.events;
}

function partsOf(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/** One message part: added empty, its text as one delta, its citations, its `.done`, the part whole. */
function messagePart(replay: Replay, at: Json, part: Json): void {
  const wire = CONTENT_TEXT[String(part.type)];
  if (wire === undefined) {
    replay.emit('response.content_part.added', { ...at, part });
    replay.emit('response.content_part.done', { ...at, part });
    return;
  }
  const text = typeof part[wire.field] === 'string' ? (part[wire.field] as string) : '';
  const annotations = Array.isArray(part.annotations) ? part.annotations : [];
  const extra = part.type === 'output_text' ? { logprobs: [] } : {};
  const empty = part.type === 'output_text' ? { ...part, text: '', annotations: [] } : { ...part, [wire.field]: '' };
  replay.emit('response.content_part.added', { ...at, part: empty });
  if (text !== '') replay.emit(wire.delta, { ...at, delta: text, ...extra });
  for (const [i, annotation] of annotations.entries()) {
    replay.emit('response.output_text.annotation.added', { ...at, annotation_index: i, annotation });
  }
  replay.emit(wire.done, { ...at, [wire.field]: text, ...extra });
  replay.emit('response.content_part.done', { ...at, part });
}

/** The events that replay one part list of a reasoning item: its summary, or its reasoning text. */
const REASONING_PARTS = {
  summary: {
    index: 'summary_index',
    added: 'response.reasoning_summary_part.added',
    delta: 'response.reasoning_summary_text.delta',
    done: 'response.reasoning_summary_text.done',
    partDone: 'response.reasoning_summary_part.done',
  },
  content: {
    index: 'content_index',
    added: 'response.content_part.added',
    delta: 'response.reasoning_text.delta',
    done: 'response.reasoning_text.done',
    partDone: 'response.content_part.done',
  },
} as const;

/** A reasoning item: added with no summary, each summary part and each reasoning text part filled, the item whole at its done. */
function reasoning(replay: Replay, at: { item_id: string; output_index: number }, item: Json): void {
  const added: Json = { ...item, summary: [] };
  delete added.encrypted_content;
  delete added.content;
  replay.emit('response.output_item.added', { output_index: at.output_index, item: added });
  for (const list of ['summary', 'content'] as const) {
    const wire = REASONING_PARTS[list];
    for (const [i, part] of partsOf(item[list]).entries()) {
      const text = typeof part.text === 'string' ? part.text : '';
      const where = { ...at, [wire.index]: i };
      replay.emit(wire.added, { ...where, part: { ...part, text: '' } });
      if (text !== '') replay.emit(wire.delta, { ...where, delta: text });
      replay.emit(wire.done, { ...where, text });
      replay.emit(wire.partDone, { ...where, part });
    }
  }
}
