// The one log line of a model request, built in one place for answers and for errors (SPEC "Observability").
import type { ProxyError } from '../errors.ts';
import type { Answer, AnswerEnd } from '../pipeline/answer.ts';
import type { RequestContext } from '../pipeline/context.ts';
import type { Count } from '../pipeline/count-tokens.ts';
import type { RequestLog } from './log.ts';

/** What the log line of a request that failed knows of it. */
export interface RequestInfo {
  requestId: string;
  route: string;
  client: string;
  model: string | null;
  stream: boolean;
  startedAt: number;
}

/**
 * The line of an answered request, written when it ended (at once for a whole answer, at the
 * stream's end for a stream), with its cost (see `priceOf` in pipeline/finish.ts).
 */
export function answerLog(ctx: RequestContext, answer: Answer, end: AnswerEnd, cost: number | null): RequestLog {
  const line: RequestLog = {
    requestId: ctx.id,
    route: ctx.route,
    client: ctx.client.name,
    model: ctx.request.model,
    status: 200,
    source: answer.source,
    cache: answer.cache,
    stream: answer.body.kind === 'stream',
    attempts: answer.attempts,
    totalMs: Date.now() - ctx.startedAt,
    usage: end.usage ?? null,
    cost,
  };
  if (answer.provider !== undefined && answer.source !== 'degraded') line.provider = answer.provider;
  if (answer.model !== undefined && answer.source !== 'degraded') line.upstreamModel = answer.model;
  if (end.stream !== undefined) {
    line.streamOutcome = end.stream.outcome;
    line.malformedEvents = end.stream.malformed;
    if (end.stream.error !== undefined) line.error = end.stream.error;
    if (end.stream.rescues.length > 0) line.rescues = end.stream.rescues;
  }
  if (answer.dropped !== undefined) line.dropped = answer.dropped;
  return line;
}

/** The line of a request that ended in an error. */
export function errorLog(info: RequestInfo, err: ProxyError): RequestLog {
  return {
    requestId: info.requestId,
    route: info.route,
    client: info.client,
    model: info.model,
    status: err.status,
    source: null,
    cache: null,
    stream: info.stream,
    attempts: err.attempts ?? [],
    error: err.code,
    totalMs: Date.now() - info.startedAt,
  };
}

/** The line of a token count: answered by a vendor (`provider`), or estimated by the proxy. */
export function countLog(info: RequestInfo, count: Count): RequestLog {
  const line: RequestLog = {
    requestId: info.requestId,
    route: info.route,
    client: info.client,
    model: info.model,
    status: 200,
    source: count.estimated ? 'estimate' : 'provider',
    cache: 'BYPASS',
    stream: false,
    attempts: count.attempts,
    totalMs: Date.now() - info.startedAt,
  };
  if (count.provider !== undefined) line.provider = count.provider;
  return line;
}
