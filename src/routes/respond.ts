// Turns a pipeline answer into the HTTP response of a model route.
import type { Context } from 'hono';
import { setMetric } from 'hono/timing';
import type { AppEnv } from '../env.ts';
import { answerHeaders } from '../observability/headers.ts';
import type { Answer } from '../pipeline/answer.ts';

/** The response for an answer: its body, `x-proxy-*` headers and the upstream time in Server-Timing. */
export function respond(c: Context<AppEnv>, answer: Answer): Response {
  setMetric(c, 'upstream', answer.upstreamMs);
  const body = answer.body.kind === 'json' ? answer.body.text : answer.body.stream;
  return c.body(body, 200, answerHeaders(answer));
}
