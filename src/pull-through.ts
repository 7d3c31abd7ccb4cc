// Runs a stream through a transformer by pulling from it: only what the caller reads is read, and nothing is kept per chunk.

/** The part of a TransformStream's controller a transformer uses here. */
export interface Emit {
  enqueue(chunk: Uint8Array): void;
}

/** A synchronous transformer: what TransformStream takes, without the controller's other powers. */
export interface PullTransformer {
  transform(chunk: Uint8Array, out: Emit): void;
  flush(out: Emit): void;
}

/**
 * `body` through `transformer`, as a pull-based stream with no high-water mark. Used instead of
 * `pipeThrough`, whose pipe in workerd keeps a settled promise per chunk until the pipe ends: a
 * long streamed answer then holds memory in proportion to its length.
 */
export function pullThrough(body: ReadableStream<Uint8Array>, transformer: PullTransformer): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let emitted = false;
        const out: Emit = {
          enqueue(chunk) {
            emitted = true;
            controller.enqueue(chunk);
          },
        };
        while (!emitted) {
          const { done, value } = await reader.read();
          if (done) {
            transformer.flush(out);
            controller.close();
            return;
          }
          transformer.transform(value, out);
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
