// The response headers of the model routes, built in one place: who answered and how (SPEC section 2).
import type { Answer } from '../pipeline/answer.ts';

/** Headers of an SSE response. */
export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
} as const;

/** `x-proxy-*`, `Age` and the content type of an answer. Provider and model are absent for degraded replies. */
export function answerHeaders(answer: Answer): Record<string, string> {
  const headers: Record<string, string> = {
    'x-proxy-source': answer.source,
    'x-proxy-cache': answer.cache,
    'x-proxy-attempts': String(answer.attemptCount),
    ...(answer.body.kind === 'stream' ? SSE_HEADERS : { 'content-type': 'application/json' }),
  };
  if (answer.source !== 'degraded' && answer.provider !== undefined && answer.model !== undefined) {
    headers['x-proxy-provider'] = answer.provider;
    headers['x-proxy-model'] = answer.model;
  }
  if (answer.ageSeconds !== undefined) headers.age = String(answer.ageSeconds);
  return headers;
}
