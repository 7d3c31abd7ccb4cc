// Owns connection-level behaviour in web terms: the "connection lost" fault and abortable waits.

/**
 * A dropped connection, as workerd's `fetch` reports it: a `TypeError` with the message
 * `Network connection lost.`. The in-process `fetch` rejects with it (`reset`) or errors a body
 * stream with it (`cut-after`); the Node server checks `instanceof ConnectionLost` to destroy the
 * real socket instead.
 */
export class ConnectionLost extends TypeError {
  constructor() {
    super('Network connection lost.');
  }
}

/** The reason an aborted signal carries, or a standard AbortError when it has none. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/**
 * Waits `ms` (forever for `Infinity`), rejecting with the abort reason as soon as `signal` fires.
 * A zero wait resolves without a timer so long fast streams stay cheap.
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      if (timer !== undefined) clearTimeout(timer);
      reject(abortReason(signal));
    };
    if (Number.isFinite(ms)) {
      timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
    }
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A byte stream pulled from `events` one at a time (so a slow reader holds back the producer).
 * Aborting `signal` errors the stream with the abort reason; an error thrown by `events`
 * (e.g. `ConnectionLost`) errors it with that error; cancelling stops the producer's waits.
 */
export function eventStream(produce: (signal: AbortSignal) => AsyncGenerator<string>, signal: AbortSignal): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const stop = new AbortController();
  const events = produce(stop.signal);
  const onAbort = () => stop.abort(abortReason(signal));
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      stop.signal.addEventListener(
        'abort',
        () => {
          try {
            controller.error(abortReason(stop.signal));
          } catch {
            // Already closed or cancelled: nothing left to error.
          }
        },
        { once: true },
      );
    },
    async pull(controller) {
      try {
        const next = await events.next();
        if (next.done) {
          signal.removeEventListener('abort', onAbort);
          controller.close();
        } else {
          controller.enqueue(encoder.encode(next.value));
        }
      } catch (error) {
        signal.removeEventListener('abort', onAbort);
        if (!stop.signal.aborted) controller.error(error);
      }
    },
    cancel(reason) {
      signal.removeEventListener('abort', onAbort);
      stop.abort(reason);
    },
  });
}
