// pullThrough: a stream through a transformer by pulling, with no read-ahead and nothing kept per chunk.
import { describe, expect, it } from 'vitest';
import { type PullTransformer, pullThrough } from '../../src/pull-through.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A source of `chunks` that counts how many the stream machinery pulled, and whether it was cancelled. */
function countingSource(chunks: string[]): { stream: ReadableStream<Uint8Array>; pulled: () => number; cancelled: () => unknown } {
  let at = 0;
  let reason: unknown;
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const next = chunks[at++];
        if (next === undefined) controller.close();
        else controller.enqueue(bytes(next));
      },
      cancel(why) {
        reason = why ?? 'cancelled';
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => at, cancelled: () => reason };
}

/** Upper-cases each chunk; drops chunks that are only spaces; says "end" when flushed. */
const upper: PullTransformer = {
  transform(chunk, out) {
    const text = new TextDecoder().decode(chunk);
    if (text.trim() !== '') out.enqueue(bytes(text.toUpperCase()));
  },
  flush(out) {
    out.enqueue(bytes('|end'));
  },
};

describe('pullThrough', () => {
  it('passes every chunk through the transformer and flushes once at the end', async () => {
    const { stream } = countingSource(['a', 'b', 'c']);
    expect(await new Response(pullThrough(stream, upper)).text()).toBe('ABC|end');
  });

  it('reads past chunks the transformer turns into nothing', async () => {
    const { stream } = countingSource(['a', '   ', ' ', 'b']);
    expect(await new Response(pullThrough(stream, upper)).text()).toBe('AB|end');
  });

  it('reads its source only as far as its reader reads (no read-ahead)', async () => {
    const source = countingSource(Array.from({ length: 100 }, (_, i) => `chunk ${i} `));
    const reader = pullThrough(source.stream, upper).getReader();
    await reader.read();
    await reader.read();
    expect(source.pulled()).toBeLessThanOrEqual(3);
    await reader.cancel();
  });

  it('cancels its source when its reader cancels', async () => {
    const source = countingSource(['a', 'b', 'c']);
    const reader = pullThrough(source.stream, upper).getReader();
    await reader.read();
    await reader.cancel('caller gone');
    expect(source.cancelled()).toBe('caller gone');
  });
});
