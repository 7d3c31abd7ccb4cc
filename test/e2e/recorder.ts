// Records every proxy response a test reads (status, headers, body bytes) for the secret check.
import { appendFileSync, readFileSync } from 'node:fs';
import { inject } from 'vitest';

/** One line of the response log: a response head, or a piece of its body as it passed. */
export type Recorded =
  | { kind: 'head'; url: string; status: number; headers: [string, string][] }
  | { kind: 'body'; url: string; text: string };

function record(entry: Recorded): void {
  appendFileSync(inject('responseLog'), `${JSON.stringify(entry)}\n`);
}

/**
 * A fetch that records what the proxy answers. The body is passed through a TransformStream, not
 * teed, so cancelling the response still cancels the request (the client-abort test needs that).
 */
export const recordingFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const url = input instanceof Request ? input.url : String(input);
  record({ kind: 'head', url, status: response.status, headers: [...response.headers] });
  if (response.body === null) return response;
  const decoder = new TextDecoder();
  const body = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        record({ kind: 'body', url, text: decoder.decode(chunk, { stream: true }) });
        controller.enqueue(chunk);
      },
    }),
  );
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
};

/** Everything recorded so far in this run, across test files. */
export function recordedResponses(): Recorded[] {
  return readFileSync(inject('responseLog'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Recorded);
}
