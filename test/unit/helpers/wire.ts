// Wire text for unit tests: recorded SSE read into events the way the relay reads it, and caller events written back as bytes.
import { createParser } from 'eventsource-parser';
import type { EventDecoder, SseEvent, StreamEncoder, WireEvent } from '../../../src/protocols/adapter.ts';
import { parseJson } from '../../../src/protocols/json.ts';
import type { ModelEvent } from '../../../src/protocols/model.ts';
import { encodeSse } from '../../../src/stream/encode.ts';

/** The events of an SSE text (comments and blank lines skipped), as `SseReader` gives them. */
export function sseEvents(text: string): SseEvent[] {
  const out: SseEvent[] = [];
  const parser = createParser({ onEvent: (event) => out.push({ event: event.event, data: event.data }) });
  parser.feed(text);
  parser.reset({ consume: true });
  return out;
}

/** An event's data parsed once, as the relay parses it (`[DONE]` is not JSON). */
export function parsedOf(sse: SseEvent): unknown {
  return sse.data === '[DONE]' ? undefined : parseJson(sse.data);
}

/** Every event of a stream through one decoder; a malformed event fails the test. */
export function decodeAll(decoder: EventDecoder, events: readonly SseEvent[]): ModelEvent[] {
  return events.flatMap((sse) => {
    const decoded = decoder(sse, parsedOf(sse));
    if (decoded === undefined) throw new Error(`malformed event: ${sse.data}`);
    return decoded;
  });
}

/** Every upstream event passed through a caller's encoder as a passthrough stream. */
export function passAll(encoder: StreamEncoder, decoder: EventDecoder, events: readonly SseEvent[]): WireEvent[] {
  return events.flatMap((sse) => {
    const parsed = parsedOf(sse);
    return encoder.pass(sse, parsed, decoder(sse, parsed) ?? []);
  });
}

/** Internal events encoded for a caller, with what its stream still needs at the end. */
export function encodeAll(encoder: StreamEncoder, events: readonly ModelEvent[]): WireEvent[] {
  return [...events.flatMap((event) => encoder.encode(event)), ...encoder.end()];
}

/** The bytes a caller reads, as text. */
export function sseText(wires: readonly WireEvent[]): string {
  return new TextDecoder().decode(encodeSse(wires));
}

/** An SSE text holding exactly `events` (an `event:` line when named), as a vendor with no comments would send them. */
export function sseOf(events: readonly SseEvent[]): string {
  return events.map((e) => `${e.event === undefined ? '' : `event: ${e.event}\n`}data: ${e.data}\n\n`).join('');
}
