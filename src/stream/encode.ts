// The one place a caller's stream events become bytes.
import type { WireEvent } from '../protocols/adapter.ts';

const encoder = new TextEncoder();

/** SSE text of `events`: an `event:` line when the wire names events, the data as the vendor sent it or as JSON. */
export function encodeSse(events: readonly WireEvent[]): Uint8Array {
  let text = '';
  for (const { event, data, raw } of events) {
    if (event !== undefined) text += `event: ${event}\n`;
    text += `data: ${raw ?? (typeof data === 'string' ? data : JSON.stringify(data))}\n\n`;
  }
  return encoder.encode(text);
}
