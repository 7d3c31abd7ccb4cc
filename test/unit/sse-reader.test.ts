// SseReader: upstream SSE bodies read one event at a time, and reads a cancel must end.
import { describe, expect, it } from 'vitest';
import { SseReader } from '../../src/stream/sse-reader.ts';
import streamToolUse from '../fixtures/anthropic/stream-tool-use.sse?raw';
import { sseEvents } from './helpers/wire.ts';

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
    for (let sse = await reader.next(); sse !== null; sse = await reader.next()) got.push(sse.data);
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
    for (let i = 0; i < 1000; i++) expect((await reader.next())?.data).toBe(String(i));
    const stalled = reader.next();
    reader.cancel();
    expect(await stalled).toBeNull();
    expect(await reader.next()).toBeNull();
  });

  it('gives each event its name, and none when the wire names no events', async () => {
    const text = 'event: message_start\ndata: {"a":1}\n\n: a comment\n\ndata: [DONE]\n\n';
    const reader = new SseReader(
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes(text));
          controller.close();
        },
      }),
    );
    expect(await reader.next()).toEqual({ event: 'message_start', data: '{"a":1}' });
    expect(await reader.next()).toEqual({ event: undefined, data: '[DONE]' });
    expect(await reader.next()).toBeNull();
  });

  it('counts what is buffered from one network chunk, so the relay knows when it is drained', async () => {
    const reader = new SseReader(
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes('data: 1\n\ndata: 2\n\ndata: 3\n\n'));
          controller.close();
        },
      }),
    );
    expect(reader.buffered).toBe(0);
    await reader.next();
    expect(reader.buffered).toBe(2);
    await reader.next();
    await reader.next();
    expect(reader.buffered).toBe(0);
  });

  it('drains the rest of a finished body to its end, so the connection can be reused', async () => {
    const chunks = ['data: a\n\n', 'data: trailing\n\n'];
    let closed = false;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          const next = chunks.shift();
          if (next !== undefined) controller.enqueue(bytes(next));
          else {
            closed = true;
            controller.close();
          }
        },
      },
      { highWaterMark: 0 },
    );
    const reader = new SseReader(body);
    expect((await reader.next())?.data).toBe('a');
    await reader.drain();
    expect(closed).toBe(true);
    expect(await reader.next()).toBeNull();
  });

  it('gives up draining a body that never ends, within its time bound', async () => {
    const body = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => {}) }, { highWaterMark: 0 });
    const reader = new SseReader(body);
    const started = Date.now();
    await reader.drain(8, 20);
    expect(Date.now() - started).toBeLessThan(1000);
    reader.cancel();
  });

  it('reads the recorded Anthropic stream cut at awkward bytes into the same events, names included', async () => {
    const all = bytes(streamToolUse);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < all.length; i += 37) controller.enqueue(all.slice(i, i + 37));
        controller.close();
      },
    });
    const reader = new SseReader(body);
    const got = [];
    for (let sse = await reader.next(); sse !== null; sse = await reader.next()) got.push(sse);
    expect(got).toEqual(sseEvents(streamToolUse));
    expect(got[0]?.event).toBe('message_start');
  });
});
