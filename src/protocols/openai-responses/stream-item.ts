// One output item of a Responses stream being written: its parts, the events that close them, its whole form.
import type { WireEvent } from '../adapter.ts';
import { isObject, type Json, numberOr, stringOr } from '../json.ts';
import { outputText, summaryText } from './response-object.ts';
import { customInput } from './tool-names.ts';

/** Writes one event of the caller's stream, numbered in sequence. */
export type Emit = (type: string, fields: Json) => WireEvent;

/** A content part's wire: its done event, the field holding its text, how its index is named, its part events. */
interface PartWire {
  done: string;
  field: string;
  index: 'content_index' | 'summary_index';
  added: string;
  partDone: string;
}

const CONTENT = { index: 'content_index', added: 'response.content_part.added', partDone: 'response.content_part.done' } as const;
const SUMMARY = {
  index: 'summary_index',
  added: 'response.reasoning_summary_part.added',
  partDone: 'response.reasoning_summary_part.done',
} as const;
const PARTS: Readonly<Record<string, PartWire>> = {
  output_text: { ...CONTENT, done: 'response.output_text.done', field: 'text' },
  refusal: { ...CONTENT, done: 'response.refusal.done', field: 'refusal' },
  reasoning_text: { ...CONTENT, done: 'response.reasoning_text.done', field: 'text' },
  summary_text: { ...SUMMARY, done: 'response.reasoning_summary_text.done', field: 'text' },
};

/** Events whose `delta` grows the open part's text or a call's arguments. */
const DELTAS = new Set([
  'response.output_text.delta',
  'response.refusal.delta',
  'response.reasoning_text.delta',
  'response.reasoning_summary_text.delta',
  'response.function_call_arguments.delta',
  'response.custom_tool_call_input.delta',
]);

/** The output item being written: as it was added, its closed parts, and the text of its open part (or a call's arguments). */
export interface OpenItem {
  base: Json;
  id: string;
  index: number;
  content: Json[];
  summary: Json[];
  part: { base: Json; wire: PartWire; index: number } | undefined;
  text: string;
  /** Reasoning to give back in `encrypted_content` (an Anthropic signature or redacted thinking, tagged). */
  encrypted?: string;
}

export function openedItem(base: Json, index: number): OpenItem {
  return { base, id: stringOr(base.id) ?? '', index, content: [], summary: [], part: undefined, text: '' };
}

/** Opens a part of `type` (`output_text` in a message, `summary_text` in reasoning), closing the open one. */
export function openPart(open: OpenItem, type: 'output_text' | 'summary_text', emit: Emit): WireEvent[] {
  const out = closePart(open, emit);
  const wire = PARTS[type] as PartWire;
  const base = type === 'output_text' ? outputText('') : summaryText('');
  const index = type === 'output_text' ? open.content.length : open.summary.length;
  open.part = { base, wire, index };
  open.text = '';
  out.push(emit(wire.added, { item_id: open.id, output_index: open.index, [wire.index]: index, part: base }));
  return out;
}

/** Text added to the open part. */
export function growPart(open: OpenItem, text: string, emit: Emit): WireEvent[] {
  const part = open.part;
  if (part === undefined) return [];
  open.text += text;
  const outputText = part.base.type === 'output_text';
  const type = outputText ? 'response.output_text.delta' : 'response.reasoning_summary_text.delta';
  const extra = outputText ? { logprobs: [] } : {};
  return [emit(type, { item_id: open.id, output_index: open.index, [part.wire.index]: part.index, delta: text, ...extra })];
}

/** Closes the open part: its `.done` with the whole text, then the part whole. */
export function closePart(open: OpenItem, emit: Emit): WireEvent[] {
  const part = open.part;
  if (part === undefined) return [];
  open.part = undefined;
  const whole = { ...part.base, [part.wire.field]: open.text };
  (part.wire.index === 'summary_index' ? open.summary : open.content).push(whole);
  const at = { item_id: open.id, output_index: open.index, [part.wire.index]: part.index };
  const extra = part.base.type === 'output_text' ? { logprobs: [] } : {};
  return [emit(part.wire.done, { ...at, [part.wire.field]: open.text, ...extra }), emit(part.wire.partDone, { ...at, part: whole })];
}

/**
 * Closes an item: its open part, a call's `.done` (a custom tool's input, held back as JSON
 * arguments while it streamed, is given whole here), then `output_item.done` with the item whole.
 */
export function closeItem(open: OpenItem, status: 'completed' | 'incomplete', emit: Emit): { item: Json; events: WireEvent[] } {
  const events = closePart(open, emit);
  const at = { item_id: open.id, output_index: open.index };
  if (open.base.type === 'function_call') events.push(emit('response.function_call_arguments.done', { ...at, arguments: open.text }));
  if (open.base.type === 'custom_tool_call') {
    const input = customInput(open.text);
    if (input !== '') events.push(emit('response.custom_tool_call_input.delta', { ...at, delta: input }));
    events.push(emit('response.custom_tool_call_input.done', { ...at, input }));
  }
  const item = wholeItem(open, status);
  events.push(emit('response.output_item.done', { output_index: open.index, item }));
  return { item, events };
}

/** An open item's whole form, its open part included. */
export function wholeItem(open: OpenItem, status: 'completed' | 'incomplete'): Json {
  const pending = open.part === undefined ? undefined : { ...open.part.base, [open.part.wire.field]: open.text };
  const inSummary = open.part?.wire.index === 'summary_index';
  const content = pending === undefined || inSummary ? open.content : [...open.content, pending];
  const summary = pending === undefined || !inSummary ? open.summary : [...open.summary, pending];
  switch (open.base.type) {
    case 'message':
      return { ...open.base, status, content };
    case 'reasoning': {
      const item: Json = { ...open.base, summary };
      if (content.length > 0) item.content = content;
      if (open.encrypted !== undefined) item.encrypted_content = open.encrypted;
      return item;
    }
    case 'function_call':
      return { ...open.base, status, arguments: open.text };
    case 'custom_tool_call':
      return { ...open.base, status, input: customInput(open.text) };
    default:
      return open.base;
  }
}

/** Follows a passed-through event inside the open item: its parts opened and closed, their text grown. */
export function followItem(open: OpenItem, type: string, event: Json): void {
  if (DELTAS.has(type)) {
    if (typeof event.delta === 'string') open.text += event.delta;
    return;
  }
  const part = isObject(event.part) ? event.part : undefined;
  const wire = part === undefined ? undefined : PARTS[String(part.type)];
  if (part === undefined || wire === undefined) return;
  if (type === wire.added) {
    open.part = { base: part, wire, index: numberOr(event[wire.index]) ?? 0 };
    open.text = '';
  } else if (type === wire.partDone) {
    (wire.index === 'summary_index' ? open.summary : open.content).push(part);
    open.part = undefined;
    open.text = '';
  }
}
