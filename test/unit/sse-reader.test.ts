// SseReader: upstream SSE bodies read one event at a time, and reads a cancel must end.
import { describe, expect, it } from 'vitest';
import { SseReader } from '../../src/stream/sse-reader.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('SseReader', () => {
  it('gives every event of a body that arrives in many small network chunks, then null', async () => {
    const text = Array.from({ length: 500 }, (_, i) => `data: {"n":${i}}\n\n`).join('');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < text.length; i += 7) controller.enqueue(bytes(text.slice(i, i + 7)));
        controller.close();
      },
    });
    const reader = new SseReader(body);
    const got: string[] = [];
    for (let data = await reader.next(); data !== null; data = await reader.next()) got.push(data);
    expect(got).toHaveLength(500);
    expect(got.at(-1)).toBe('{"n":499}');
  });

  it('ends a read the upstream body never answers when cancelled, after many reads that were answered', async () => {
    let sent = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          // A thousand events, then silence: the next read never settles on its own.
          if (sent < 1000) controller.enqueue(bytes(`data: ${sent++}\n\n`));
          else return new Promise(() => {});
        },
      },
      { highWaterMark: 0 },
    );
    const reader = new SseReader(body);
    for (let i = 0; i < 1000; i++) expect(await reader.next()).toBe(String(i));
    const stalled = reader.next();
    reader.cancel();
    expect(await stalled).toBeNull();
    expect(await reader.next()).toBeNull();
  });
});
