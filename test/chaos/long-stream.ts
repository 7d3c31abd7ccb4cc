// The memory check's client: one very long streamed answer read slowly, counted as it passes, never held whole.
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import type { Caller } from './answer.ts';
import { wireRequest } from './load.ts';

export interface LongStream {
  status: number;
  /** Characters of answer text received. */
  chars: number;
  /** Bytes of the response body. */
  bytes: number;
  /** Whether the stream ended with its terminator (`[DONE]`, `message_stop`). */
  complete: boolean;
  /** The last few hundred bytes of the body, for a failure message. */
  tail: string;
  ms: number;
}

/**
 * Streams `alias`'s answer for `caller`, pausing `pauseMs` after every `everyBytes` received: a
 * slow reader, so the proxy must hold back (backpressure) instead of buffering the answer.
 * `onBytes` is awaited after each chunk with the bytes received so far (reading waits for it).
 */
export async function readLongStream(
  origin: string,
  alias: string,
  caller: Caller,
  id: string,
  {
    everyBytes = 64 * 1024,
    pauseMs = 20,
    onBytes,
  }: { everyBytes?: number; pauseMs?: number; onBytes?: (bytes: number) => Promise<void> } = {},
): Promise<LongStream> {
  const started = Date.now();
  const wire = wireRequest({ alias, caller, stream: true, prompt: `memory ${id}`, headers: { 'cache-control': 'no-store' }, id });
  const res = await request(`${origin}${wire.path}`, { method: 'POST', headers: wire.headers, body: wire.body, bodyTimeout: 60_000 });
  const decoder = new TextDecoder();
  let pending = '';
  let chars = 0;
  let bytes = 0;
  let sincePause = 0;
  let last = '';
  let tail = '';
  for await (const chunk of res.body) {
    const data = chunk as Buffer;
    tail = (tail + data.subarray(-300).toString('utf8')).slice(-300);
    bytes += data.byteLength;
    sincePause += data.byteLength;
    pending += decoder.decode(data, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('event:')) last = line.slice(6).trim();
      if (!line.startsWith('data:')) continue;
      const payload = line.slice(5).trim();
      if (payload === '[DONE]') {
        last = '[DONE]';
        continue;
      }
      chars += textOf(caller, payload);
    }
    await onBytes?.(bytes);
    if (sincePause >= everyBytes) {
      sincePause = 0;
      await sleep(pauseMs);
    }
  }
  const complete = caller === 'openai' ? last === '[DONE]' : last === 'message_stop';
  return { status: res.statusCode, chars, bytes, complete, tail, ms: Date.now() - started };
}

function textOf(caller: Caller, payload: string): number {
  try {
    const event = JSON.parse(payload) as { choices?: { delta?: { content?: unknown } }[]; delta?: { text?: unknown } };
    const text = caller === 'openai' ? event.choices?.[0]?.delta?.content : event.delta?.text;
    return typeof text === 'string' ? text.length : 0;
  } catch {
    return 0;
  }
}
