// Pulls SSE events out of an upstream body, one at a time, with bounded buffering.
import { createParser, type EventSourceParser } from 'eventsource-parser';
import type { SseEvent } from '../protocols/adapter.ts';
import { clearTimer } from '../timeout.ts';

// One SSE event larger than this is not a chat chunk; it is dropped as malformed.
const MAX_EVENT_BYTES = 1024 * 1024;

/**
 * Reads an upstream `text/event-stream` body. `next()` gives the next event (its name and data
 * text), or null at the end of the body; it throws when the connection fails. Only what one
 * network chunk holds is queued, so memory stays flat however long the answer.
 */
export class SseReader {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  private readonly decoder = new TextDecoder();
  private readonly parser: EventSourceParser;
  private queue: SseEvent[] = [];
  private head = 0;
  private ended = false;
  /** Events dropped because the parser could not read them. */
  dropped = 0;

  constructor(body: ReadableStream<Uint8Array>) {
    this.reader = body.getReader();
    this.parser = createParser({
      maxBufferSize: MAX_EVENT_BYTES,
      onEvent: (event) => {
        this.queue.push({ event: event.event, data: event.data });
      },
      onError: () => {
        this.dropped++;
      },
    });
  }

  /** Events already received and not yet taken. */
  get buffered(): number {
    return this.queue.length - this.head;
  }

  /** The next event already received, without waiting; undefined when none is buffered. */
  take(): SseEvent | undefined {
    return this.head < this.queue.length ? this.queue[this.head++] : undefined;
  }

  async next(): Promise<SseEvent | null> {
    while (this.head === this.queue.length) {
      if (this.ended) return null;
      this.queue = [];
      this.head = 0;
      const { done, value } = await this.reader.read();
      if (done) {
        this.ended = true;
        this.parser.reset({ consume: true });
      } else {
        this.parser.feed(this.decoder.decode(value, { stream: true }));
      }
    }
    return this.queue[this.head++] ?? null;
  }

  /**
   * Reads what is left of a body whose answer is complete (normally just its end), so the
   * runtime can reuse the upstream connection: a body cancelled before its end costs a new
   * connection per request. Bounded in reads and time; gives up silently.
   */
  async drain(maxReads = 8, maxMs = 100): Promise<void> {
    if (this.ended) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, maxMs);
    });
    const readToEnd = async (): Promise<void> => {
      for (let i = 0; i < maxReads; i++) {
        const { done } = await this.reader.read();
        if (done) {
          this.ended = true;
          return;
        }
      }
    };
    try {
      await Promise.race([readToEnd(), timeout]);
    } catch {
      // The connection failed after the answer was complete: nothing to do.
    }
    clearTimer(timer);
  }

  /**
   * Stops reading and releases the upstream connection. Never throws. A read the upstream body
   * never answers ends here too: cancelling the reader settles its pending read as done (the
   * streams standard), so reads need no race against it.
   */
  cancel(): void {
    const wasEnded = this.ended;
    this.ended = true;
    if (!wasEnded) this.reader.cancel().catch(() => {});
  }
}
