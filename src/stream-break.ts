// How a committed stream breaks: a timeout, the connection's end, or an upstream error event, as an in-band error.
import type { UpstreamFailure } from './fallback.ts';
import { streamErrorOf } from './protocols/openai.ts';
import { scrub } from './scrub.ts';

/** An in-band error ending a stream, and the failure it stands for. */
export interface Broken {
  code: string;
  message: string;
  failure: UpstreamFailure;
}

/**
 * Why an event ends the stream: a timeout, the connection's end (`data` null), or an upstream
 * error event (`parsed` is the event's JSON, parsed once by the caller).
 */
export function brokenBy(
  data: string | null,
  parsed: unknown,
  timedOut: string | undefined,
  secrets: readonly string[],
): Broken | undefined {
  if (timedOut !== undefined) {
    const code = timedOut === 'idle' ? 'idle_timeout' : 'attempt_timeout';
    const message = `The upstream provider stopped responding (${code}); the answer is incomplete.`;
    return { code, message, failure: { kind: 'timeout', phase: timedOut === 'idle' ? 'idle' : 'attempt' } };
  }
  if (data === null) {
    const message = 'The upstream connection was cut before the answer finished; the answer is incomplete.';
    return { code: 'stream_interrupted', message, failure: { kind: 'network', message: 'stream cut' } };
  }
  const info = streamErrorOf(parsed);
  if (info === undefined) return undefined;
  const detail = scrub(info.message, secrets) || 'upstream error';
  return {
    code: 'upstream_error',
    message: `The upstream provider failed mid-answer: ${detail}`,
    failure: { kind: 'stream_error', ...info, message: detail },
  };
}
