// One call to one target: fetch with deadlines, then the whole answer or the stream up to its commit point. Never throws.
import type { ResolvedTarget } from '../config/load.ts';
import { scrub } from '../observability/scrub.ts';
import { parseRetryAfter, type UpstreamFailure } from '../pipeline/fallback.ts';
import type { AnswerFacts, CallerRequest, EventDecoder, SseEvent, TargetCall } from '../protocols/adapter.ts';
import { readErrorInfo } from '../protocols/error-info.ts';
import { isObject, parseJson } from '../protocols/json.ts';
import { isToken, type ModelEvent } from '../protocols/model.ts';
import { decoderFor, wholeAnswer } from '../protocols/registry.ts';
import { SseReader } from '../stream/sse-reader.ts';
import { AttemptClock } from './clock.ts';

const MAX_ERROR_BODY = 64 * 1024;

/** What an attempt takes from its request. */
export interface AttemptContext {
  /** Request id, sent upstream as `x-request-id`. */
  id: string;
  request: CallerRequest;
  fetch: typeof fetch;
  signal: AbortSignal | undefined;
  /** Known secrets, scrubbed from anything read upstream. */
  secrets: readonly string[];
}

/** One upstream event read once: the SSE event, its data parsed, and what it means. */
export interface Decoded {
  sse: SseEvent;
  parsed: unknown;
  events: ModelEvent[];
}

/** A stream past its commit point: the events up to and including its first token, and the live reader. */
export interface CommittedStream {
  prefix: Decoded[];
  decode: EventDecoder;
  reader: SseReader;
  clock: AttemptClock;
  malformed: number;
  startedAt: number;
  /** The upstream model, from the stream's start. */
  model: string | undefined;
  mode: TargetCall['mode'];
}

export type AttemptResult =
  | { ok: true; kind: 'json'; text: string; facts: AnswerFacts; status: number; ms: number }
  | { ok: true; kind: 'stream'; committed: CommittedStream; status: number; ms: number }
  | { ok: false; failure: UpstreamFailure; status: number | null; ms: number; aborted: boolean };

/**
 * Makes one attempt. A stream is read until its first token (the commit point); until then every
 * failure comes back as data for `classify`, like a non-streaming one. `deadlineAt` (ms) bounds it
 * with the target's attempt timeout.
 */
export async function attempt(
  ctx: AttemptContext,
  target: ResolvedTarget,
  call: TargetCall,
  stream: boolean,
  deadlineAt: number,
): Promise<AttemptResult> {
  const startedAt = Date.now();
  const retry = target.retry;
  const clock = new AttemptClock(ctx.signal);
  const toDeadline = deadlineAt - startedAt;
  clock.setHard(retry.attemptTimeoutMs <= toDeadline ? 'attempt' : 'deadline', Math.min(retry.attemptTimeoutMs, toDeadline));
  if (stream) clock.setPhase('connect', retry.connectTimeoutMs);
  const fail = (failure: UpstreamFailure, status: number | null = null): AttemptResult => {
    clock.stop();
    clock.abort();
    const timed = clock.timedOut;
    const actual: UpstreamFailure = timed !== undefined ? { kind: 'timeout', phase: timed } : failure;
    return { ok: false, failure: actual, status, ms: Date.now() - startedAt, aborted: clock.clientAborted };
  };

  let response: Response;
  try {
    response = await ctx.fetch(call.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: stream ? 'text/event-stream' : 'application/json',
        'x-request-id': ctx.id,
        ...call.headers,
      },
      body: JSON.stringify(call.body),
      signal: clock.signal,
    });
  } catch (err) {
    return fail({ kind: 'network', message: scrub(errorMessage(err), ctx.secrets) });
  }
  const status = response.status;
  try {
    if (status < 200 || status >= 300) {
      const text = await readBounded(response);
      const parsed = parseJson(text);
      const info = readErrorInfo(parsed === undefined ? text : parsed);
      const retryAfterMs = parseRetryAfter(response.headers, Date.now());
      return fail({ kind: 'http', status, ...info, message: scrub(info.message, ctx.secrets), retryAfterMs }, status);
    }
    const isSse = (response.headers.get('content-type') ?? '').includes('text/event-stream');
    if (!stream || !isSse) {
      const raw = await response.text();
      const parsed = parseJson(raw);
      const whole = parsed === undefined || stream ? undefined : wholeAnswer(ctx.request, target, call, parsed, raw);
      if (whole !== undefined) {
        clock.stop();
        return { ok: true, kind: 'json', ...whole, status, ms: Date.now() - startedAt };
      }
      if (isObject(parsed) && 'error' in parsed) {
        const err = readErrorInfo(parsed);
        return fail({ kind: 'stream_error', ...err, message: scrub(err.message, ctx.secrets) }, status);
      }
      return fail({ kind: 'bad_response', message: stream ? 'answer is not an event stream' : 'answer is not a model answer' }, status);
    }
    if (response.body === null) return fail({ kind: 'bad_response', message: 'empty body' }, status);
    return await waitForCommit(ctx, target, call, response.body, clock, startedAt, fail);
  } catch (err) {
    return fail({ kind: 'network', message: scrub(errorMessage(err), ctx.secrets) }, status);
  }
}

/**
 * Reads events until the first token (the commit point). Until then nothing has reached the
 * caller, so every failure here falls over like a non-streaming one. Preamble events (a start, a
 * ping, an empty block) are kept to be sent before the first token.
 */
async function waitForCommit(
  ctx: AttemptContext,
  target: ResolvedTarget,
  call: TargetCall,
  body: ReadableStream<Uint8Array>,
  clock: AttemptClock,
  startedAt: number,
  fail: (failure: UpstreamFailure, status: number | null) => AttemptResult,
): Promise<AttemptResult> {
  const reader = new SseReader(body);
  const decode = decoderFor(target, ctx.request.caller.id, startedAt);
  clock.onExpire = () => reader.cancel();
  clock.setPhase('first_token', target.retry.firstTokenTimeoutMs - (Date.now() - startedAt));
  const prefix: Decoded[] = [];
  let malformed = 0;
  let model: string | undefined;
  for (;;) {
    const sse = await reader.next();
    if (sse === null) return fail({ kind: 'network', message: 'stream ended before the first token' }, 200);
    const parsed = sse.data === '[DONE]' ? undefined : parseJson(sse.data);
    const events = decode(sse, parsed);
    if (events === undefined) {
      malformed++;
      continue;
    }
    for (const event of events) {
      if (event.type === 'error') {
        reader.cancel();
        return fail({ kind: 'stream_error', ...event.error, message: scrub(event.error.message, ctx.secrets) }, 200);
      }
      if (event.type === 'done') return fail({ kind: 'bad_response', message: 'stream finished without an answer' }, 200);
      if (event.type === 'start' && event.model !== undefined) model ??= event.model;
    }
    prefix.push({ sse, parsed, events });
    if (events.some(isToken)) {
      const committed: CommittedStream = { prefix, decode, reader, clock, malformed, startedAt, model, mode: call.mode };
      return { ok: true, kind: 'stream', committed, status: 200, ms: Date.now() - startedAt };
    }
  }
}

async function readBounded(response: Response): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += decoder.decode(value, { stream: true });
    if (text.length > MAX_ERROR_BODY) {
      reader.cancel().catch(() => {});
      return text.slice(0, MAX_ERROR_BODY);
    }
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
