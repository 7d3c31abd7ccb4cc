// Records every proxy response a test reads (status, headers, body bytes) and every secret tests use, for the secret check.
import { appendFileSync, readFileSync } from 'node:fs';
import { inject } from 'vitest';
import { readTranscripts, registeredSecrets, registerSecret, TRANSCRIPT_DIR_ENV } from '../support/transcript.ts';

// Test files inherit the directory from the run's global setup; set it here as well, in case a
// pool starts its workers before the setup has run.
process.env[TRANSCRIPT_DIR_ENV] ??= inject('transcriptDir');

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

/**
 * Registers a secret this test gave a Worker or a client (a client key, a token, a JWT secret):
 * zz-secrets.test.ts fails if it appears in any response or log line of the run.
 */
export function secret(what: string, value: string): string {
  registerSecret(inject('transcriptDir'), what, value);
  return value;
}

/** Every secret registered so far in this run, across test files. */
export function secretsOfTheRun(): { what: string; value: string }[] {
  return registeredSecrets(inject('transcriptDir'));
}

/** Everything every `wrangler dev` of the run printed (build, banner, Worker logs), one entry per instance. */
export function transcripts(): { file: string; text: string }[] {
  return readTranscripts(inject('transcriptDir'));
}
